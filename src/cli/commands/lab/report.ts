/** `migcost lab report`: every model variant against the measured migrations. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { buildLabReport, METRICS } from '../../../evaluate/report.js';
import { outOfFoldPlatforms, recordsToScore } from '../../../evaluate/cross-validate.js';
import { techniqueReport } from '../../../evaluate/technique-report.js';
import { techniqueDecisionReport } from '../../../evaluate/technique-regret.js';
import { renderTechniqueDecisions, renderTechniqueRows } from '../../render/technique-report.js';
import { evaluateIntervals, type IntervalEval } from '../../../evaluate/interval-eval.js';
import { loadPlatform } from '../../../lab/platform-file.js';
import { labDir } from '../../../lab/lab-dir.js';
import { loadRecords } from '../../../record/load.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError } from '../../../units.js';
import { listArg, numberArg, parsedOption } from '../../options.js';
import { renderLabReport } from '../../render/lab-report.js';
import { predictedVsMeasuredSpec } from '../../render/plot-specs.js';
import { replayInFlight, scoreInFlight, type InFlightScore } from '../../../evaluate/in-flight-eval.js';
import { exitWithError } from '../../errors.js';
import { evaluateOutlook, outlookFor } from '../../../evaluate/outlook-eval.js';
import { renderOutlookReport } from '../../render/outlook-report.js';

export interface LabReportFlags {
  db: string;
  outlook?: true;
  results?: string[];
  variant?: string[];
  overall?: true;
  svg?: string;
  asRecorded?: true;
  folds: number;
  platform?: string;
  refined?: true;
  intervals?: true;
  inFlight?: true;
  techniques?: true;
  downtimeWeight: number;
  replay?: 'sample' | 'qemu';
  json?: true;
}

function renderInFlight(s: InFlightScore): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} %` : 'never (said: no convergence)');
  let out = `watch's re-predictions on ${s.completed} completed migrations (error of the predicted total time at a share of the real one):\n`;
  for (const a of s.at) out += `  at ${a.fraction * 100} %: median ${pct(a.medianPct)}, p90 ${pct(a.p90Pct)} (${a.n} runs with a prediction by then)\n`;
  out += `  false alarms (said it would not end in time, and it did): ${s.falseAlarms} of ${s.completed}\n`;
  out += `runs that did not complete: ${s.timedOut}; warned before the end: ${s.warned}${s.warningLeadSec.length ? ` (lead ${s.warningLeadSec.map((x) => `${x.toFixed(1)} s`).join(', ')})` : ''}\n`;
  return out;
}

function renderIntervals(ev: IntervalEval): string {
  const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)} %`);
  let s = `10th-90th percentile intervals on ${ev.n} completed migrations (nominal coverage 80 %):\n`;
  for (const m of ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const) s += `  ${m}: coverage ${pct(ev.coverage[m])}, median width ${pct(ev.medianWidth[m])} of the point\n`;
  return s;
}

export function labReportCommand(): Command {
  return new Command('report')
    .description('every model variant against the measured migrations: median and p90 error, per workload')
    .option('--db <file|url>', 'history store to read', defaultDbLocation())
    .addOption(parsedOption('--results <files>', 'read JSON Lines files of records (comma-separated) instead of the store', listArg))
    .addOption(parsedOption('--variant <names>', 'comma-separated variants (default: all)', listArg))
    .option('--overall', 'one row per variant, no per-workload rows')
    .option('--svg <file>', 'write a predicted-against-measured plot (deng-bitmap, or the first --variant)')
    .option('--outlook', "the convergence outlook of the default model: verdicts by the deterministic prediction and by the probability (p >= 0.5), Brier score, total time error of the point and of p50, coverage of [p10, p90]")
    .option('--as-recorded', 'use the predictions made before each migration, not re-predictions out of fold')
    .addOption(parsedOption('--folds <k>', 'cross-validation folds for the platform constants', numberArg('--folds', { min: 1, integer: true }), '5'))
    .option('--platform <file>', 'score with these platform constants (a `lab calibrate` file, e.g. fitted on another pass or machine) instead of fitting them out of fold')
    .option('--refined', "history against none: migrations with earlier ones of the same VM, predicted from the fresh sample (base:) and from Liu's refined rate (refined:)")
    .option('--intervals', 'coverage of 10th-90th percentile prediction intervals built from what was known before each run')
    .option('--in-flight', "how early and how right `watch` is: its re-predictions recorded during libvirt-driven runs, at 25/50/75 % of each")
    .option('--techniques', "per technique: time/bytes/downtime/post-copy phase errors against the repeat oracle; and for decision groups (lab matrix --preset techniques-groups) advise's pick against the best technique in hindsight (regret)")
    .addOption(parsedOption('--downtime-weight <x>', "--techniques: advise's cost of a second of downtime or post-copy stall, in seconds of migration", numberArg('--downtime-weight', { min: 0 }), '100'))
    .addOption(new Option('--replay <dirt>', "with --in-flight: re-predict every recorded poll from its recorded inputs with the current model, with the record's sample's curve or QEMU's rate alone (records that kept no inputs are left out)").choices(['sample', 'qemu']))
    .option('--json', 'print the report as JSON')
    .action(async (o: LabReportFlags) => {
      try {
        const raw = await loadRecords({ files: o.results, db: o.db });
        if (o.platform !== undefined && (o.intervals || o.refined || o.asRecorded)) throw new InputError('--platform', o.platform, 'applies to the plain report, not with --intervals, --refined or --as-recorded');
        if (o.outlook) {
          if (o.intervals || o.refined || o.asRecorded || o.inFlight) throw new InputError('--outlook', undefined, 'scores the default model from each sample; not with --intervals, --refined, --as-recorded or --in-flight');
          const platform = o.platform !== undefined ? loadPlatform(o.platform, labDir()) : undefined;
          const ev = evaluateOutlook(raw, { platform, folds: o.folds });
          process.stdout.write(o.json ? `${JSON.stringify(ev)}\n` : renderOutlookReport(ev));
          return;
        }
        if (o.replay !== undefined && !o.inFlight) throw new InputError('--replay', o.replay, 'goes with --in-flight');
        if (o.inFlight) {
          const replayed = o.replay !== undefined ? raw.flatMap((r) => { const inFlight = replayInFlight(r, o.replay!); return inFlight ? [{ ...r, inFlight }] : []; }) : raw;
          if (o.replay !== undefined && replayed.length === 0) throw new InputError('--replay', o.replay, "finds no record that kept watch's inputs (libvirt-driven lab runs keep them since the libvirt preset)");
          const sc = scoreInFlight(replayed);
          if (sc.completed + sc.timedOut === 0) throw new InputError('--in-flight', o.results?.join(',') ?? o.db, 'no record carries watch\'s re-predictions (libvirt-driven lab runs record them: lab matrix --driver libvirt)');
          process.stdout.write(o.json ? `${JSON.stringify(sc)}\n` : renderInFlight(sc));
          return;
        }
        if (o.intervals) {
          const ev = evaluateIntervals(raw);
          process.stdout.write(o.json ? `${JSON.stringify(ev)}\n` : renderIntervals(ev));
          return;
        }
        const platform = o.platform !== undefined ? loadPlatform(o.platform, labDir()) : undefined;
        if (o.techniques) {
          if (o.refined) throw new InputError('--refined', 'true', 'does not combine with --techniques');
          const variant = o.variant?.[0] ?? 'deng-bitmap';
          const scored = recordsToScore(raw, { folds: o.folds, asRecorded: o.asRecorded, platform });
          // advise and the outlook predict each record with the constants it is scored with: given, the lab's, or out of fold.
          const lab = o.asRecorded ? loadPlatform(undefined, labDir()) : undefined;
          const platformOf = platform ? () => platform : lab ? () => lab : outOfFoldPlatforms(raw, o.folds);
          const rows = techniqueReport(scored, variant, (r) => outlookFor(r, platformOf(r)).convergenceProbability);
          const decisions = techniqueDecisionReport(raw, { platformOf, downtimeWeight: o.downtimeWeight });
          process.stdout.write(o.json ? `${JSON.stringify({ variant, techniques: rows, decisions })}\n` : `${renderTechniqueRows(rows, variant)}\n\n${renderTechniqueDecisions(decisions)}\n`);
          return;
        }
        const records = recordsToScore(raw, { folds: o.folds, variants: o.variant, refined: o.refined, asRecorded: o.asRecorded, platform });
        const rep = buildLabReport(records, o.refined ? undefined : o.variant);
        if (o.json) process.stdout.write(`${JSON.stringify(rep)}\n`);
        else process.stdout.write(`${renderLabReport(rep, { overallOnly: o.overall === true })}\n`);
        if (o.svg) {
          const { renderSvg } = await import('../../../plot/svg.js');
          writeFileSync(o.svg, await renderSvg(predictedVsMeasuredSpec(records, o.variant?.[0] ?? 'deng-bitmap', METRICS)));
          process.stderr.write(`plot written to ${o.svg}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });
}
