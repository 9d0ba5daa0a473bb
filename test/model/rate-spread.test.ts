/** The dirt rate's spread in the convergence outlook (src/model/rate-spread.ts): worked examples and the exact mix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convergenceOutlook } from '../../src/model/convergence.js';
import { predictWithOutlook } from '../../src/model/outlook.js';
import { DIRT_RATE_SPREAD, deterministicOutlook, mergeRateCells, withDirtRate, RATE_SPREAD_NODES } from '../../src/model/rate-spread.js';
import { errorFactors, mixOutlook, MODEL_ERROR_PRIOR, OUTLOOK_SYNC_NODES } from '../../src/model/model-error.js';
import { simulate } from '../../src/model/precopy.js';
import type { Prediction, PredictInput } from '../../src/model/types.js';
import { rng } from '../helpers.js';

const MiB = 2 ** 20;
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('withDirtRate: the rate times the factor, the curve reached in 1 / factor of the time, the rest shared', () => {
  const input: PredictInput = {
    vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 10 * MiB, dirtyModel: { kind: 'curve', points: [{ windowSec: 1, dirtiedBytes: 5 * MiB }, { windowSec: 4, dirtiedBytes: 8 * MiB }] }, workingSetBytes: 8 * MiB },
    bandwidthBytesPerSec: 100 * MiB,
    policy: { name: 'qemu' },
  };
  const f = withDirtRate(input, 2);
  assert.equal(f.vm.dirtyRateBytesPerSec, 20 * MiB);
  assert.deepEqual(f.vm.dirtyModel, { kind: 'curve', points: [{ windowSec: 0.5, dirtiedBytes: 5 * MiB }, { windowSec: 2, dirtiedBytes: 8 * MiB }] });
  assert.equal(f.vm.workingSetBytes, 8 * MiB, 'the same working set, dirtied faster');
  assert.equal(f.policy, input.policy);
  assert.equal(input.vm.dirtyRateBytesPerSec, 10 * MiB, 'the input is not changed');
  // a constant-rate guest: only the rate
  assert.equal(withDirtRate({ ...input, vm: { memoryBytes: 1, dirtyRateBytesPerSec: 3 } }, 0.5).vm.dirtyRateBytesPerSec, 1.5);
});

test('mergeRateCells, hand-computed: counts by weight, equal times one cell, p the weighted mean, the heaviest give-up cost', () => {
  const lo = { probability: 1, times: [10], counts: [4], giveUps: 0, giveUpSec: Infinity };
  const mid = { probability: 0.5, times: [12, 10], counts: [1, 1], giveUps: 2, giveUpSec: 40 };
  const hi = { probability: 0, times: [], counts: [], giveUps: 4, giveUpSec: 41 };
  assert.deepEqual(mergeRateCells([lo, mid, hi]), { probability: (1 + 4 * 0.5 + 0) / 6, times: [10, 12], counts: [4 + 4, 4], giveUps: 8 + 4, giveUpSec: 40 });
  // no give-ups anywhere: Infinity, as a converged outlook's cells have
  assert.equal(mergeRateCells([lo, lo, lo]).giveUpSec, Infinity);
  // the sampled rate converges; only a side gives up: its cost
  assert.equal(mergeRateCells([lo, lo, hi]).giveUpSec, 41);
});

/** 1 GiB at a constant rate on 128 MiB/s with a 0.3 s limit and a 120 s time-out. */
const steady = (dirtyMiB: number, spread?: number): PredictInput => ({
  vm: { memoryBytes: 1024 * MiB, dirtyRateBytesPerSec: dirtyMiB * MiB, dirtDispersion: 0.05, ...(spread !== undefined ? { dirtRateSpread: spread } : {}) },
  bandwidthBytesPerSec: 128 * MiB,
  policy: { name: 'qemu', downtimeLimitSec: 0.3, timeoutSec: 120 },
});

