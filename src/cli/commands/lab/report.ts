/** `migcost lab report`: every model variant against the measured migrations. */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { buildLabReport, METRICS } from '../../../evaluate/report.js';
import { recordsToScore } from '../../../evaluate/cross-validate.js';
import { evaluateIntervals, type IntervalEval } from '../../../evaluate/interval-eval.js';
import { loadPlatform } from '../../../lab/platform-file.js';
import { labDir } from '../../../lab/lab-dir.js';
import { loadRecords } from '../../../record/load.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError } from '../../../units.js';
import { listArg, numberArg, parsedOption } from '../../options.js';
import { renderLabReport } from '../../render/lab-report.js';
import { predictedVsMeasuredSpec } from '../../render/plot-specs.js';
import { exitWithError } from '../../errors.js';

export interface LabReportFlags {
  db: string;
  results?: string[];
  variant?: string[];
  overall?: true;
  svg?: string;
  asRecorded?: true;
  folds: number;
  platform?: string;
  refined?: true;
  intervals?: true;
  json?: true;
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
    .option('--as-recorded', 'use the predictions made before each migration, not re-predictions out of fold')
    .addOption(parsedOption('--folds <k>', 'cross-validation folds for the platform constants', numberArg('--folds', { min: 1, integer: true }), '5'))
    .option('--platform <file>', 'score with these platform constants (a `lab calibrate` file, e.g. fitted on another pass or machine) instead of fitting them out of fold')
    .option('--refined', "history against none: migrations with earlier ones of the same VM, predicted from the fresh sample (base:) and from Liu's refined rate (refined:)")
    .option('--intervals', 'coverage of 10th-90th percentile prediction intervals built from what was known before each run')
    .option('--json', 'print the report as JSON')
    .action(async (o: LabReportFlags) => {
      try {
        const raw = await loadRecords({ files: o.results, db: o.db });
        if (o.platform !== undefined && (o.intervals || o.refined || o.asRecorded)) throw new InputError('--platform', o.platform, 'applies to the plain report, not with --intervals, --refined or --as-recorded');
        if (o.intervals) {
          const ev = evaluateIntervals(raw);
          process.stdout.write(o.json ? `${JSON.stringify(ev)}\n` : renderIntervals(ev));
          return;
        }
        const platform = o.platform !== undefined ? loadPlatform(o.platform, labDir()) : undefined;
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
