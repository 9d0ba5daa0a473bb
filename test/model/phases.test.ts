/** Phases: a longer look's per-window rates, their summary, and what the convergence outlook takes from them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phaseSummary, phasesFromSample, quietRoundFactor, rateSpreadFromPhases, MIN_SPREAD_WINDOWS } from '../../src/model/phases.js';
import { convergenceOutlook, phaseHazards } from '../../src/model/convergence.js';
import { predictWithOutlook } from '../../src/model/outlook.js';
import { inputFromSample } from '../../src/model/from-sample.js';
import { simulate, SYNC_FIELDS } from '../../src/model/precopy.js';
import type { PredictInput } from '../../src/model/types.js';
import type { VmSample } from '../../src/model/sample.js';

const MiB = 2 ** 20;
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
/** A sample of a `mib` MiB VM dirtying `rateMiB` MiB/s, its curve as [window s, MiB] pairs. */
const sampled = (mib: number, rateMiB: number, curve: [number, number][]): VmSample => ({
  memoryBytes: mib * MiB,
  pageSizeBytes: 4096,
  dirtyRateBytesPerSec: rateMiB * MiB,
  curve: curve.map(([windowSec, dirtied]) => ({ windowSec, dirtiedBytes: dirtied * MiB })),
  sampledAt: '2026-01-01T00:00:00Z',
});

test('phaseSummary, hand-computed: percentiles, the quiet share, the quiet factor and the quiet runs', () => {
  // sorted: 0 0 0 0 8 8 8 8 8 8; type 7: p10 at rank 0.9 (0), p50 at 4.5 (8), p90 at 8.1 (8)
  const s = phaseSummary({ windowSec: 0.5, spanSec: 5, rates: [8, 8, 8, 8, 0, 0, 0, 8, 8, 0] })!;
  assert.deepEqual(s, { windowSec: 0.5, windows: 10, p10: 0, p50: 8, p90: 8, quietShare: 0.4, quietFactor: 0, quietRunSec: 1, quietFactors: [0, 0, 0, 0] });
  // a quiet phase at a quarter of the busy rate: quiet mean 2 over busy mean 8
  const q = phaseSummary({ windowSec: 1, spanSec: 6, rates: [8, 8, 2, 2, 8, 8] })!;
  close(q.quietFactor, 0.25);
  assert.deepEqual(q.quietFactors, [0.25, 0.25]);
  // the model keeps at most 8 points of the quiet windows' factors (quantile midpoints, type 7): 16 quiet windows at
  // 0, 1, ..., 15 over a busy mean of 100 give the midpoints of eighths, rank (j + 0.5) / 8 x 15
  const many = phasesFromSample({ phases: { windowSec: 0.1, spanSec: 4, rates: [...Array.from({ length: 16 }, (_, i) => i), ...Array(24).fill(100)] } })!;
  assert.equal(many.quietFactors!.length, 8);
  many.quietFactors!.forEach((f, j) => close(f, (((j + 0.5) / 8) * 15) / 100));
  close(many.quietFactor, 7.5 / 100);
  close(q.quietShare, 1 / 3);
  close(q.quietRunSec, 2);
  // one dip is noise, not a phase; a steady writer has none; fewer than two windows say nothing
  assert.equal(phaseSummary({ windowSec: 0.5, spanSec: 5, rates: [8, 8, 8, 8, 0, 8, 8, 8, 8, 8] })!.quietShare, 0);
  assert.deepEqual(phasesFromSample({ phases: { windowSec: 0.5, spanSec: 5, rates: [8, 9, 8, 7, 8, 8, 9, 8, 8, 8] } }), undefined);
  assert.equal(phaseSummary({ windowSec: 0.5, spanSec: 0.5, rates: [8] }), undefined);
  assert.equal(phaseSummary(undefined), undefined);
  // quiet more than half the time (the median window is quiet): the busy rate is the 90th percentile's
  const mostlyQuiet = phaseSummary({ windowSec: 0.5, spanSec: 6, rates: [0, 0, 0, 8, 8, 0, 0, 0, 8, 8, 0, 0] })!;
  assert.equal(mostlyQuiet.p50, 0);
  close(mostlyQuiet.quietShare, 8 / 12);
  assert.equal(mostlyQuiet.quietFactor, 0);
  close(mostlyQuiet.quietRunSec, (8 / 3) * 0.5);
});

