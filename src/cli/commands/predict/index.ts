import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { predict, POLICIES, DIRTY_MODELS, LIU_WIRED_ENERGY, migrationEnergyJoules } from '../../../model/index.js';
import type { VmSample } from '../../../model/sample.js';
import { residualFactor, RESIDUAL_FIGURES, type ResidualState } from '../../../calibrate/residual.js';
import type { Prediction, PredictInput } from '../../../model/index.js';
import { parseSample, predictInputFrom, predictInputFromSample, type RawPredictFields } from '../../../input.js';
import { InputError, formatBytes, formatSeconds } from '../../../units.js';
import { BATCH_FORMATS, openBatchInput, openBatchOutput, runBatch, type BatchFormat } from '../../batch.js';
import { exitWithError } from '../../errors.js';
import { predictionTable, traceTable } from '../../render/prediction.js';
import { progressReporter } from '../../progress.js';

/** Flags shared by single and batch predictions; in batch mode they are defaults for missing columns. */
export function addPredictFlags(cmd: Command): Command {
  return cmd
    .option('--memory <size>', 'VM memory, e.g. 4GiB')
    .option('--dirty-rate <rate>', 'memory dirtying rate, e.g. 50MiB/s')
    .option('--bandwidth <rate>', 'migration bandwidth (cap), e.g. 1Gbit/s')
    .addOption(new Option('--policy <name>', 'stop policy').choices(POLICIES as unknown as string[]))
    .option('--downtime-limit <time>', 'qemu: downtime limit, e.g. 300ms')
    .option('--zero-page-fraction <f>', 'fraction of memory that is zero pages (0..1)')
    .option('--working-set <size>', 'bound on the distinct memory the guest writes')
    .option('--page-size <size>', 'guest page size (default 4KiB)')
    .addOption(new Option('--dirty-model <name>', 'dirty model').choices(DIRTY_MODELS as unknown as string[]))
    .option('--curve <points>', 'Deng curve: distinct bytes dirtied per window, e.g. "0.5s:10MiB,1s:18MiB,2s:30MiB"')
    .option('--wws-coeffs <a,b,c>', "Liu's working-set coefficients (default -0.0463,-0.0001,0.3586)")
    .option('--auto-converge', 'qemu: auto-converge throttling at QEMU defaults')
    .option('--threshold <size>', 'xen/liu: stop threshold V_thd (default 50 pages)')
    .option('--max-rounds <n>', 'xen/liu: round cap (default 29)')
    .option('--max-traffic-factor <x>', 'xen: traffic cap as a multiple of memory (default 3)')
    .option('--timeout <time>', 'qemu: give up after this long without converging (default 600s)')
    .option('--adaptive-rate', "Liu's adaptive rate R = D + delta per round")
    .option('--delta <rate>', 'adaptive rate: delta (default 100Mbit/s)')
    .option('--rate-min <rate>', 'adaptive rate: lower clamp')
    .option('--rate-max <rate>', 'adaptive rate: upper clamp (default: --bandwidth)')
    .option('--setup-time <time>', 'platform: initialisation time (default 0)')
    .option('--resume-time <time>', 'platform: resume time, part of downtime (default 20ms)')
    .option('--line-rate <rate>', 'platform: highest real pre-copy throughput, whatever the cap')
    .option('--stop-copy-rate <rate>', 'platform: rate of the uncapped qemu stop-and-copy (default: line rate)')
    .addOption(new Option('--energy <model>', 'energy model').choices(['wired', 'wireless']))
    .option('--alpha <J/MiB>', 'wired energy: alpha (default 0.512)')
    .option('--beta <J>', 'wired energy: beta (default 20.165)')
    .option('--channel-bandwidth <Hz>', 'wireless energy: channel bandwidth B (default 20e6)')
    .option('--noise-density <W/Hz>', 'wireless energy: N0 (default 3.98e-11)');
}

