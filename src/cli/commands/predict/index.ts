import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { predictWithOutlook, convergenceFields, LIU_WIRED_ENERGY, migrationEnergyJoules, type ConvergenceFields } from '../../../model/index.js';
import type { VmSample } from '../../../model/sample.js';
import { residualFactor, RESIDUAL_FIGURES, type ResidualState } from '../../../calibrate/residual.js';
import type { Prediction, PredictInput } from '../../../model/index.js';
import { parseSample, predictInputFrom, predictInputFromSample, type RawPredictFields } from '../../../input.js';
import { InputError } from '../../../units.js';
import { formatBytes, formatSeconds } from '../../render/format.js';
import { HISTORY_MODES, type HistoryMode, type HistoryReplay } from '../../../calibrate/history.js';
import { BATCH_FORMATS, openBatchInput, openBatchOutput, runBatch, type BatchFormat } from '../../batch.js';
import { addPredictFlags, fieldsFromFlags, namedForFlags, refuseIdleFlags, type PredictFieldFlags } from './flags.js';
import { fittedFields, storedHistory, storedLearned, storedPastErrors, storedScalarFit } from './store.js';
import { applyScalarFit, fittedPrior, type ScalarReading } from '../../../calibrate/scalar-fit.js';
import { learnedField, type LearnedField } from '../../../calibrate/learned-scalar.js';
import { scalarCurve, workingSetRange, type WorkingSetRange } from '../../../model/from-scalar.js';
import { exitWithError } from '../../errors.js';
import { parsedOption, rateWindowArg } from '../../options.js';
import { predictionTable, traceTable } from '../../render/prediction.js';
import { stopVerdict } from '../../../model/verdict.js';
import { progressReporter } from '../../progress.js';
import { roundFigure, roundForJson } from '../../../rounding.js';

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Reads a `--vm` file: the JSON of `migcost sample --json`, possibly wrapped as `{vm: ...}`, as a checked
 * sample, and the fields a hand-written VM description may add that a sample has not (workingSet, layout,
 * dirtyZeroShare), which override what the model reads off the sample as flags do. `flags.memory` and
 * `flags.dirtyRate` stand in for a size or rate the file lacks.
 */