test('quietRoundFactor: the quiet factor over the part of a round a quiet run covers', () => {
  const p = { quietShare: 0.6, quietFactor: 0, quietRunSec: 3 };
  assert.equal(quietRoundFactor(p, 2), 0);
  assert.equal(quietRoundFactor(p, 4), 0.25);
  close(quietRoundFactor({ ...p, quietFactor: 0.5 }, 6), (3 * 0.5 + 3) / 6);
});

/**
 * A busy phase that never converges: 256 MiB, a 64 MiB working set dirtied at 256 MiB/s, 64 MiB/s with a 0.5 s
 * limit (threshold 32 MiB), no dispersion, a 10 s time-out. The deterministic run's syncs: round 0 (3.5 s)
 * leaves an estimate of 88 MiB (56 new), rounds 1 (0.875 s) and 2 (0.5 s) 64 MiB (32 new, 32 left), then the
 * time-out; never under 32 MiB, so p = 0 without phases.
 * With a quiet phase half the time, at rate 0, in runs of 3 s (busy runs 3 s too: phases switch at 1/3 a second
 * each way, a two-state chain, `phaseHazards`): sync 1's round is longer than a run (factor 0.5 / 3.5 = 1/7 on its
 * 56 new MiB: 32 + 8 = 40 MiB, q = 0); at syncs 2 and 3 the new dirt is gone and the 32 MiB left drained at 64 MiB/s
 * for part of the run before the round (q_quiet = 1, q_busy = 0). The chain starts stationary (half quiet) and
 * stays so through sync 1 (q = 0): sync 2 converges with 0.5. After it only busy survivors are left; over sync 3's
 * 0.5 s round one of them turns quiet with (1/2)(1 - e^(-2/3 x 0.5)) = 0.141734, and so on at each of the 10
 * copies of sync 3 that fit before the time-out: p = 1 - 0.5 x (1 - 0.141734)^11 = 0.90693. (A coin per sync, as
 * before stop 34, said 1 - 0.5^12: a guest caught busy got a fresh chance every half second, where its busy run
 * lasts 3 s.) P(by sync 2) = 0.5 is the 10th and 50th percentiles: 4.375 s of pre-copy and at most the threshold
 * (32 MiB at 64 MiB/s: 0.5 s) to stop; the 90th at the last copy, sync 13 (survival 0.093 <= 0.1; sync 12 has
 * 0.108): 4.875 + 10 x 0.5 + 0.5 = 10.375 s.
 */
function phased(phases?: PredictInput['vm']['dirtPhases']): PredictInput {
  return {
    vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 256 * MiB, workingSetBytes: 64 * MiB, dirtDispersion: 0, ...(phases ? { dirtPhases: phases } : {}) },
    bandwidthBytesPerSec: 64 * MiB,
    policy: { name: 'qemu', downtimeLimitSec: 0.5, timeoutSec: 10 },
    platform: { syncSec: 0, rateWindowSec: 0.125, setupSec: 0, resumeSec: 0, stopCopyRateBytesPerSec: 64 * MiB },
  };
}

test('worked example: a quiet phase half the time makes a migration that never converges converge, with its probability', () => {
  const busy = convergenceOutlook(phased());
  assert.equal(busy.point.converged, false);
  assert.equal(busy.convergenceProbability, 0);
  const o = convergenceOutlook(phased({ quietShare: 0.5, quietFactor: 0, quietRunSec: 3 }));
  const turn = 0.5 * (1 - Math.exp(-(2 / 3) * 0.5));
  close(turn, 0.141734, 1e-6);
  close(o.convergenceProbability, 1 - 0.5 * (1 - turn) ** 11);
  close(o.timeP10Sec, 4.875);
  close(o.timeP50Sec, 4.875);
  close(o.timeP90Sec, 10.375);
  assert.equal(o.median.converged, true);
  close(o.median.downtimeSec, 0.5);
  // the point (and the verdict every output carries) stays the deterministic run's
  assert.deepEqual(o.point, simulate(phased()));
  // a rarer quiet phase (busy runs of 27 s: 1/27 a second to quiet) converges less often: 0.1 at sync 2, then
  // 0.1 x (1 - e^(-(1/27 + 1/3) x 0.5)) = 0.0169054 at each of 11 more
  const rare = 0.1 * (1 - Math.exp(-(1 / 27 + 1 / 3) * 0.5));
  close(convergenceOutlook(phased({ quietShare: 0.1, quietFactor: 0, quietRunSec: 3 })).convergenceProbability, 1 - 0.9 * (1 - rare) ** 11);
  // without a run length a quiet phase covers no round: nothing drains, p = 0
  close(convergenceOutlook(phased({ quietShare: 0.5, quietFactor: 0, quietRunSec: 0 })).convergenceProbability, 0);
  // quiet runs too short to drain what is left pending do not help: 0.25 s runs leave 32 MiB + a quarter of the new dirt
  assert.equal(convergenceOutlook(phased({ quietShare: 0.5, quietFactor: 0, quietRunSec: 0.25 })).convergenceProbability, 0);
});

