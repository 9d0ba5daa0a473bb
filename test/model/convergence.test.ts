import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convergenceOutlook, firstPassage, normalCdf } from '../../src/model/convergence.js';
import { predictWithOutlook } from '../../src/model/outlook.js';
import { DEFAULT_DIRT_DISPERSION, dirtDispersionFromSample } from '../../src/model/dispersion.js';
import { inputFromSample } from '../../src/model/from-sample.js';
import { simulate } from '../../src/model/precopy.js';
import type { PredictInput } from '../../src/model/types.js';
import { mulberry32 } from '../../src/stats/random.js';
import { MODEL_ERROR_LEVELS, MODEL_ERROR_PRIOR, NO_MODEL_ERROR, checkModelError, errorQuantile, mixedQuantiles } from '../../src/model/model-error.js';

const MiB = 2 ** 20;
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('normalCdf: 0.5 at 0, symmetric, the usual quantiles', () => {
  assert.equal(normalCdf(0), 0.5);
  close(normalCdf(1.2815515655), 0.9, 2e-7);
  close(normalCdf(-1.959963985), 0.025, 2e-7);
  close(normalCdf(0.7) + normalCdf(-0.7), 1, 1e-12);
  assert.equal(normalCdf(12), 1);
  assert.equal(normalCdf(-12), 0);
});

test('firstPassage, hand-computed: per-sync p = 0.5 gives P(converged by sync k) = 1 - 0.5^k', () => {
  // 10th and 50th percentiles at sync 1 (P = 0.5), the 90th at sync 4 (0.9375; sync 3 has 0.875).
  const four = firstPassage([0.5, 0.5, 0.5, 0.5]);
  close(four.probability, 1 - 0.5 ** 4);
  assert.deepEqual(four.at, [1, 1, 4]);
  // the same as one traced sync and nine copies of it
  const copies = firstPassage([0.5], 9);
  close(copies.probability, 1 - 0.5 ** 10);
  assert.deepEqual(copies.at, [1, 1, 4]);
  // three syncs only: the 90th percentile is not reached before the time-out
  assert.deepEqual(firstPassage([0.5], 2).at, [1, 1, undefined]);
  // survival is a product: 1 - (1 - 0.2)(1 - 0.5) = 0.6; the 10th percentile at sync 1, the 50th at sync 2
  const mixed = firstPassage([0.2, 0.5]);
  close(mixed.probability, 0.6);
  assert.deepEqual(mixed.at, [1, 2, undefined]);
  // a sync that cannot converge adds nothing and is no percentile
  assert.deepEqual(firstPassage([0, 0, 1]).at, [3, 3, 3]);
  assert.deepEqual(firstPassage([0, 0], 100), { probability: 0, at: [undefined, undefined, undefined] });
});

/**
 * A migration whose pending estimate lands exactly on the threshold at its second sync. 1 GiB at 160 MiB/s in
 * 125 ms windows (20 MiB each), a 64 MiB working set dirtied at 64 MiB/s, a 0.4 s limit: threshold 64 MiB.
 * Round 0 sends 960 MiB in 48 windows (6 s), leaving 64 MiB, and dirties the whole working set, 15/16 of it
 * already scanned: 60 MiB new, estimate 124 MiB (q = 0: 60 MiB above the threshold against a spread of
 * 0.05 / sqrt(6) x 64 MiB). Round 1 sends 3 windows (0.375 s), leaving 64 MiB = the working set, so its dirt is
 * all pending already: estimate 64 MiB = the threshold, q = 0.5. The deterministic run converges there:
 * 6.375 s + 64 MiB / 160 MiB/s (0.4 s: the final copy here runs at the cap too) + 20 ms resume = 6.795 s.
 * Later syncs are copies of it (0.375 s each).
 */
function knifeEdge(timeoutSec: number): PredictInput {
  return {
    vm: { memoryBytes: 2 ** 30, dirtyRateBytesPerSec: 64 * MiB, workingSetBytes: 64 * MiB, dirtDispersion: 0.05 },
    bandwidthBytesPerSec: 160 * MiB,
    policy: { name: 'qemu', downtimeLimitSec: 0.4, timeoutSec },
    platform: { syncSec: 0, rateWindowSec: 0.125, stopCopyRateBytesPerSec: 160 * MiB },
  };
}

