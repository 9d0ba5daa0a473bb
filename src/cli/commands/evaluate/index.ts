/**
 * `migcost evaluate`: how good migcost is on an operator's own fleet, before trusting it. k-fold cross-validation
 * on a migration log (the columns `history import` reads), folds by configuration; errors overall, per technique
 * and per workload, as a table, `--json`, and a predicted-against-measured SVG.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { readLoggedMigrations } from '../../../record/log-file.js';
import { formatRowError, type LoggedMigration, type RowError } from '../../../record/logged.js';
import { ANALYTIC_MODEL, evaluateLog } from '../../../evaluate/log-eval.js';
import { renderSvg } from '../../../plot/svg.js';
import { InputError } from '../../../units.js';
import { numberArg, parsedOption } from '../../options.js';
import { logPredictedVsMeasuredSpec, renderLogEvaluation } from '../../render/evaluate.js';
import { exitWithError } from '../../errors.js';

export interface EvaluateFlags {
  input: string;
  folds: number;
  json?: true;
  svg?: string;
}

/** Every row of the log, or an InputError naming the bad rows (line, column, rule). */
async function readLog(path: string): Promise<LoggedMigration[]> {
  const rows: LoggedMigration[] = [];
  const errors: RowError[] = [];
  let bad = 0;
  for await (const r of readLoggedMigrations(path)) {
    if ('row' in r) rows.push(r.row);
    else {
      bad++;
      if (errors.length < 20) errors.push(...r.errors.slice(0, 20 - errors.length));
    }
  }
  if (bad > 0) throw new InputError('--input', path, `has ${bad} bad row${bad === 1 ? '' : 's'}:\n${errors.map((e) => `  ${formatRowError(e)}`).join('\n')}${errors.length < bad ? '\n  ...' : ''}`);
  return rows;
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description("cross-validate the model on a log of your migrations (the columns of `history import`): errors overall, per technique, per workload")
    .requiredOption('--input <file>', 'the log, CSV with a header or JSON Lines (see docs/history.md)')
    .addOption(parsedOption('--folds <k>', 'folds of the cross-validation (by configuration)', numberArg('--folds', { min: 2, max: 100, integer: true }), '5'))
    .option('--json', 'print the evaluation as JSON')
    .option('--svg <file>', 'write predicted against measured (time and bytes, out of fold) as SVG')
    .action(async (o: EvaluateFlags) => {
      try {
        const rows = await readLog(o.input);
        if (rows.length === 0) throw new InputError('--input', o.input, 'holds no migrations');
        const { evaluation, scored } = evaluateLog(rows, [ANALYTIC_MODEL], o.folds);
        if (o.json) process.stdout.write(`${JSON.stringify(evaluation)}\n`);
        else process.stdout.write(`${renderLogEvaluation(evaluation, o.input)}\n`);
        if (o.svg) writeFileSync(o.svg, await renderSvg(logPredictedVsMeasuredSpec(scored, ANALYTIC_MODEL.name)));
      } catch (e) {
        exitWithError(e);
      }
    });
}