test('a sample without phases predicts exactly as before; with a quiet phase only the outlook (and its point at the median) changes', () => {
  const sample = sampled(1024, 120, [[0.1, 12], [1, 100], [4, 120]]);
  const link = { bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.1, timeoutSec: 60 };
  const plain = inputFromSample(sample, link);
  assert.equal(plain.vm.dirtPhases, undefined);
  // a steady longer look adds no phase, only how much its rate strays (rateSpreadFromPhases: 110, 120, 130 MiB/s
  // in turn, 7, 7 and 6 windows; |log deviations| from 120: 0 x7, log(130/120) = 0.0800 x6, log(120/110) = 0.0870 x7;
  // the median, between the 10th and 11th of 20, is 0.0800; x 1.4826 = 0.1187), and the plain run is the same
  const steady = inputFromSample({ ...sample, phases: { windowSec: 0.5, spanSec: 10, rates: Array.from({ length: 20 }, (_, i) => (110 + (i % 3) * 10) * MiB) } }, link);
  assert.equal(steady.vm.dirtPhases, undefined);
  close(steady.vm.dirtRateSpread!, 1.4826 * Math.log(130 / 120));
  assert.deepEqual({ ...steady, vm: { ...steady.vm, dirtRateSpread: undefined } }, { ...plain, vm: { ...plain.vm, dirtRateSpread: undefined } });
  assert.deepEqual(simulate(steady), simulate(plain));
  // two verify phases of 1.5 s in 10 s
  const rates = [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1].map((x) => x * 120 * MiB);
  const withPhases = inputFromSample({ ...sample, phases: { windowSec: 0.5, spanSec: 10, rates } }, link);
  assert.deepEqual(withPhases.vm.dirtPhases, { quietShare: 0.3, quietFactor: 0, quietRunSec: 1.5, quietFactors: [0, 0, 0, 0, 0, 0] });
  assert.deepEqual(simulate(withPhases), simulate(plain));
  const before = predictWithOutlook(plain);
  const after = predictWithOutlook(withPhases);
  // the verdicts are the probabilities'
  assert.equal(after.converged, after.convergenceProbability >= 0.5);
  assert.equal(before.converged, before.convergenceProbability >= 0.5);
  assert.ok(after.convergenceProbability > before.convergenceProbability, `${after.convergenceProbability} > ${before.convergenceProbability}`);
  assert.throws(() => simulate({ ...plain, vm: { ...plain.vm, dirtPhases: { quietShare: 1, quietFactor: 0, quietRunSec: 1 } } }), /vm\.dirtPhases needs quietShare in \(0, 1\)/);
});

test('a sample file with phases is read with them; a bad rate names its field', async () => {
  const { parseSample } = await import('../../src/input.js');
  const s = parseSample('vm', { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: MiB, phases: { windowSec: 0.5, rates: [MiB, 0, 0, MiB] } });
  assert.deepEqual(s.phases, { windowSec: 0.5, spanSec: 2, rates: [MiB, 0, 0, MiB] });
  assert.throws(() => parseSample('vm', { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: MiB, phases: { windowSec: 0.5, rates: [1, -1] } }), /vm\.phases\.rates\[1\]/);
  assert.throws(() => parseSample('vm', { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: MiB, phases: { windowSec: 0, rates: [1] } }), /vm\.phases\.windowSec/);
});