test('worked example (c): pending estimate = threshold at the converging sync, p = 0.5 a sync', () => {
  const point = simulate(knifeEdge(600));
  assert.equal(point.converged, true);
  assert.equal(point.rounds, 2);
  close(point.totalTimeSec, 6.795);
  const o = convergenceOutlook(knifeEdge(600));
  // P(converged by sync 2 + m) = 1 - 0.5^(m + 1): p10 and p50 at sync 2, p90 three syncs later
  close(o.convergenceProbability, 1);
  close(o.timeP10Sec, 6.795);
  close(o.timeP50Sec, 6.795);
  close(o.timeP90Sec, 6.795 + 3 * 0.375);
  assert.equal(o.median.converged, true);
  assert.equal(o.median.rounds, 2);
  // A 7 s time-out leaves room for one more sync: p = 1 - 0.5^2; the 90th percentile is the time-out's cost
  // (7 s of pre-copy, the 0.4 s stop-and-copy and the resume).
  const short = convergenceOutlook(knifeEdge(7));
  close(short.convergenceProbability, 0.75);
  close(short.timeP50Sec, 6.795);
  close(short.timeP90Sec, 7 + 0.4 + 0.02);
});

const steady = (dirtyMiB: number): PredictInput => ({
  vm: { memoryBytes: 1024 * MiB, dirtyRateBytesPerSec: dirtyMiB * MiB, dirtDispersion: 0.05 },
  bandwidthBytesPerSec: 128 * MiB,
  policy: { name: 'qemu', downtimeLimitSec: 0.3, timeoutSec: 120 },
});

test('worked example (a): far below the threshold, p = 1 and every percentile is the deterministic time', () => {
  const input = steady(40);
  const point = simulate(input);
  assert.equal(point.converged, true);
  const o = convergenceOutlook(input);
  assert.equal(o.convergenceProbability, 1);
  assert.equal(o.timeP10Sec, point.totalTimeSec);
  assert.equal(o.timeP50Sec, point.totalTimeSec);
  assert.equal(o.timeP90Sec, point.totalTimeSec);
  assert.deepEqual(o.median, point);
});

test('worked example (b): far above the threshold, p = 0 and the percentiles are the time-out', () => {
  const input = steady(140);
  const point = simulate(input);
  assert.equal(point.converged, false);
  const o = convergenceOutlook(input);
  assert.equal(o.convergenceProbability, 0);
  assert.deepEqual([o.timeP10Sec, o.timeP50Sec, o.timeP90Sec], [point.totalTimeSec, point.totalTimeSec, point.totalTimeSec]);
  assert.deepEqual(o.median, point);
});

test('a pending set that hovers just over the threshold converges with its spread; none without', () => {
  // a 120 MiB working set at 120 MiB/s with a 100 ms limit: the deterministic run never converges
  const points = [{ windowSec: 0.1, dirtiedBytes: 12 * MiB }, { windowSec: 1, dirtiedBytes: 100 * MiB }, { windowSec: 4, dirtiedBytes: 120 * MiB }];
  const input = (disp: number, bw: number): PredictInput => ({
    vm: { memoryBytes: 1024 * MiB, dirtyRateBytesPerSec: 100 * MiB, dirtyModel: { kind: 'curve', points }, dirtDispersion: disp },
    bandwidthBytesPerSec: bw * MiB,
    policy: { name: 'qemu', downtimeLimitSec: 0.1, timeoutSec: 60 },
  });
  assert.equal(simulate(input(0.05, 120)).converged, false);
  const o = convergenceOutlook(input(0.05, 120));
  assert.ok(o.convergenceProbability > 0.99, `p ${o.convergenceProbability}`);
  assert.ok(o.timeP90Sec < 60, 'converges well before the time-out');
  assert.equal(convergenceOutlook(input(0, 120)).convergenceProbability, 0);
  // the rounds the simulator skips as steady count as copies of the last: the outlook of a traced run (which skips
  // none), up to the steady test's tolerance
  const traced = predictWithOutlook({ ...input(0.05, 110), trace: true });
  const plain = predictWithOutlook(input(0.05, 110));
  close(traced.convergenceProbability, plain.convergenceProbability, 1e-4);
  close(traced.timeP10Sec, plain.timeP10Sec, 1e-4);
  // at 110 MiB/s it may or may not: the median is the time-out's cost
  const mid = convergenceOutlook(input(0.05, 110));
  assert.ok(mid.convergenceProbability > 0.05 && mid.convergenceProbability < 0.5, `p ${mid.convergenceProbability}`);
  assert.ok(mid.timeP10Sec < mid.timeP50Sec);
  assert.equal(mid.median.converged, false);
});

