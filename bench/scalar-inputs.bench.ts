/**
 * Issue 20, item 1: the lab's records reduced to what an operator has (memory, the sample's one-second rate,
 * bandwidth, downtime limit, technique) and predicted from that alone, 5-fold cross-validated by configuration,
 * next to the full-sample default model (deng-bitmap, platform constants fitted out of fold, as `lab report`) and
 * the textbook geometric model, on the same completed migrations; overall and by dirty rate over bandwidth. The
 * scalar prior's working-set factor k at 1, 2 (the default) and 4 shows how much that assumption matters.
 * Pure computation on lab/results; no migration runs.
 * Run: node --import tsx bench/scalar-inputs.bench.ts [records.jsonl,...]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readRecordsFile } from '../src/record/load.js';
import { loggedFromRecord, type LoggedMigration } from '../src/record/logged.js';
import { crossValidate } from '../src/evaluate/cross-validate.js';
import { TEXTBOOK_MODEL, analyticModel, crossValidateLog, fittedAnalyticModel, type LogPrediction } from '../src/evaluate/log-eval.js';
import { SCALAR_PRIOR, inputFromScalar } from '../src/model/from-scalar.js';
import { simulate } from '../src/model/precopy.js';
import type { LogModel } from '../src/evaluate/log-eval.js';
import { summarizeErrors } from '../src/calibrate/errors.js';

const dir = 'lab/results';
const files = process.argv[2]?.split(',') ?? readdirSync(dir).filter((f) => /^standard-pass\d+\.jsonl$/.test(f)).sort().map((f) => join(dir, f));
const records = files.flatMap((f) => readRecordsFile(f));
const completed = records.filter((r) => r.measured.status === 'completed');
const rows = completed.map((r) => loggedFromRecord(r));

// A diagnostic, not a scalar-only model: the default prior plus the zero-page share the lab's sample measured (a log
// does not have it). The lab's 256 MiB guests are mostly zero pages, which QEMU sends as flags.
const zeroOf = new Map(completed.map((r) => [r.id, r.sample.zeroPageFraction]));
const withZero: LogModel = {
  name: "scalar k=2 + the sample's zero share (diagnostic)",
  fit: () => (row) => {
    const input = inputFromScalar(row);
    const z = zeroOf.get(row.id);
    if (z !== undefined) input.vm.zeroPageFraction = z;
    const p = simulate(input);
    return { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
  },
};
const models = [
  fittedAnalyticModel(SCALAR_PRIOR, 'scalar, non-zero memory and k fitted in fold (default)'),
  fittedAnalyticModel(SCALAR_PRIOR, 'scalar, non-zero memory fitted in fold, k = 2 (prior)', { grid: [SCALAR_PRIOR.workingSetFactor] }),
  analyticModel(SCALAR_PRIOR, 'scalar, prior only: saturating k=2, no zero pages'),
  analyticModel({ ...SCALAR_PRIOR, workingSetFactor: 1 }, 'scalar, saturating k=1'),
  analyticModel({ ...SCALAR_PRIOR, workingSetFactor: 4 }, 'scalar, saturating k=4'),
  analyticModel({ kind: 'linear' }, 'scalar, linear (rate constant)'),
  TEXTBOOK_MODEL,
  withZero,
];
const scored = crossValidateLog(rows, models, 5);
// The full-sample default model on the same migrations, re-predicted as `lab report` does (all records, so the
// platform constants are fitted on the same folds; scored on the completed ones).
const full = new Map(crossValidate(records, 5).map((r) => [r.id, r.predicted['deng-bitmap']]));
for (const s of scored) {
  const p = full.get(s.row.id);
  if (p) s.predicted['full sample (deng-bitmap)'] = { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const regimes: [string, (r: LoggedMigration) => boolean][] = [
  ['all', () => true],
  ['rate < bw/2', (r) => r.dirtyRateBytesPerSec < r.bandwidthBytesPerSec / 2],
  ['bw/2 <= rate < bw', (r) => r.dirtyRateBytesPerSec >= r.bandwidthBytesPerSec / 2 && r.dirtyRateBytesPerSec < r.bandwidthBytesPerSec],
  ['rate >= bw', (r) => r.dirtyRateBytesPerSec >= r.bandwidthBytesPerSec],
];
console.log(`# ${completed.length} completed lab migrations of ${records.length} (${files.length} files), ${new Set(rows.map((r) => JSON.stringify([r.memoryBytes, r.dirtyRateBytesPerSec, r.bandwidthBytesPerSec, r.downtimeLimitSec, r.technique, r.workload]))).size} scalar configurations, 5-fold CV by configuration`);
console.log('| model | rows | n | time: median / p90 APE | bytes: median / p90 APE | downtime: median abs |');
console.log('|---|---|---|---|---|---|');
for (const name of [...models.map((m) => m.name), 'full sample (deng-bitmap)']) {
  for (const [label, keep] of regimes) {
    const group = scored.filter((s) => keep(s.row) && s.predicted[name]);
    const pairs = (pick: (p: LogPrediction) => number) => group.map((s) => ({ predicted: pick(s.predicted[name]), measured: pick(s.row) }));
    const t = summarizeErrors(pairs((p) => p.totalTimeSec));
    const b = summarizeErrors(pairs((p) => p.transferredBytes));
    const d = summarizeErrors(pairs((p) => p.downtimeSec));
    console.log(`| ${name} | ${label} | ${group.length} | ${pct(t.median)} / ${pct(t.p90)} | ${pct(b.median)} / ${pct(b.p90)} | ${(d.medianAbs * 1000).toFixed(0)} ms |`);
  }
}