test('rateSpreadFromPhases, hand-computed: the robust log-sd of the busy windows; too few windows say nothing', () => {
  // a steady writer: no spread
  assert.equal(rateSpreadFromPhases({ windowSec: 0.5, spanSec: 4, rates: Array(8).fill(100) }), 0);
  // 90, 100, 110 around 100, two idle windows left out (not busy: under half the 90th percentile); |log deviations|
  // 0 x4, log 1.1 x2, log(10/9) x2: the median (type 7) halfway between the 4th and 5th, (0 + log 1.1) / 2
  close(rateSpreadFromPhases({ windowSec: 0.5, spanSec: 5, rates: [90, 100, 110, 100, 90, 110, 100, 100, 0, 0] })!, 1.4826 * ((0 + Math.log(110 / 100)) / 2));
  // a quiet phase is the phases' part, not a spread: busy windows at 100 +- 0 and quiet ones at 10
  assert.equal(rateSpreadFromPhases({ windowSec: 0.5, spanSec: 6, rates: [100, 100, 100, 100, 10, 10, 10, 100, 100, 100, 100, 10] }), 0);
  // one window in two at half the rate (still busy: not under half the 90th percentile): the median log halfway,
  // every deviation log(2) / 2
  close(rateSpreadFromPhases({ windowSec: 0.5, spanSec: 6, rates: [50, 100, 50, 100, 50, 100, 50, 100, 50, 100, 50, 100] })!, 1.4826 * (Math.log(2) / 2));
  // fewer than MIN_SPREAD_WINDOWS busy windows, none, or no look at all: the default applies
  assert.equal(rateSpreadFromPhases({ windowSec: 0.5, spanSec: 3.5, rates: Array(MIN_SPREAD_WINDOWS - 1).fill(100) }), undefined);
  assert.equal(rateSpreadFromPhases({ windowSec: 0.5, spanSec: 5, rates: [100, 100, 100, 0, 0, 0, 0, 0, 0, 0] }), undefined);
  assert.equal(rateSpreadFromPhases(undefined), undefined);
  // windows far below the busy ones are not busy: four at 1 and four at 1e9 leave four busy ones, too few
  assert.equal(rateSpreadFromPhases({ windowSec: 0.5, spanSec: 4, rates: [1, 1e9, 1, 1e9, 1, 1e9, 1, 1e9] }), undefined);
});

test('a measured spread replaces the default: a steady writer at the cap gets a sharper probability than 0.16 gives', () => {
  const sample = sampled(256, 45, [[0.1, 4.5], [1, 40], [4, 64]]);
  const link = { bandwidthBytesPerSec: 50 * MiB, downtimeLimitSec: 0.3, timeoutSec: 60 };
  const assumed = predictWithOutlook(inputFromSample(sample, link));
  const steady = inputFromSample({ ...sample, phases: { windowSec: 0.5, spanSec: 10, rates: Array.from({ length: 20 }, (_, i) => (44 + (i % 3)) * MiB) } }, link);
  assert.ok(steady.vm.dirtRateSpread! < 0.05, `${steady.vm.dirtRateSpread}`);
  const measured = predictWithOutlook(steady);
  // the sampled rate converges; with 0.16 the fast third of the spread does not, with the measured one it does
  assert.ok(assumed.convergenceProbability < 1, `${assumed.convergenceProbability}`);
  assert.equal(measured.convergenceProbability, 1);
  assert.equal(measured.converged, assumed.converged);
});

test('rateSpreadFromPhases at 0.1 s windows: busy windows in half-second blocks of 5, quiet ones left out first', () => {
  // 40 busy windows alternating 50 and 100 (a spread of log 2 / 2 one by one) are 8 blocks: 3 x 50 + 2 x 100 = 350
  // and 2 x 50 + 3 x 100 = 400, alternating; their log deviations from the median (halfway) are all log(400/350) / 2
  const alternating = Array.from({ length: 40 }, (_, i) => (i % 2 ? 100 : 50));
  close(rateSpreadFromPhases({ windowSec: 0.1, spanSec: 4, rates: alternating })!, 1.4826 * (Math.log(400 / 350) / 2));
  // quiet windows (under half the 90th percentile) between busy ones are dropped before the blocks: no spread
  const withQuiet = Array.from({ length: 60 }, (_, i) => (i % 3 === 2 ? 5 : 100));
  assert.equal(rateSpreadFromPhases({ windowSec: 0.1, spanSec: 6, rates: withQuiet }), 0);
  // 39 busy windows make 7 whole blocks (the partial one dropped): fewer than MIN_SPREAD_WINDOWS
  assert.equal(rateSpreadFromPhases({ windowSec: 0.1, spanSec: 4, rates: Array(5 * MIN_SPREAD_WINDOWS - 1).fill(100) }), undefined);
  assert.equal(rateSpreadFromPhases({ windowSec: 0.1, spanSec: 4, rates: Array(5 * MIN_SPREAD_WINDOWS).fill(100) }), 0);
});