test('xen and liu, and a dispersion of 0, are deterministic', () => {
  for (const input of [{ ...steady(60), policy: { name: 'liu' as const } }, { ...steady(60), vm: { ...steady(60).vm, dirtDispersion: 0 } }]) {
    const p = simulate(input);
    const o = convergenceOutlook(input);
    assert.equal(o.convergenceProbability, p.converged ? 1 : 0);
    assert.deepEqual([o.timeP10Sec, o.timeP50Sec, o.timeP90Sec], [p.totalTimeSec, p.totalTimeSec, p.totalTimeSec]);
  }
});

test('predictWithOutlook: the migration at the median, the verdict by the probability, the convergence fields beside', () => {
  const input = knifeEdge(7);
  const p = predictWithOutlook(input);
  // 0.75 by the syncs' spread, less the share the model's error carries past the time-out (worked example (c) below)
  close(p.convergenceProbability, 0.64);
  assert.ok(p.timeP10Sec <= p.timeP50Sec && p.timeP50Sec <= p.timeP90Sec);
  // p >= 0.5: converged, at the median's time; the scenario nearest it is the third sync (the deterministic run
  // converges at the second): one more 60 MiB round, the same 64 MiB stop-and-copy; the parts add up
  const plain = simulate(input);
  assert.equal(p.converged, true);
  assert.equal(p.totalTimeSec, p.timeP50Sec);
  assert.equal(p.rounds, 3);
  assert.equal(p.transferredBytes, plain.transferredBytes + 60 * MiB);
  assert.equal(p.stopCopyBytes, 64 * MiB);
  close(p.setupSec + p.precopySec + p.stopCopySec + p.resumeSec, p.totalTimeSec, 1e-12);
  // with a trace, the trace is the deterministic run's
  assert.equal(predictWithOutlook({ ...input, trace: true }).trace?.length, 3);
  // a time-out of 6.5 s: p = 0.33 < 0.5, so the migration runs to its time-out though the deterministic run
  // converges (at 6.795 s): 6.5 s of pre-copy and the forced switch-over's 0.42 s
  const late = predictWithOutlook(knifeEdge(6.5));
  assert.equal(simulate(knifeEdge(6.5)).converged, true);
  close(late.convergenceProbability, 0.33);
  assert.deepEqual([late.converged, late.reason, late.totalTimeSec, late.timeP50Sec, late.precopySec], [false, 'timeout', 6.92, 6.92, 6.5]);
});

test('properties: p in [0, 1], p10 <= p50 <= p90, p (nearly) monotone in bandwidth and downtime limit', () => {
  // Monotone up to 0.01: a higher bandwidth or limit can move a sync by a rate window in the deterministic
  // trajectory the probabilities are read along (3000 random cases: at most 0.002).
  const rnd = mulberry32(7);
  for (let i = 0; i < 200; i++) {
    const W = (16 + rnd() * 200) * MiB;
    const r01 = 0.05 + rnd() * 0.3;
    const points = [{ windowSec: 0.1, dirtiedBytes: W * r01 }, { windowSec: 1, dirtiedBytes: W * Math.min(1, r01 * 5) }, { windowSec: 4, dirtiedBytes: W }];
    const vm = { memoryBytes: (256 + Math.floor(rnd() * 8) * 256) * MiB, dirtyRateBytesPerSec: W, dirtyModel: { kind: 'curve' as const, points }, dirtDispersion: rnd() * 0.1 };
    const lim = 0.05 + rnd() * 0.5;
    const bw = (20 + rnd() * 200) * MiB;
    const at = (b: number, l: number) => convergenceOutlook({ vm, bandwidthBytesPerSec: b, policy: { name: 'qemu', downtimeLimitSec: l, timeoutSec: 60 } });
    const a = at(bw, lim);
    assert.ok(a.convergenceProbability >= 0 && a.convergenceProbability <= 1);
    assert.ok(a.timeP10Sec <= a.timeP50Sec && a.timeP50Sec <= a.timeP90Sec, `case ${i}`);
    assert.ok(at(bw * 1.1, lim).convergenceProbability >= a.convergenceProbability - 0.01, `bandwidth, case ${i}`);
    assert.ok(at(bw, lim * 1.1).convergenceProbability >= a.convergenceProbability - 0.01, `limit, case ${i}`);
  }
});