test('worked example: a guest dirtying 140 MiB/s on a 128 MiB/s link never converges, unless it dirties 24 % less (p = 1/6)', () => {
  const input = steady(140);
  assert.equal(simulate(input).converged, false);
  // the default spread 0.16: the slower node is 140 x exp(-sqrt(3) x 0.16) = 106 MiB/s, under the link; the faster 185
  const slow = withDirtRate(input, Math.exp(RATE_SPREAD_NODES[0] * DIRT_RATE_SPREAD));
  close(slow.vm.dirtyRateBytesPerSec / MiB, 140 * Math.exp(-Math.sqrt(3) * 0.16));
  const pSlow = convergenceOutlook(slow).convergenceProbability;
  assert.equal(pSlow, 1);
  const o = predictWithOutlook(input);
  // 1/6 of the weight converges (well inside the time-out, whatever the model's error): p = 1/6
  close(o.convergenceProbability, 1 / 6);
  assert.equal(o.converged, false, 'the point and its verdict stay the sampled rate\'s');
  // the 10th percentile is a converged time; the 50th and 90th the time-out's cost (the point's)
  assert.ok(o.timeP10Sec < 60, JSON.stringify(o));
  assert.equal(o.timeP50Sec, o.totalTimeSec);
  assert.equal(o.timeP90Sec, o.totalTimeSec);
  // without the spread, as before: never
  assert.equal(predictWithOutlook(steady(140, 0)).convergenceProbability, 0);
});

test('the outlook is wide where the cost hangs on the rate, narrow where it does not', () => {
  const width = (o: { timeP10Sec: number; timeP50Sec: number; timeP90Sec: number }) => (o.timeP90Sec - o.timeP10Sec) / o.timeP50Sec;
  // 20 MiB/s: one pass and a short tail; 110 MiB/s: many rounds, each longer the faster the guest writes
  const calm = [predictWithOutlook(steady(20)), predictWithOutlook(steady(20, 0))];
  const busy = [predictWithOutlook(steady(110)), predictWithOutlook(steady(110, 0))];
  assert.ok(width(calm[0]) - width(calm[1]) < 0.05, `calm ${width(calm[0])} vs ${width(calm[1])}`);
  assert.ok(width(busy[0]) > width(busy[1]) + 0.3, `busy ${width(busy[0])} vs ${width(busy[1])}`);
  // xen and liu have no outlook over syncs: no spread either
  const xen = { ...steady(110), policy: { name: 'xen' as const } };
  assert.deepEqual(predictWithOutlook(xen), predictWithOutlook({ ...xen, vm: { ...xen.vm, dirtRateSpread: 0 } }));
});

test('property: the outlook with the spread is the three rates\' sync distributions mixed with weights 1, 4, 1, then with the model\'s error', () => {
  const rnd = rng(7);
  const factors = errorFactors(MODEL_ERROR_PRIOR.logTime);
  for (let i = 0; i < 60; i++) {
    const W = (16 + rnd() * 200) * MiB;
    const points = [{ windowSec: 0.1, dirtiedBytes: W * 0.2 }, { windowSec: 1, dirtiedBytes: W * 0.8 }, { windowSec: 4, dirtiedBytes: W }];
    const spread = [0.05, 0.17, 0.4][i % 3];
    const input: PredictInput = {
      vm: { memoryBytes: 1024 * MiB, dirtyRateBytesPerSec: W, dirtyModel: { kind: 'curve', points }, dirtDispersion: rnd() * 0.1, dirtRateSpread: spread },
      bandwidthBytesPerSec: (20 + rnd() * 200) * MiB,
      policy: { name: 'qemu', downtimeLimitSec: 0.05 + rnd() * 0.5, timeoutSec: 20 + rnd() * 60, autoConverge: i % 4 === 0 },
    };
    const parts = RATE_SPREAD_NODES.map((z) => convergenceOutlook(withDirtRate(input, Math.exp(z * spread)), OUTLOOK_SYNC_NODES));
    const nodes = [...parts[0].syncTimes!, ...[1, 2, 3, 4].flatMap(() => parts[1].syncTimes!), ...parts[2].syncTimes!];
    const withGiveUps = [parts[1], parts[0], parts[2]].find((p) => p.syncTimes!.some((t) => t === undefined));
    const mix = mixOutlook(nodes, withGiveUps ? withGiveUps.giveUpSec! : Infinity, factors, [0.1, 0.5, 0.9]);
    const p = ((parts[0].convergenceProbability + 4 * parts[1].convergenceProbability + parts[2].convergenceProbability) / 6) * mix.stillConverged;
    const o = predictWithOutlook(input);
    close(o.convergenceProbability, p, 1e-9);
    close(o.timeP10Sec, mix.quantiles[0], 1e-9);
    close(o.timeP50Sec, mix.quantiles[1], 1e-9);
    close(o.timeP90Sec, mix.quantiles[2], 1e-9);
    // the point is the migration at the median: the verdict the probability's, the time p50's, the parts adding up
    assert.equal(o.converged, o.convergenceProbability >= 0.5, `case ${i}`);
    assert.equal(o.totalTimeSec, o.timeP50Sec);
    close(o.setupSec + o.precopySec + o.stopCopySec + o.resumeSec, o.totalTimeSec, 1e-9);
    assert.equal(o.reason, o.converged ? 'fits-downtime-limit' : 'timeout');
    // its bytes are a scenario's of the three rates: between the slowest's and the fastest's (a run that goes on sends more)
    const plain = RATE_SPREAD_NODES.map((z) => simulate(withDirtRate(input, Math.exp(z * spread))));
    assert.ok(o.transferredBytes > 0 && o.rounds >= 1, `case ${i}`);
    if (plain.every((q) => q.converged) && o.converged) assert.ok(o.transferredBytes >= Math.min(...plain.map((q) => q.stopCopyBytes)), `case ${i}`);
  }
});

