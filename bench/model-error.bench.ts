/**
 * The model's own error of total time and bytes, as the outlook's prior takes it (model/model-error.ts): over the
 * given passes' completed migrations that the default model (deng-bitmap from each sample, constants fitted out of
 * fold, 5 folds, as `lab report --outlook` without --platform) predicts to converge, the quantiles of
 * log(measured / predicted) at the prior's levels. Run (the prior's source: standard passes 1-11):
 *   node --import tsx bench/model-error.bench.ts lab/results/standard-pass{1,2,3,4,5,6,7,8,9,10,11}.jsonl
 */
import { readRecordsFile } from '../src/record/load.js';
import { outOfFoldPlatforms } from '../src/evaluate/cross-validate.js';
import { outlookFor } from '../src/evaluate/outlook-eval.js';
import { NO_MODEL_ERROR, MODEL_ERROR_LEVELS } from '../src/model/model-error.js';
import { quantile } from '../src/calibrate/errors.js';

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: model-error.bench.ts <results.jsonl>...');
const records = files.flatMap((f) => readRecordsFile(f));
const platformOf = outOfFoldPlatforms(records, 5);
const time: number[] = [];
const bytes: number[] = [];
for (const r of records) {
  if (r.measured.status !== 'completed') continue;
  const p = outlookFor(r, platformOf(r), { modelError: NO_MODEL_ERROR });
  if (!p.converged || !(p.totalTimeSec > 0) || !(p.transferredBytes > 0)) continue;
  time.push(Math.log(r.measured.totalTimeSec / p.totalTimeSec));
  bytes.push(Math.log(r.measured.transferredBytes / p.transferredBytes));
}
const q = (a: number[]) => MODEL_ERROR_LEVELS.map((l) => Number(quantile(a, l).toFixed(4)));
console.log(`records ${records.length}, scored (completed, predicted to converge) ${time.length}`);
console.log(`levels ${JSON.stringify(MODEL_ERROR_LEVELS)}`);
console.log(`log time error  ${JSON.stringify(q(time))}`);
console.log(`log bytes error ${JSON.stringify(q(bytes))}`);