test('dirtDispersionFromSample: robust CV of equal-length bitmap rounds, scaled to a 1 s round', () => {
  const curve = [{ windowSec: 1, dirtiedBytes: 100 }];
  const at1 = dirtDispersionFromSample({ curve, bitmapCurve: [90, 100, 110].map((d) => ({ windowSec: 1, dirtiedBytes: d })) });
  assert.equal(at1.source, 'bitmap');
  assert.equal(at1.rounds, 3);
  close(at1.cvAt1Sec, (1.4826 * 10) / 100);
  // rounds of 0.25 s with the same CV tell half of it for 1 s (variance falls as 1 / length)
  const quarter = dirtDispersionFromSample({ curve, bitmapCurve: [90, 100, 110].map((d) => ({ windowSec: 0.25, dirtiedBytes: d })) });
  close(quarter.cvAt1Sec, at1.cvAt1Sec / 2);
  // one round that caught the first pass's dirt does not count (median absolute deviation)
  const outlier = dirtDispersionFromSample({ curve, bitmapCurve: [90, 100, 110, 100, 5000].map((d) => ({ windowSec: 1, dirtiedBytes: d })) });
  close(outlier.cvAt1Sec, (1.4826 * 10) / 100);
  // fewer than 3 rounds of a length, or none: the stated default
  assert.deepEqual(dirtDispersionFromSample({ curve, bitmapCurve: [{ windowSec: 1, dirtiedBytes: 90 }, { windowSec: 2, dirtiedBytes: 100 }] }), { cvAt1Sec: DEFAULT_DIRT_DISPERSION, rounds: 0, source: 'default' });
  assert.equal(dirtDispersionFromSample({ curve }).source, 'default');
});

test('inputFromSample carries the dispersion; the plain prediction does not read it', () => {
  const sample = {
    memoryBytes: 1024 * MiB,
    pageSizeBytes: 4096,
    dirtyRateBytesPerSec: 50 * MiB,
    curve: [{ windowSec: 0.1, dirtiedBytes: 5 * MiB }, { windowSec: 1, dirtiedBytes: 50 * MiB }],
    bitmapCurve: [45, 50, 55].map((d) => ({ windowSec: 1, dirtiedBytes: d * MiB })),
    bitmapZeroShare: 0.1,
    sampledAt: '2026-01-01T00:00:00Z',
  };
  const input = inputFromSample(sample, { bandwidthBytesPerSec: 100 * MiB });
  close(input.vm.dirtDispersion ?? NaN, (1.4826 * 5) / 50);
  const { dirtDispersion: _d, ...vm } = input.vm;
  assert.deepEqual(simulate(input), simulate({ ...input, vm }));
  assert.throws(() => simulate({ ...input, vm: { ...input.vm, dirtDispersion: -1 } }), /vm\.dirtDispersion must be in \[0, 10\]/);
});

test('the model error prior: a stated, lab-fitted table of log(measured / predicted), checked', () => {
  assert.equal(MODEL_ERROR_PRIOR.logTime.length, MODEL_ERROR_LEVELS.length);
  assert.match(MODEL_ERROR_PRIOR.source, /lab-fitted prior: standard passes 1-11/);
  assert.doesNotThrow(() => checkModelError(MODEL_ERROR_PRIOR));
  assert.throws(() => checkModelError({ ...MODEL_ERROR_PRIOR, logTime: [0.1, 0] }), /logTime: needs 7 finite non-decreasing quantiles/);
  // linear between levels, flat past the ends
  close(errorQuantile(MODEL_ERROR_PRIOR.logTime, 0.09), -0.2189 + 0.1326 * 0.8);
  close(errorQuantile(MODEL_ERROR_PRIOR.logTime, 0.01), -0.2189);
  close(errorQuantile(MODEL_ERROR_PRIOR.logTime, 0.99), 0.1219);
  // the mix's CDF is piecewise linear through the atoms' middles; the time-out's cost is a point mass
  assert.deepEqual(mixedQuantiles([10], Infinity, [0.9, 1.1], [0.5]), [10]);
  assert.deepEqual(mixedQuantiles([10, undefined], 30, [0.9, 1.1], [0.1, 0.25, 0.75]), [9, 10, 30]);
});

