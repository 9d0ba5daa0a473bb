/**
 * How wide the model-error prior must be for the outlook's [p10, p90] to cover 80 % of the runs: the coverage of
 * each given pass's completed runs when the prior's quantiles (model/model-error.ts MODEL_ERROR_PRIOR, fitted on
 * standard passes 1-11) are scaled by 1, 1.5, 2 and 2.5, with one set of platform constants for every record (as
 * `lab report --outlook --platform`), and how many fall below p10 / above p90. A measurement for issue 18, not a
 * rule: scaling the prior by a factor read off one pass would tune it to that pass.
 *
 * Run: node --import tsx bench/outlook-prior-width.bench.ts PLATFORM.json RESULTS.jsonl [RESULTS.jsonl ...]
 *   (PLATFORM.json: `migcost lab calibrate --results <standard passes 6-13> --host "AMD EPYC x2" --out P.json`)
 */
import { readRecordsFile } from '../src/record/load.js';
import { readPlatformFile } from '../src/lab/platform-file.js';
import { outlookFor } from '../src/evaluate/outlook-eval.js';
import { MODEL_ERROR_PRIOR, type ModelError } from '../src/model/model-error.js';

const [platformFile, ...files] = process.argv.slice(2);
if (!platformFile || files.length === 0) {
  console.error('usage: node --import tsx bench/outlook-prior-width.bench.ts PLATFORM.json RESULTS.jsonl [...]');
  process.exit(2);
}
const platform = readPlatformFile(platformFile);
const scaled = (k: number): ModelError => ({ logTime: MODEL_ERROR_PRIOR.logTime.map((x) => x * k), logBytes: MODEL_ERROR_PRIOR.logBytes.map((x) => x * k), source: `prior x${k}` });
console.log('| results | prior x | completed | inside [p10, p90] | below p10 | above p90 |');
console.log('|---|---|---|---|---|---|');
for (const f of files) {
  const records = readRecordsFile(f).filter((r) => r.measured.status === 'completed');
  for (const k of [1, 1.5, 2, 2.5]) {
    let below = 0;
    let above = 0;
    for (const r of records) {
      const o = outlookFor(r, platform, { modelError: scaled(k) });
      if (r.measured.totalTimeSec < o.timeP10Sec) below++;
      else if (r.measured.totalTimeSec > o.timeP90Sec) above++;
    }
    const inside = records.length - below - above;
    console.log(`| ${f} | ${k} | ${records.length} | ${((100 * inside) / records.length).toFixed(1)} % | ${below} | ${above} |`);
  }
}