test('dirtRateSpread outside [0, 2] is an error naming the field', () => {
  assert.throws(() => predictWithOutlook(steady(20, -0.1)), /vm\.dirtRateSpread must be in \[0, 2\]/);
  assert.throws(() => predictWithOutlook(steady(20, Number.NaN)), /vm\.dirtRateSpread/);
});

test('deterministicOutlook, hand-computed: three deterministic predictions weighted 1/6, 2/3, 1/6', () => {
  // converges in 10 s when slowed, 20 s at the sampled rate, never (cost 100 s) when sped up
  const base = simulate(steady(20));
  const at = (i: PredictInput): Prediction => {
    const f = i.vm.dirtyRateBytesPerSec / (20 * MiB);
    return f < 0.99 ? { ...base, converged: true, totalTimeSec: 10 } : f < 1.01 ? { ...base, converged: true, totalTimeSec: 20 } : { ...base, converged: false, totalTimeSec: 100 };
  };
  const o = deterministicOutlook(at, steady(20), undefined, [0.1, 0.5, 0.9]);
  assert.equal(o.point.totalTimeSec, 20);
  close(o.probability, 5 / 6);
  // the mix's CDF: the 10 s atom at the middle of its weight (1/12), the 20 s atom at 1/6 + 1/3 = 1/2, the give-up
  // mass (5/6 to 1) at 100 s: the 10th percentile between the first two, 10 + 10 x (0.1 - 1/12) / (1/2 - 1/12) = 10.4
  close(o.quantiles[0], 10.4);
  close(o.quantiles[1], 20);
  assert.equal(o.quantiles[2], 100);
  // no spread: the point alone
  const flat = deterministicOutlook(at, steady(20, 0), undefined, [0.1, 0.5, 0.9]);
  assert.deepEqual([flat.probability, ...flat.quantiles], [1, 20, 20, 20]);
});

test('every technique answers a probability and an interval: post-copy always converges, a multifd that never does at the sampled rate may when slower', () => {
  const post = predictWithOutlook({ ...steady(140), technique: { name: 'postcopy' } });
  assert.equal(post.convergenceProbability, 1);
  assert.ok(post.timeP10Sec < post.timeP50Sec && post.timeP50Sec < post.timeP90Sec, JSON.stringify(post));
  const mf = predictWithOutlook({ ...steady(140), technique: { name: 'multifd' } });
  assert.equal(mf.converged, false);
  close(mf.convergenceProbability, 1 / 6);
  const none = predictWithOutlook({ ...steady(140, 0), technique: { name: 'multifd' } });
  assert.equal(none.convergenceProbability, 0);
});