type Flags = Record<string, unknown>;

/** Maps commander's camel-cased flags onto the batch/JSON field names. */
export function fieldsFromFlags(o: Flags): RawPredictFields {
  return {
    memory: o.memory,
    dirtyRate: o.dirtyRate,
    bandwidth: o.bandwidth,
    policy: o.policy,
    downtimeLimit: o.downtimeLimit,
    zeroPageFraction: o.zeroPageFraction,
    workingSet: o.workingSet,
    pageSize: o.pageSize,
    dirtyModel: o.dirtyModel,
    curve: o.curve,
    wwsCoeffs: o.wwsCoeffs,
    autoConverge: o.autoConverge,
    threshold: o.threshold,
    maxRounds: o.maxRounds,
    maxTrafficFactor: o.maxTrafficFactor,
    timeout: o.timeout,
    adaptiveRate: o.adaptiveRate,
    delta: o.delta,
    rateMin: o.rateMin,
    rateMax: o.rateMax,
    setupTime: o.setupTime,
    resumeTime: o.resumeTime,
    lineRate: o.lineRate,
    stopCopyRate: o.stopCopyRate,
    energy: o.energy,
    alpha: o.alpha,
    beta: o.beta,
    channelBandwidth: o.channelBandwidth,
    noiseDensity: o.noiseDensity,
  };
}

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

/** The JSON shape of a single prediction. */
export function predictionJson(p: Prediction): Record<string, unknown> {
  return { ...p };
}

/**
 * Liu's refined model for one VM: replay its recorded migrations (eq. 11 realised rates, eq. 12 EWMA and the
 * self-tuning phi), then blend the fresh rate with that history (eq. 13). A curve is scaled alike.
 */
async function applyHistory(input: PredictInput, vmId: string, db: string | undefined, how: HistoryMode) {
  const { openStore, defaultDbLocation } = await import('../../../store/store.js');
  const { realisedRate } = await import('../../../evaluate/refined-eval.js');
  const { initialRefinedState, updateRefined, refinedRate } = await import('../../../calibrate/refined.js');
  const { initialResidualState, updateResidual } = await import('../../../calibrate/residual.js');
  const store = await openStore(db ?? defaultDbLocation());
  try {
    const records = await store.listMigrations({ vmId });
    if (records.length === 0) {
      const known = (await store.listVms()).map((v) => v.id);
      throw new InputError('--vm-id', vmId, `has no recorded migrations in ${store.location}${known.length ? ` (known: ${known.slice(0, 10).join(', ')})` : ''}`);
    }
    let state = initialRefinedState();
    let residual = initialResidualState();
    const rates: number[] = [];
    for (const r of records) {
      const past = r.predicted['deng-bitmap'] ?? r.predicted['deng-curve'] ?? r.predicted.plan ?? r.predicted.qemu;
      if (past) residual = updateResidual(residual, past, { totalTimeSec: r.measured.totalTimeSec, transferredBytes: r.measured.transferredBytes, downtimeSec: r.measured.downtimeSec, completed: r.measured.status === 'completed' });
      const real = r.measured.status === 'completed' ? realisedRate(r) : undefined;
      if (real !== undefined) state = updateRefined(state, r.sample.dirtyRateBytesPerSec, real);
      rates.push(r.sample.dirtyRateBytesPerSec);
      if (real !== undefined) rates.push(real);
    }
    const sampleRate = input.vm.dirtyRateBytesPerSec;
    const rate = how === 'error' ? sampleRate : refinedRate(state, sampleRate);
    const k = sampleRate > 0 ? rate / sampleRate : 1;
    input.vm.dirtyRateBytesPerSec = rate;
    if (input.vm.dirtyModel?.kind === 'curve') input.vm.dirtyModel = { kind: 'curve', points: input.vm.dirtyModel.points.map((q) => ({ windowSec: q.windowSec, dirtiedBytes: q.dirtiedBytes * k })) };
    return { migrations: records.length, mode: how, phi: state.phi, sampleRate, refinedRate: rate, residual: how === 'rate' ? undefined : residual, observedRates: [...rates, sampleRate] };
  } finally {
    await store.close();
  }
}