test('phaseHazards: a two-state chain over the syncs; a throttle slows the guest\'s phases', () => {
  // two 1 s rounds (SYNC_FIELDS numbers each: only the length and the throttle matter here), quiet half the time in
  // 1 s runs (busy runs 1 s too: rate 1 + 1 = 2 a second); a busy sync never converges, a quiet one always
  const round = (throttle: number) => Array.from({ length: SYNC_FIELDS }, (_, f) => (f === 0 ? 1 : f === 6 ? throttle : 0));
  const rounds = (throttle: number) => [...round(0), ...round(throttle)];
  const phases = { quietShare: 0.5, quietFactor: 0, quietRunSec: 1 };
  // sync 1: stationary, half quiet: 0.5; then only busy survivors, of whom (1/2)(1 - e^(-2 x 1)) turn quiet
  const free = phaseHazards(phases, rounds(0), [0, 0], [1, 1], 0);
  close(free.q[0], 0.5);
  close(free.q[1], 0.5 * (1 - Math.exp(-2)));
  // at a 75 % throttle the guest's clock runs at a quarter: its phases too
  close(phaseHazards(phases, rounds(0.75), [0, 0], [1, 1], 0).q[1], 0.5 * (1 - Math.exp(-0.5)));
  // copies of the last sync: followed until the hazard settles (here at once), the rest left as copies
  const copies = phaseHazards(phases, rounds(0), [0, 0], [1, 1], 5);
  assert.equal(copies.q.length, 3);
  assert.equal(copies.extra, 4);
  close(copies.q[2], copies.q[1]);
  // without a run length: a coin per sync weighted by the share
  assert.deepEqual(phaseHazards({ ...phases, quietRunSec: 0 }, rounds(0), [0.2, 0.2], [1, 1], 3), { q: [0.6, 0.6], extra: 3 });
});

test('a sync converged in a quiet phase stops at its round\'s rates: socket buffers take the first bytes', () => {
  // the worked example's quiet sync 2 stops with the threshold, 32 MiB, at 64 MiB/s: 0.5 s; with 16 MiB of socket
  // buffers (Platform.stopCopyBufferedBytes) the source is done once the last 16 MiB are written: 0.25 s
  const input = phased({ quietShare: 0.5, quietFactor: 0, quietRunSec: 3 });
  const o = convergenceOutlook({ ...input, platform: { ...input.platform, stopCopyBufferedBytes: 16 * MiB } });
  close(o.median.downtimeSec, 0.25);
  close(o.timeP50Sec, 4.375 + 0.25);
});

test('a quiet round\'s factor drawn from the quiet windows\': the mean alone is one point of it', () => {
  const at = (phases: NonNullable<PredictInput['vm']['dirtPhases']>) => convergenceOutlook(phased(phases)).convergenceProbability;
  const base = { quietShare: 0.5, quietFactor: 0.45, quietRunSec: 3 };
  // every window at the mean: exactly the mean's outlook
  assert.equal(at({ ...base, quietFactors: [0.45, 0.45, 0.45] }), at(base));
  // half the quiet windows write nothing (a verify phase), half at 0.9: the silent half converge where 0.45 mostly does not
  assert.ok(at({ ...base, quietFactors: [0, 0.9] }) > at(base) + 0.1, `${at({ ...base, quietFactors: [0, 0.9] })} vs ${at(base)}`);
  // and bad factors are refused, naming the field
  assert.throws(() => convergenceOutlook(phased({ ...base, quietFactors: [] })), /vm\.dirtPhases\.quietFactors/);
  assert.throws(() => convergenceOutlook(phased({ ...base, quietFactors: [0, -1] })), /vm\.dirtPhases\.quietFactors/);
});
