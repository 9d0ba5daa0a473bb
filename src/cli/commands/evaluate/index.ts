/**
 * `migcost evaluate`: how good migcost is on an operator's own fleet, before trusting it. k-fold cross-validation
 * on a migration log (the columns `history import` reads), folds by configuration; errors overall, per technique
 * and per workload, as a table, `--json`, and a predicted-against-measured SVG.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { readLoggedMigrations } from '../../../record/log-file.js';
import { formatRowError, type LoggedMigration, type RowError } from '../../../record/logged.js';
import { TEXTBOOK_MODEL, evaluateLog, fittedAnalyticModel, learnedModel } from '../../../evaluate/log-eval.js';
import { SCALAR_PRIOR } from '../../../model/from-scalar.js';
import { K_GRID } from '../../../calibrate/scalar-fit.js';
import { renderSvg } from '../../../plot/svg.js';
import { InputError } from '../../../units.js';
import { numberArg, parsedOption, rateWindowArg } from '../../options.js';
import { logPredictedVsMeasuredSpec, renderLogEvaluation } from '../../render/evaluate.js';
import { exitWithError } from '../../errors.js';

export interface EvaluateFlags {
  input: string;
  folds: number;
  rateWindow: number;
  json?: true;
  learned?: true;
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
    .addOption(parsedOption('--rate-window <duration>', "the window the log's dirty rates were measured over (distinct pages dirtied in it)", rateWindowArg, '1s'))
    .option('--learned', "add the learned correction (what `calibrate --learn` fits), trained on the other folds and scored on each held-out one")
    .option('--json', 'print the evaluation as JSON')
    .option('--svg <file>', 'write predicted against measured (time and bytes, out of fold) as SVG')
    .action(async (o: EvaluateFlags) => {
      try {
        const rows = await readLog(o.input);
        if (rows.length === 0) throw new InputError('--input', o.input, 'holds no migrations');
        const prior = { ...SCALAR_PRIOR, rateWindowSec: o.rateWindow };
        const analytic = fittedAnalyticModel(prior);
        let result: ReturnType<typeof evaluateLog>;
        try {
          result = evaluateLog(rows, o.learned ? [analytic, learnedModel(prior), TEXTBOOK_MODEL] : [analytic, TEXTBOOK_MODEL], o.folds);
        } catch (e) {
          // A training fold too small to learn from.
          if (o.learned && e instanceof RangeError) throw new InputError('--learned', o.input, `cannot be cross-validated: ${e.message} in every training fold`);
          throw e;
        }
        const { evaluation, scored } = result;
        // Which assumption the analytic figures rest on, said with them.
        const assumption = `analytic: each dirtyRate read as the distinct pages dirtied in ${o.rateWindow} s, growing beyond toward a working set k times that (at most memory); k (grid ${K_GRID.join(', ')}; prior ${prior.workingSetFactor}) and each row's non-zero memory (its VM's past migrations, else its workload's, else the whole log's; zeroPages when given) fitted on the training folds only (docs/history.md)`;
        if (o.json) process.stdout.write(`${JSON.stringify({ ...evaluation, prior, assumption })}\n`);
        else process.stdout.write(`${renderLogEvaluation(evaluation, o.input)}\n\n${assumption}.\n`);
        if (o.svg) writeFileSync(o.svg, await renderSvg(logPredictedVsMeasuredSpec(scored, analytic.name)));
      } catch (e) {
        exitWithError(e);
      }
    });
}