function residualFactors(s: ResidualState): Record<string, number> {
  return Object.fromEntries(RESIDUAL_FIGURES.map((f) => [f, residualFactor(s, f)]));
}

export const HISTORY_MODES = ['error', 'rate', 'both'] as const;
export type HistoryMode = (typeof HISTORY_MODES)[number];

/**
 * The model's past relative errors (measured / predicted - 1) over the store's completed migrations, for
 * the prediction each was recorded with (the QEMU curve model when present).
 */
async function pastErrors(db: string | undefined) {
  const { openStore, defaultDbLocation } = await import('../../../store/store.js');
  const store = await openStore(db ?? defaultDbLocation());
  try {
    const out = { totalTimeSec: [] as number[], transferredBytes: [] as number[], downtimeSec: [] as number[] };
    for (const r of await store.listMigrations()) {
      const p = r.predicted['deng-bitmap'] ?? r.predicted['deng-curve'] ?? r.predicted.qemu;
      if (r.measured.status !== 'completed' || !p?.converged) continue;
      for (const m of ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const) if (p[m] > 0) out[m].push(r.measured[m] / p[m] - 1);
    }
    return out;
  } finally {
    await store.close();
  }
}

/** Prediction fields from the store's latest fitted models (imported lazily: plain predictions need no database). */
async function fittedFields(db: string): Promise<RawPredictFields> {
  const { openStore } = await import('../../../store/store.js');
  const store = await openStore(db);
  try {
    const out: RawPredictFields = {};
    const energy = (await store.latestModel('wired-energy'))?.params as { alphaJoulesPerMiB?: number; betaJoules?: number } | undefined;
    if (energy?.alphaJoulesPerMiB !== undefined) Object.assign(out, { energy: 'wired', alpha: energy.alphaJoulesPerMiB, beta: energy.betaJoules });
    const platform = (await store.latestModel('qemu-platform'))?.params as Record<string, number> | undefined;
    if (platform) {
      if (platform.setupSec !== undefined) out.setupTime = platform.setupSec;
      if (platform.resumeSec !== undefined) out.resumeTime = platform.resumeSec;
      if (platform.lineRateBytesPerSec !== undefined) out.lineRate = platform.lineRateBytesPerSec;
      if (platform.stopCopyRateBytesPerSec !== undefined) out.stopCopyRate = platform.stopCopyRateBytesPerSec;
    }
    return out;
  } finally {
    await store.close();
  }
}