test('worked example (a) with the prior: far below the threshold, p10/p50/p90 = the time x the error quantiles', () => {
  // Every sync node is the deterministic time T; 50 error nodes at levels 0.01, 0.03, ..., 0.99, read linearly
  // between them: the 10th percentile is halfway between the nodes at 0.09 and 0.11, T (e^-0.11282 + e^-0.08148) / 2
  // (log factors -0.2189 + 0.1326 x 0.8 and -0.0863 + 0.0723 / 15); the 50th between 0.49 and 0.51,
  // T (e^-0.000752 + e^0.000936) / 2; the 90th between 0.89 and 0.91, T (e^0.0796267 + e^0.09102) / 2.
  // the model's error alone: no spread of the dirt rate (rate-spread.test.ts has it)
  const input = { ...steady(40), vm: { ...steady(40).vm, dirtRateSpread: 0 } };
  const point = simulate(input);
  const T = point.totalTimeSec;
  const o = predictWithOutlook(input);
  assert.equal(o.convergenceProbability, 1);
  const mid = (a: number, b: number) => (T * (Math.exp(a) + Math.exp(b))) / 2;
  close(o.timeP10Sec, mid(-0.11282, -0.08148), 1e-6);
  close(o.timeP50Sec, mid(-0.000752, 0.000936), 1e-6);
  close(o.timeP90Sec, mid(0.0796267, 0.09102), 1e-6);
  // about -9 %, +0 %, +9 %
  assert.ok(Math.abs(o.timeP10Sec / T - 0.9075) < 1e-4 && Math.abs(o.timeP90Sec / T - 1.0891) < 1e-4);
  // the point is the median outcome: the deterministic run's scenario at the median's time
  assert.equal(o.totalTimeSec, o.timeP50Sec);
  assert.equal(o.transferredBytes, point.transferredBytes);
  // without the error: the sync spread only (here none)
  const none = predictWithOutlook(input, { modelError: NO_MODEL_ERROR });
  assert.deepEqual([none.timeP10Sec, none.timeP50Sec, none.timeP90Sec], [T, T, T]);
  // a liu run has no syncs to spread over, and still the model's error
  const liu = predictWithOutlook({ ...input, policy: { name: 'liu' } });
  close(liu.timeP90Sec, (simulate({ ...input, policy: { name: 'liu' } }).totalTimeSec * (Math.exp(0.0796267) + Math.exp(0.09102))) / 2, 1e-6);
});

test('worked example (b) with the prior: a migration that never converges costs the time-out, unscaled', () => {
  const input = { ...steady(140), vm: { ...steady(140).vm, dirtRateSpread: 0 } };
  const o = predictWithOutlook(input);
  assert.equal(o.convergenceProbability, 0);
  assert.deepEqual([o.timeP10Sec, o.timeP50Sec, o.timeP90Sec], [o.totalTimeSec, o.totalTimeSec, o.totalTimeSec]);
});

test('worked example (c) with the prior: an error past the time-out is a migration that does not converge', () => {
  // knifeEdge(7): P(sync 2) = 0.5 at 6.795 s, P(sync 3) = 0.25 at 7.17 s, else the time-out's 7.42 s. Factors above
  // 7.42 / 6.795 (log 0.0880) and 7.42 / 7.17 (log 0.0343) carry a converging run past it: of the 50 error nodes,
  // 5 (levels 0.91-0.99) and 12 (0.77-0.99) do, so p = 0.75 -> 0.5 x 45 / 50 + 0.25 x 38 / 50 = 0.64.
  const o = predictWithOutlook(knifeEdge(7));
  close(o.convergenceProbability, 0.5 * (45 / 50) + 0.25 * (38 / 50), 1e-9);
  assert.equal(o.converged, true, 'the deterministic verdict stays');
  close(o.timeP90Sec, 7 + 0.4 + 0.02);
  assert.ok(o.timeP10Sec < 6.795 && o.timeP50Sec > 6.795 * 0.99 && o.timeP50Sec < 7.42, JSON.stringify(o));
  // without the error, as before
  close(predictWithOutlook(knifeEdge(7), { modelError: NO_MODEL_ERROR }).convergenceProbability, 0.75);
});

test('properties with the prior: p10 <= p50 <= p90, the interval takes in the sync-only one', () => {
  const rnd = mulberry32(11);
  for (let i = 0; i < 100; i++) {
    const W = (16 + rnd() * 200) * MiB;
    const points = [{ windowSec: 0.1, dirtiedBytes: W * 0.2 }, { windowSec: 1, dirtiedBytes: W * 0.8 }, { windowSec: 4, dirtiedBytes: W }];
    // the model's error alone (the dirt rate's spread can raise p: rate-spread.test.ts)
    const input: PredictInput = { vm: { memoryBytes: 1024 * MiB, dirtyRateBytesPerSec: W, dirtyModel: { kind: 'curve', points }, dirtDispersion: rnd() * 0.1, dirtRateSpread: 0 }, bandwidthBytesPerSec: (20 + rnd() * 200) * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.05 + rnd() * 0.5, timeoutSec: 60 } };
    const a = predictWithOutlook(input);
    const b = predictWithOutlook(input, { modelError: NO_MODEL_ERROR });
    assert.ok(a.timeP10Sec <= a.timeP50Sec && a.timeP50Sec <= a.timeP90Sec, `case ${i}`);
    assert.ok(a.convergenceProbability <= b.convergenceProbability + 1e-12, `case ${i}`);
    assert.ok(a.timeP90Sec - a.timeP10Sec >= -1e-9, `case ${i}`);
  }
});
