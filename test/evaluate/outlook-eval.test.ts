/** Scoring the convergence outlook against measured migrations: worked examples. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateOutlook, outlookFor, scoreOutlookCases, type OutlookCase } from '../../src/evaluate/outlook-eval.js';
import { buildLabReport, verdictOracle } from '../../src/evaluate/report.js';
import { crossValidate } from '../../src/evaluate/cross-validate.js';
import { inputFromSample } from '../../src/model/from-sample.js';
import { predictWithOutlook } from '../../src/model/outlook.js';
import { simulate } from '../../src/model/precopy.js';
import type { MigrationConfig, MigrationRecord } from '../../src/record/record.js';
import type { VmSample } from '../../src/model/sample.js';
import { assertClose, MiB } from '../helpers.js';

const kase = (converged: boolean, measured: number, det: boolean, total: number, p: number, p10: number, p50: number, p90: number, workload = 'w'): OutlookCase => ({
  workload,
  converged,
  measuredTotalTimeSec: measured,
  prediction: { convergenceProbability: p, timeP10Sec: p10, timeP50Sec: p50, timeP90Sec: p90 },
  deterministic: { converged: det, totalTimeSec: total },
});

test('verdicts, Brier score, errors of the point and of p50, coverage and width of [p10, p90]', () => {
  const row = scoreOutlookCases('w', [
    kase(true, 10, true, 10.5, 0.9, 9, 10.2, 11), // both verdicts right; inside
    kase(true, 20, false, 60, 0.6, 15, 18, 19), // deterministic wrong, probability right; 20 > p90: outside
    kase(false, 60, true, 30, 0.3, 30, 60, 60), // deterministic wrong, probability right
    kase(false, 60, false, 60, 0, 60, 60, 60), // both right
    kase(true, 30, true, 27, 0.4, 25, 60, 60), // deterministic right, probability wrong; inside
  ]);
  assert.equal(row.runs, 5);
  assert.equal(row.completed, 3);
  assert.equal(row.notConverged, 2);
  assert.equal(row.deterministicRight, 3);
  assert.equal(row.probabilityRight, 4);
  // (0.1^2 + 0.4^2 + 0.3^2 + 0 + 0.6^2) / 5 = 0.62 / 5
  assertClose(row.brier!, 0.124, 1e-12);
  // the point on completed runs it says converge: |10.5 - 10| / 10 = 0.05, |27 - 30| / 30 = 0.1
  assert.equal(row.deterministicError.n, 2);
  assertClose(row.deterministicError.median, 0.075, 1e-12);
  assertClose(row.deterministicError.p90, 0.095, 1e-12);
  // p50 on completed runs with p >= 0.5: |10.2 - 10| / 10 = 0.02, |18 - 20| / 20 = 0.1
  assert.equal(row.p50Error.n, 2);
  assertClose(row.p50Error.median, 0.06, 1e-12);
  // [p10, p90] on the three completed runs: the first and the last inside
  assert.deepEqual({ n: row.interval.n, covered: row.interval.covered }, { n: 3, covered: 2 });
  assertClose(row.interval.coverage!, 2 / 3, 1e-12);
  // widths / p50: 2 / 10.2, 4 / 18, 35 / 60: the median is 4 / 18
  assertClose(row.interval.medianWidth!, 4 / 18, 1e-12);
});

test('an interval holds its ends; p = 0.5 is a converging verdict; no runs give no figures', () => {
  const row = scoreOutlookCases('w', [kase(true, 10, true, 10, 0.5, 10, 10, 10), kase(true, 12, true, 10, 0.5, 10, 10, 12)]);
  assert.equal(row.interval.covered, 2);
  assert.equal(row.probabilityRight, 2);
  assertClose(row.brier!, 0.25, 1e-12);
  const none = scoreOutlookCases('w', []);
  assert.equal(none.brier, undefined);
  assert.equal(none.interval.coverage, undefined);
  assert.equal(none.interval.medianWidth, undefined);
  assert.equal(none.deterministicError.n, 0);
});

// A guest dirtying 120 MiB/s over a 1 GiB RAM; its longer look (when it has one) sees two verify phases in 10 s.
const sample: VmSample = {
  memoryBytes: 1024 * MiB,
  pageSizeBytes: 4096,
  dirtyRateBytesPerSec: 120 * MiB,
  curve: [{ windowSec: 0.1, dirtiedBytes: 12 * MiB }, { windowSec: 1, dirtiedBytes: 100 * MiB }, { windowSec: 4, dirtiedBytes: 120 * MiB }],
  sampledAt: '2026-01-01T00:00:00Z',
};
const phased: VmSample = { ...sample, phases: { windowSec: 0.5, spanSec: 10, rates: [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1].map((x) => x * 120 * MiB) } };
const slow: MigrationConfig = { memoryBytes: 1024 * MiB, workload: 'memtester', params: {}, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.1, autoConverge: false, timeoutSec: 60 };
const fast: MigrationConfig = { ...slow, workload: 'dirtier', bandwidthBytesPerSec: 400 * MiB, downtimeLimitSec: 0.3 };

function rec(id: string, s: VmSample, config: MigrationConfig, status: 'completed' | 'cancelled' | 'failed', totalTimeSec: number): MigrationRecord {
  return {
    id, startedAt: '2026-01-01T00:00:00Z', config, accelerator: 'tcg', qemuVersion: '10.0.2', sample: s, predicted: {}, trace: [],
    measured: { status, totalTimeSec, downtimeSec: 0.05, transferredBytes: 1024 * MiB, rounds: 3, converged: status === 'completed', setupSec: 0.01 },
  };
}

test('each record through inputFromSample and predictWithOutlook; failed runs left out; phases counted', () => {
  const on = (s: VmSample, c: MigrationConfig) => predictWithOutlook(inputFromSample(s, c, {}));
  const t = simulate(inputFromSample(sample, fast, {})).totalTimeSec;
  const ph = on(phased, slow);
  // the phased guest: never by the deterministic run, almost surely by the outlook (its point converges, at p50), p10-p90 about 12.8-18.8 s
  assert.equal(simulate(inputFromSample(phased, slow, {})).converged, false);
  assert.equal(ph.converged, true);
  assert.equal(ph.totalTimeSec, ph.timeP50Sec);
  assert.ok(ph.convergenceProbability > 0.99 && ph.timeP10Sec < 14 && ph.timeP90Sec > 14, JSON.stringify(ph));
  // the plain guest on the slow link: never at the sampled rate nor at the faster one of the rate spread; at the
  // slower one (weight 1/6) it converges
  const pe = on(sample, slow).convergenceProbability;
  assertClose(pe, 1 / 6, 1e-9);
  const records = [
    rec('a', phased, slow, 'completed', 14),
    rec('b', sample, fast, 'completed', t * 1.1),
    rec('c', sample, fast, 'completed', t),
    rec('d', sample, fast, 'failed', 1),
    rec('e', sample, slow, 'cancelled', 60),
  ];
  assert.deepEqual(outlookFor(records[0], {}), ph);
  const ev = evaluateOutlook(records, { platform: {} });
  assert.equal(ev.failed, 1);
  assert.deepEqual(ev.phases, { records: 1, quiet: 1, verdictsChanged: 1 });
  const all = ev.rows[0];
  assert.deepEqual(ev.rows.map((r) => r.workload), ['all', 'dirtier-seq', 'memtester']);
  assert.deepEqual([all.runs, all.completed, all.notConverged, all.deterministicRight, all.probabilityRight], [4, 3, 1, 3, 4]);
  // the fast guest converges for sure at t: errors 0.1 / 1.1 and 0; its zero-width interval holds only the exact run
  assert.equal(all.deterministicError.n, 2);
  assertClose(all.deterministicError.median, 0.05 / 1.1, 1e-9);
  assert.equal(all.p50Error.n, 3);
  assert.deepEqual({ n: all.interval.n, covered: all.interval.covered }, { n: 3, covered: 2 });
  // Brier: (1 - p_a)^2 + 0 + 0 + p_e^2 over 4
  assertClose(all.brier!, ((1 - ph.convergenceProbability) ** 2 + pe ** 2) / 4, 1e-9);
  // the repeat oracle of the two fast runs: t <- 1.1 t, 1.1 t <- t
  assert.equal(ev.repeatOracle.n, 2);
  assertClose(ev.repeatOracle.median, (0.1 + 0.1 / 1.1) / 2, 1e-9);
  // the verdict oracle: b and c repeat each other (both completed: 2 right); a and e share a configuration and
  // ended differently (each predicted by the other: wrong); d failed
  assert.deepEqual(ev.verdictOracle, { runs: 4, right: 2 });
});

test('the verdict oracle: each repeated run by the majority of its configuration\'s other runs, a tie half', () => {
  const runs = (statuses: ('completed' | 'cancelled' | 'failed')[], c: MigrationConfig) => statuses.map((st, i) => rec(`${c.workload}${c.bandwidthBytesPerSec}${i}`, sample, c, st, 10));
  // three runs, two completed: each completed one's others tie (1/2 each), the cancelled one's others say completed (0)
  assert.deepEqual(verdictOracle(runs(['completed', 'completed', 'cancelled'], slow)), { runs: 3, right: 1 });
  // four runs, three cancelled: the cancelled are right by their others' majority (3), the completed one is not (0)
  assert.deepEqual(verdictOracle(runs(['cancelled', 'completed', 'cancelled', 'cancelled'], slow)), { runs: 4, right: 3 });
  // a failed run is no verdict, a configuration run once is no repeat; another machine is another configuration
  const other = runs(['completed', 'completed'], fast).map((r, i) => (i === 1 ? { ...r, host: { cpu: 'elsewhere', cpus: 2 } } : r));
  assert.deepEqual(verdictOracle([...runs(['completed', 'failed'], slow), ...other]), { runs: 0, right: 0 });
});

test('without given constants, the deterministic verdicts are the plain report\'s (constants fitted out of fold)', () => {
  const records = [rec('a', phased, slow, 'completed', 14), rec('b', sample, fast, 'completed', 3), rec('c', sample, slow, 'cancelled', 60), rec('d', sample, fast, 'completed', 2.5)];
  const ev = evaluateOutlook(records, { folds: 2 });
  const plain = buildLabReport(crossValidate(records, 2), ['deng-bitmap']).rows.find((r) => r.workload === 'all')!;
  assert.equal(ev.rows[0].deterministicRight, plain.convergenceRight);
  assert.deepEqual(ev.rows[0].deterministicError, plain.errors.totalTimeSec);
});