export function predictCommand(): Command {
  const cmd = new Command('predict').description('predict a live migration: total time, downtime, bytes, rounds, energy');
  addPredictFlags(cmd)
    .option('--vm <file>', 'VM description JSON (e.g. from `migcost sample --json`); flags override it')
    .option('--input <file>', 'batch: CSV with a header, or JSON Lines; - for stdin')
    .addOption(new Option('--format <format>', 'batch input format (default: sniffed)').choices(BATCH_FORMATS as unknown as string[]))
    .option('--output <file>', 'batch: write JSON lines here (atomically) instead of stdout')
    .option('--db <file|url>', "use the latest fitted models in this store (wired-energy, qemu-platform); flags still win")
    .option('--vm-id <id>', "use this VM's migration history in the store with the fresh sample")
    .addOption(new Option('--history <how>', "with --vm-id: correct the prediction by the VM's past errors (error), feed Liu's refined rate of eqs. 11-13 (rate), or both").choices(HISTORY_MODES as unknown as string[]).default('error'))
    .option('--interval', "add a 10th-90th percentile range: the spread of the VM's past rates (--vm-id) and the model's past errors in the store")
    .option('--json', 'print JSON')
    .option('--trace', 'add the per-round trace')
    .action(async (o: Flags) => {
      try {
        const flags = { ...(o.db !== undefined ? await fittedFields(String(o.db)) : {}), ...dropUndefined(fieldsFromFlags(o)) };
        if (o.input !== undefined) {
          const out = openBatchOutput(o.output as string | undefined);
          const progress = progressReporter('rows', o.output !== undefined);
          try {
            const summary = await runBatch(openBatchInput(o.input as string), out.stream, {
              format: o.format as BatchFormat | undefined,
              defaults: flags,
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
          const { sample, extra } = readVmFile(String(o.vm), flags);
          input = predictInputFromSample(sample, { ...extra, ...flags });
        } else input = predictInputFrom(flags);
        let history: Awaited<ReturnType<typeof applyHistory>> | undefined;
        if (o.vmId !== undefined) history = await applyHistory(input, String(o.vmId), o.db === undefined ? undefined : String(o.db), o.history as HistoryMode);
        input.trace = o.trace === true;
        let p = predict(input);
        if (history?.residual) {
          const { applyResidual } = await import('../../../calibrate/residual.js');
          const energy = input.energy ?? LIU_WIRED_ENERGY;
          p = applyResidual(history.residual, p, undefined, (b) => migrationEnergyJoules(energy, b, input.bandwidthBytesPerSec));
        }
        let interval: { lo: Record<string, number>; hi: Record<string, number>; mayNotConverge: boolean; basedOn: { rates: number; errors: number } } | undefined;
        if (o.interval) {
          const { predictInterval } = await import('../../../calibrate/interval.js');
          const errors = await pastErrors(o.db === undefined ? undefined : String(o.db));
          const iv = predictInterval({ ...input, trace: false }, { observedRates: history?.observedRates, relativeErrors: errors });
          interval = { lo: iv.lo, hi: iv.hi, mayNotConverge: iv.mayNotConverge, basedOn: { rates: history?.observedRates.length ?? 0, errors: errors.totalTimeSec.length } };
        }
        const json: Record<string, unknown> = { ...predictionJson(p) };
        if (history) json.history = { ...history, observedRates: undefined, residual: undefined, correction: history.residual ? residualFactors(history.residual) : undefined };
        if (interval) json.interval = interval;
        if (o.json) process.stdout.write(`${JSON.stringify(json)}\n`);
        else {
          process.stdout.write(`${predictionTable(p, input)}\n`);
          if (interval) process.stdout.write(`10th-90th percentile: total time ${formatSeconds(interval.lo.totalTimeSec)} - ${formatSeconds(interval.hi.totalTimeSec)}, sent ${formatBytes(interval.lo.transferredBytes)} - ${formatBytes(interval.hi.transferredBytes)}, downtime ${formatSeconds(interval.lo.downtimeSec)} - ${formatSeconds(interval.hi.downtimeSec)} (from ${interval.basedOn.rates} past rates and ${interval.basedOn.errors} past errors)${interval.mayNotConverge ? '; at the high end of its past rates it would not converge' : ''}\n`);
          if (history) {
            const c = history.residual ? residualFactors(history.residual) : undefined;
            process.stdout.write(`history: ${history.migrations} earlier migrations of ${o.vmId}; ${history.mode === 'error' ? '' : `dirty rate ${(history.sampleRate / 2 ** 20).toFixed(1)} MiB/s sampled -> ${(history.refinedRate / 2 ** 20).toFixed(1)} MiB/s refined (phi ${history.phi.toFixed(2)})`}${c ? `${history.mode === 'both' ? '; ' : ''}past errors correct time x${c.totalTimeSec.toFixed(3)}, bytes x${c.transferredBytes.toFixed(3)}, downtime x${c.downtimeSec.toFixed(3)}` : ''}\n`);
          }
          if (p.trace) process.stdout.write(`${traceTable(p.trace)}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });
  return cmd;
}
