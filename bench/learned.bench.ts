/**
 * Issue 20, item 3: the learned correction (src/calibrate/learned.ts) on the lab's records, 5-fold cross-validated
 * by configuration. (1) On the records reduced to scalar inputs (as bench/scalar-inputs.bench.ts): learned vs the
 * scalar analytic model (non-zero memory and k fitted on the training folds; and on the prior alone) vs the
 * textbook model. (2) On full samples: the default model (deng-bitmap, platform
 * constants fitted out of fold as `lab report` does) with and without a learned correction of its own error.
 * Pure computation on lab/results; no migration runs.
 * Run: node --import tsx bench/learned.bench.ts [records.jsonl,...]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRecordsFile } from '../src/record/load.js';
import { loggedFromRecord, type LoggedMigration } from '../src/record/logged.js';
import { crossValidate } from '../src/evaluate/cross-validate.js';
import { ANALYTIC_MODEL, PRIOR_MODEL, TEXTBOOK_MODEL, crossValidateLog, foldsByConfiguration, learnedModel, type LogPrediction } from '../src/evaluate/log-eval.js';
import { fitLearned, learnedPredictor, type Figures } from '../src/calibrate/learned.js';
import { summarizeErrors } from '../src/calibrate/errors.js';

const dir = 'lab/results';
const files = process.argv[2]?.split(',') ?? readdirSync(dir).filter((f) => /^standard-pass\d+\.jsonl$/.test(f)).sort().map((f) => join(dir, f));
const records = files.flatMap((f) => readRecordsFile(f));
const completed = records.filter((r) => r.measured.status === 'completed');
const rows = completed.map((r) => loggedFromRecord(r));
const K = 5;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
function line(name: string, group: { row: LoggedMigration; p: LogPrediction }[]): string {
  const pairs = (pick: (p: LogPrediction) => number) => group.map((s) => ({ predicted: pick(s.p), measured: pick(s.row) }));
  const t = summarizeErrors(pairs((p) => p.totalTimeSec));
  const b = summarizeErrors(pairs((p) => p.transferredBytes));
  const d = summarizeErrors(pairs((p) => p.downtimeSec));
  return `| ${name} | ${group.length} | ${pct(t.median)} / ${pct(t.p90)} | ${pct(b.median)} / ${pct(b.p90)} | ${(d.medianAbs * 1000).toFixed(0)} ms |`;
}
const head = '| model | n | time: median / p90 APE | bytes: median / p90 APE | downtime: median abs |\n|---|---|---|---|---|';

const learned = learnedModel();
const scored = crossValidateLog(rows, [ANALYTIC_MODEL, PRIOR_MODEL, learned, TEXTBOOK_MODEL], K);
console.log(`# scalar inputs: ${rows.length} completed lab migrations (${files.length} files), ${K}-fold CV by configuration`);
console.log(head);
for (const m of [learned.name, ANALYTIC_MODEL.name, PRIOR_MODEL.name, TEXTBOOK_MODEL.name]) console.log(line(m, scored.map((s) => ({ row: s.row, p: s.predicted[m] }))));

// Full samples: the default model's out-of-fold predictions, then a correction of its error learned on the other folds.
const full = new Map(crossValidate(records, K).map((r) => [r.id, r.predicted['deng-bitmap']]));
const withFull = rows.map((row) => ({ row, base: full.get(row.id) as Figures | undefined })).filter((x): x is { row: LoggedMigration; base: Figures } => x.base !== undefined);
const folds = foldsByConfiguration(withFull.map((x) => x.row), K);
const corrected: { row: LoggedMigration; p: LogPrediction }[] = [];
let notApplied = 0;
for (let f = 0; f < K; f++) {
  const train = withFull.filter((_, i) => folds[i] !== f).map((x) => ({ known: x.row, base: x.base, measured: x.row }));
  const predictor = learnedPredictor(fitLearned(train, 'full sample (deng-bitmap)'));
  withFull.forEach((x, i) => {
    if (folds[i] !== f) return;
    const r = predictor.apply(x.row, x.base);
    if (!r.applied) notApplied++;
    corrected.push({ row: x.row, p: r.applied ? r.figures : x.base });
  });
}
console.log(`\n# full samples: ${withFull.length} migrations, ${K}-fold CV by configuration (${notApplied} rows outside the trained range kept the analytic figure)`);
console.log(head);
console.log(line('full sample + learned', corrected));
console.log(line('full sample (deng-bitmap)', withFull.map((x) => ({ row: x.row, p: x.base }))));