export function readVmFile(path: string, flags: RawPredictFields = {}): { sample: VmSample; extra: RawPredictFields } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError('--vm', path, `must be a readable JSON file (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null) throw new InputError('--vm', path, 'must hold a JSON object');
  const d = doc as Record<string, unknown>;
  const vm = (typeof d.vm === 'object' && d.vm !== null ? d.vm : d) as Record<string, unknown>;
  // A size or rate given as a flag stands in for one the file lacks (it overrides it anyway).
  const given = dropUndefined({ memoryBytes: flags.memory, dirtyRateBytesPerSec: flags.dirtyRate });
  return { sample: parseSample('vm', { ...vm, ...given }), extra: dropUndefined({ workingSet: vm.workingSetBytes ?? vm.workingSet, layout: vm.layout, dirtyZeroShare: vm.dirtyZeroShare }) };
}

/** The JSON shape of a single prediction, rounded as batch lines and the API round it (src/rounding.ts). */
export function predictionJson(p: Prediction): Record<string, unknown> {
  return roundForJson({ ...p });
}

function residualFactors(s: ResidualState): Record<string, number> {
  return Object.fromEntries(RESIDUAL_FIGURES.map((f) => [f, residualFactor(s, f)]));
}

/** The options of `migcost predict`: those shared with offload and batch rows (addPredictFlags), and its own. */
export interface PredictFlags extends PredictFieldFlags {
  vm?: string;
  input?: string;
  format?: BatchFormat;
  output?: string;
  db?: string;
  vmId?: string;
  history: HistoryMode;
  interval?: true;
  json?: true;
  trace?: true;
  /** --no-learned: commander's negatable flag, true unless given. */
  learned: boolean;
  rateWindow?: number;
}

export function predictCommand(): Command {
  const cmd = new Command('predict').description('predict a live migration: total time, downtime, bytes, rounds, energy');
  addPredictFlags(cmd)
    .option('--vm <file>', 'VM description JSON (e.g. from `migcost sample --json`); flags override it')
    .option('--input <file>', 'batch: CSV with a header, or JSON Lines; - for stdin')
    .addOption(new Option('--format <format>', 'batch input format (default: sniffed)').choices(BATCH_FORMATS as unknown as string[]))
    .option('--output <file>', 'batch: write JSON lines here (atomically) instead of stdout')
    .option('--db <file|url>', "use the latest fitted models in this store (wired-energy, qemu-platform; its past migrations' errors spread the outlook's time percentiles); flags still win")
    .option('--vm-id <id>', "use this VM's migration history in the store with the fresh sample")
    .addOption(new Option('--history <how>', "with --vm-id: correct the prediction by the VM's past errors (error), feed Liu's refined rate of eqs. 11-13 (rate), or both").choices(HISTORY_MODES as unknown as string[]).default('error'))
    .option('--interval', "add a 10th-90th percentile range: the spread of the VM's past rates (--vm-id) and the model's past errors in the store")
    .option('--json', 'print JSON')
    .option('--trace', 'add the per-round trace')
    .option('--no-learned', "with --db: keep the analytic figure as the answer (the store's learned correction is still shown beside it)")
    .addOption(parsedOption('--rate-window <duration>', 'read --dirty-rate as the distinct pages dirtied in this window (QEMU calc-dirty-rate, libvirt domdirtyrate-calc: 1s), dirt saturating beyond it as `evaluate` reads a log (docs/history.md); default: the rate held constant', rateWindowArg))
    .action(async (o: PredictFlags) => {
      try {
        const typed = dropUndefined(fieldsFromFlags(o));
        if (o.input === undefined) refuseIdleFlags(typed);
        const flags = { ...(o.db !== undefined ? await fittedFields(o.db) : {}), ...typed };
        if (o.input !== undefined) {
          if (o.rateWindow !== undefined) throw new InputError('--rate-window', o.rateWindow, 'applies to a single prediction, not --input (a batch row can carry a curve)');
          const stored = o.db !== undefined ? await storedLearned(o.db) : undefined;
          const fit = o.db !== undefined ? await storedScalarFit(o.db) : undefined;
          const out = openBatchOutput(o.output);
          const progress = progressReporter('rows', o.output !== undefined);
          try {
            const summary = await runBatch(openBatchInput(o.input), out.stream, {
              format: o.format,
              defaults: flags,
              ...(o.db !== undefined ? { learned: (i: PredictInput) => learnedField(stored?.predictor, stored?.version, i), keepAnalytic: !o.learned, scalarFit: (i: PredictInput) => applyScalarFit(i, fit) } : {}),
              onProgress: (rows) => progress.update(rows),
            });
            await out.commit();
            progress.done(`${summary.rows} rows (${summary.notConverged} not converging)`);
          } catch (e) {
            await out.abort();
            progress.stop();
            throw e;
          }
          return;
        }
        let input: PredictInput;
        if (o.vm !== undefined) {
          // The sample priced by the default model (as `plan` prices it); flags override what they name.
          const { sample, extra } = readVmFile(o.vm, flags);
          input = predictInputFromSample(sample, { ...extra, ...flags });
        } else input = predictInputFrom(flags);
        // With a store, what a scalar cannot say (the zero share, k) from its fit of the history (scalar-fit.ts), or the
        // stated assumption; the answer says which. A sampled VM (--vm) keeps its own.
        const fit = o.db !== undefined ? await storedScalarFit(o.db) : undefined;
        // said with a store, and with --rate-window (a scalar read by the stated prior) without one
        const scalarReading: ScalarReading | undefined = (o.db !== undefined || o.rateWindow !== undefined) && o.vm === undefined ? applyScalarFit(input, fit, o.vmId !== undefined ? { vmId: o.vmId } : {}, o.rateWindow) : undefined;
        let scalarRange: WorkingSetRange | undefined;
        if (o.rateWindow !== undefined) {
          if (o.vm !== undefined || typed.curve !== undefined || typed.dirtyModel !== undefined || typed.workingSet !== undefined) throw new InputError('--rate-window', o.rateWindow, 'reads a scalar --dirty-rate: not with --vm, --curve, --dirty-model or --working-set');
          const points = scalarCurve({ memoryBytes: input.vm.memoryBytes, dirtyRateBytesPerSec: input.vm.dirtyRateBytesPerSec, bandwidthBytesPerSec: input.bandwidthBytesPerSec }, fittedPrior(fit, o.rateWindow));
          if (points.length > 0) input.vm.dirtyModel = { kind: 'curve', points };
          if (scalarReading) scalarRange = workingSetRange(input, fittedPrior(fit, o.rateWindow));
        }
        let history: HistoryReplay | undefined;
        if (o.vmId !== undefined) history = await storedHistory(input, o.vmId, o.db, o.history);
        input.trace = o.trace === true;
        // the outlook's model error: fitted on the store's past migrations where it has enough, else the lab-fitted prior
        const pastErrors = o.db !== undefined ? await storedPastErrors(o.db) : undefined;
        const modelError = pastErrors ? (await import('../../../calibrate/interval.js')).modelErrorFromHistory(pastErrors) : undefined;
        let p: Prediction & ConvergenceFields = predictWithOutlook(input, { modelError });
        if (history?.residual) {
          const { applyResidual } = await import('../../../calibrate/residual.js');
          const energy = input.energy ?? LIU_WIRED_ENERGY;
          // the past errors correct the point; the convergence outlook is the model's own
          p = { ...applyResidual(history.residual, p, undefined, (b) => migrationEnergyJoules(energy, b, input.bandwidthBytesPerSec)), ...convergenceFields(p) };
        }
        // The store's learned correction: the answer where it applies (unless --no-learned), shown beside the analytic figure.
        let learned: LearnedField | undefined;
        const analytic = { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
        if (o.db !== undefined) {
          const stored = await storedLearned(o.db);
          // --rate-window's curve is the scalar reading the correction's own base makes of the rate: corrected as a scalar.
          const scalar = o.rateWindow !== undefined ? { ...input, vm: { ...input.vm, dirtyModel: undefined } } : input;
          learned = learnedField(stored?.predictor, stored?.version, scalar, o.vmId !== undefined ? { vmId: o.vmId } : {}, { fullSample: o.vm !== undefined });
          if (learned.applied && o.learned && !history?.residual) {
            const energy = input.energy ?? LIU_WIRED_ENERGY;
            p = { ...p, totalTimeSec: learned.totalTimeSec, transferredBytes: learned.transferredBytes, downtimeSec: learned.downtimeSec, energyJoules: migrationEnergyJoules(energy, learned.transferredBytes, input.bandwidthBytesPerSec) };
          }
        }
        let interval: { lo: Record<string, number>; hi: Record<string, number>; mayNotConverge: boolean; basedOn: { rates: number; errors: number } } | undefined;
        if (o.interval) {
          const { predictInterval } = await import('../../../calibrate/interval.js');
          const errors = pastErrors ?? (await storedPastErrors(o.db));
          const iv = predictInterval({ ...input, trace: false }, { observedRates: history?.observedRates, relativeErrors: errors });
          interval = { lo: iv.lo, hi: iv.hi, mayNotConverge: iv.mayNotConverge, basedOn: { rates: history?.observedRates.length ?? 0, errors: errors.totalTimeSec.length } };
        }
        // rounded by the one rule (src/rounding.ts); the history's correction factors are ratios, whatever figure they scale
        const json: Record<string, unknown> = { ...predictionJson(p), verdict: stopVerdict(p, input).text };
        if (history) {
          const correction = history.residual ? Object.fromEntries(Object.entries(residualFactors(history.residual)).map(([k, x]) => [k, roundFigure('factor', x)])) : undefined;
          json.history = { ...roundForJson({ ...history, observedRates: undefined, residual: undefined }), correction };
        }
        if (interval) json.interval = roundForJson(interval);
        if (scalarReading) json.scalarReading = roundForJson({ ...scalarReading, ...(scalarRange ? { range: scalarRange } : {}) });
        if (learned) Object.assign(json, { learned: roundForJson({ ...learned, answer: learned.applied && o.learned && !history?.residual }), analytic: roundForJson(analytic) });
        if (o.json) process.stdout.write(`${JSON.stringify(json)}\n`);
        else {
          process.stdout.write(`${predictionTable(p, input)}\n`);
          if (interval) process.stdout.write(`10th-90th percentile: total time ${formatSeconds(interval.lo.totalTimeSec)} - ${formatSeconds(interval.hi.totalTimeSec)}, sent ${formatBytes(interval.lo.transferredBytes)} - ${formatBytes(interval.hi.transferredBytes)}, downtime ${formatSeconds(interval.lo.downtimeSec)} - ${formatSeconds(interval.hi.downtimeSec)} (from ${interval.basedOn.rates} past rates and ${interval.basedOn.errors} past errors)${interval.mayNotConverge ? '; at the high end of its past rates it would not converge' : ''}\n`);
          if (history) {
            const c = history.residual ? residualFactors(history.residual) : undefined;
            process.stdout.write(`history: ${history.migrations} earlier migrations of ${o.vmId}; ${history.mode === 'error' ? '' : `dirty rate ${(history.sampleRate / 2 ** 20).toFixed(1)} MiB/s sampled -> ${(history.refinedRate / 2 ** 20).toFixed(1)} MiB/s refined (phi ${history.phi.toFixed(2)})`}${c ? `${history.mode === 'both' ? '; ' : ''}past errors correct time x${c.totalTimeSec.toFixed(3)}, bytes x${c.transferredBytes.toFixed(3)}, downtime x${c.downtimeSec.toFixed(3)}` : ''}\n`);
          }
          if (learned) process.stdout.write(`${learnedLine(learned, analytic, o.learned && !history?.residual)}\n`);
          if (scalarReading) process.stdout.write(`scalar reading: ${scalarReading.assumption}\n`);
          if (scalarRange) process.stdout.write(`how much the working set matters: with ${scalarRange.workingSetFactor[0]}x to ${scalarRange.workingSetFactor[1]}x the window's dirt, total time ${formatSeconds(scalarRange.totalTimeSec[0])} - ${formatSeconds(scalarRange.totalTimeSec[1])}, sent ${formatBytes(scalarRange.transferredBytes[0])} - ${formatBytes(scalarRange.transferredBytes[1])}${scalarRange.converges[0] === scalarRange.converges[1] ? '' : '; it converges at one end and not the other'}\n`);
          if (p.trace) process.stdout.write(`${traceTable(p.trace)}\n`);
        }
      } catch (e) {
        exitWithError(namedForFlags(e));
      }
    });
  return cmd;
}

/** The learned correction beside the analytic figure, in a line. */
function learnedLine(l: LearnedField, analytic: { totalTimeSec: number; transferredBytes: number; downtimeSec: number }, answer: boolean): string {
  const a = `analytic: total time ${formatSeconds(analytic.totalTimeSec)}, sent ${formatBytes(analytic.transferredBytes)}, downtime ${formatSeconds(analytic.downtimeSec)}`;
  if (!l.applied) return `learned correction not applied: ${l.reason}. ${a}`;
  const c = `learned (v${l.version}): total time ${formatSeconds(l.totalTimeSec)}, sent ${formatBytes(l.transferredBytes)}, downtime ${formatSeconds(l.downtimeSec)}`;
  return answer ? `${c} (the answer above); ${a}` : `${a} (the answer above, --no-learned); ${c}`;
}
