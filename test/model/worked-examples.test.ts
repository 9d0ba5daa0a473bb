/** Exact worked examples, each computed by hand from the papers' formulas. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  closedForm,
  predict,
  wiredEnergyJoules,
  LIU_WIRED_ENERGY,
  energyPerBitJoules,
  wirelessEnergyJoules,
  wwsFraction,
  LIU_WWS_COEFFICIENTS,
  curveDirtiedBytes,
  curveWindowFor,
  compileDirty,
  freshDirtiedIn,
  dirtiedIn,
  expectedCheckIntervalSec,
  rankByCost,
  hotShareScanned,
  layoutSeenShare,
  type Prediction,
} from '../../src/index.js';
import { assertClose, GiB, MiB } from '../helpers.js';

describe('closed form (Liu eqs. 1-8)', () => {
  it('1 GiB at lambda = 0.5 with V_thd = M/16: n = 4, V_mig = 1.9375 GiB, T_mig = 15.5 s', () => {
    // lambda = D/R = 64 MiB/s / 128 MiB/s = 0.5; n = ceil(log_0.5(1/16)) = 4
    // V_mig = M (1 - 0.5^5) / (1 - 0.5) = 2 M (31/32) = 1.9375 GiB; T_mig = V_mig / R = 15.5 s
    // T_down = V_4 / R + T_resume = (M/16) / R + 0.02 = 0.5 + 0.02 s
    const r = closedForm({ memoryBytes: GiB, dirtyRateBytesPerSec: 64 * MiB, bandwidthBytesPerSec: 128 * MiB, thresholdBytes: GiB / 16, maxRounds: Infinity, resumeSec: 0.02 });
    assert.equal(r.lambda, 0.5);
    assert.equal(r.n, 4);
    assertClose(r.transferredBytes, 1.9375 * GiB);
    assertClose(r.migrationSec, 15.5);
    assertClose(r.downtimeSec, 0.52);
    assert.equal(r.converged, true);
  });

  it('lambda >= 1 is an explicit non-convergence, never NaN or Infinity', () => {
    const r = closedForm({ memoryBytes: GiB, dirtyRateBytesPerSec: 200 * MiB, bandwidthBytesPerSec: 100 * MiB, thresholdBytes: 200 * 1024, maxRounds: 29, resumeSec: 0.02 });
    assert.equal(r.converged, false);
    assert.equal(r.reason, 'lambda-at-least-one');
    for (const v of [r.transferredBytes, r.migrationSec, r.downtimeSec]) assert.ok(Number.isFinite(v));
    assert.equal(r.n, 29);
  });

  it('a round cap below n reports max-rounds', () => {
    const r = closedForm({ memoryBytes: GiB, dirtyRateBytesPerSec: 64 * MiB, bandwidthBytesPerSec: 128 * MiB, thresholdBytes: GiB / 16, maxRounds: 2, resumeSec: 0 });
    assert.equal(r.n, 2);
    assert.equal(r.converged, false);
    assert.equal(r.reason, 'max-rounds');
    assertClose(r.transferredBytes, GiB * 1.75); // 1 + 0.5 + 0.25
  });
});

describe('energy (Liu §4)', () => {
  it("wired: 1024 MiB costs 0.512 * 1024 + 20.165 = 544.453 J", () => {
    assertClose(wiredEnergyJoules(LIU_WIRED_ENERGY, 1024 * MiB), 0.512 * 1024 + 20.165);
    assertClose(wiredEnergyJoules(LIU_WIRED_ENERGY, 1024 * MiB), 544.453);
  });
  it('wireless: E_b = N0 (2^(R/B) - 1) / (R/B)', () => {
    // R/B = 1: E_b = N0; R/B = 2: E_b = N0 * 3 / 2; R -> 0: N0 ln 2
    assertClose(energyPerBitJoules(1e-20, 1e6, 1e6), 1e-20);
    assertClose(energyPerBitJoules(1e-20, 2e6, 1e6), 1.5e-20);
    assertClose(energyPerBitJoules(1e-20, 0, 1e6), 1e-20 * Math.LN2);
    assertClose(energyPerBitJoules(1e-20, 1, 1e6), 1e-20 * Math.LN2, 1e-5);
    // 1 MiB at R/B = 1: 8 * 2^20 bits * N0
    assertClose(wirelessEnergyJoules({ kind: 'wireless', channelBandwidthHz: 1e6, noiseDensityWattsPerHz: 1e-20 }, MiB, 1e6 / 8), 8 * MiB * 1e-20);
  });
  it('wireless energy per bit grows with the rate', () => {
    let last = 0;
    for (let r = 0; r <= 1e7; r += 5e5) {
      const e = energyPerBitJoules(1e-20, r, 1e6);
      assert.ok(e >= last);
      last = e;
    }
  });
  it('a prediction uses the wired model by default', () => {
    const p = predict({ vm: { memoryBytes: 1024 * MiB, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'liu' } });
    assertClose(p.transferredBytes, 1024 * MiB);
    assertClose(p.energyJoules, 544.453);
  });
});

describe("Liu's writable working set", () => {
  it('gamma = a T + b D + c with the paper coefficients', () => {
    // T = 1 s, D = 50 MiB/s: -0.0463 - 0.005 + 0.3586 = 0.3073
    assertClose(wwsFraction(LIU_WWS_COEFFICIENTS, 1, 50 * MiB), 0.3073);
  });
  it('is clamped to [0, 1]', () => {
    assert.equal(wwsFraction(LIU_WWS_COEFFICIENTS, 10, 0), 0); // 0.3586 - 0.463 < 0
    assert.equal(wwsFraction({ a: 0, b: 0, c: 1.5 }, 1, 0), 1);
  });
  it("Algorithm 1 by hand: 1 GiB, D = 50 MiB/s, R = 100 MiB/s", () => {
    // Round 0: V0 = 1024 MiB, T0 = 10.24 s, dirtied 512 MiB, gamma = clamp(-0.474 - 0.005 + 0.3586) = 0 -> V1 = 512 MiB
    // Round 1: T1 = 5.12 s, dirtied 256 MiB, gamma = -0.237056 - 0.005 + 0.3586 = 0.116544, V2 = 256 (1 - 0.116544)
    const p = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 50 * MiB, dirtyModel: { kind: 'wws' } }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'liu' }, trace: true });
    const t = p.trace!;
    assertClose(t[0].sentBytes, 1024 * MiB);
    assertClose(t[1].sentBytes, 512 * MiB);
    assertClose(t[1].skippedBytes, 256 * MiB * 0.116544, 1e-9);
    assertClose(t[2].sentBytes, 256 * MiB * (1 - 0.116544), 1e-9);
  });
});

describe("Deng's dirty curve", () => {
  const pts = [
    { windowSec: 1, dirtiedBytes: 10 * MiB },
    { windowSec: 2, dirtiedBytes: 16 * MiB },
    { windowSec: 4, dirtiedBytes: 20 * MiB },
  ];
  it('interpolates linearly, from the origin before the first point', () => {
    assertClose(curveDirtiedBytes(pts, 0.5), 5 * MiB);
    assertClose(curveDirtiedBytes(pts, 1.5), 13 * MiB);
    assertClose(curveDirtiedBytes(pts, 3), 18 * MiB);
  });
  it('extends the last segment past the last point', () => {
    assertClose(curveDirtiedBytes(pts, 6), 24 * MiB); // 20 MiB + 2 s x 2 MiB/s
  });
  it('inverts: the window in which the curve reaches a size', () => {
    assert.equal(curveWindowFor(pts, 0), 0);
    assertClose(curveWindowFor(pts, 5 * MiB), 0.5);
    assertClose(curveWindowFor(pts, 13 * MiB), 1.5);
    assertClose(curveWindowFor(pts, 24 * MiB), 6); // along the last segment
    const flat = [{ windowSec: 0.1, dirtiedBytes: 8 * MiB }, { windowSec: 4, dirtiedBytes: 8 * MiB }];
    assertClose(curveWindowFor(flat, 4 * MiB), 0.05);
    assert.equal(curveWindowFor(flat, 9 * MiB), Infinity); // levelled off below it
  });
});

describe('fresh dirt in a round, given the dirt still pending', () => {
  it('a measured curve: D(age + t) - D(age), the pending dirt being the last age seconds of writes', () => {
    const d = compileDirty({ kind: 'curve', points: [{ windowSec: 1, dirtiedBytes: 10 * MiB }, { windowSec: 2, dirtiedBytes: 16 * MiB }, { windowSec: 4, dirtiedBytes: 20 * MiB }] }, 10 * MiB, GiB);
    // 10 MiB pending = the last 1 s of writes; a 1 s round adds D(2) - D(1) = 6 MiB, not the 16 MiB of D(1)... of a fresh start
    assertClose(freshDirtiedIn(d, 1, 10 * MiB), 6 * MiB);
    assertClose(freshDirtiedIn(d, 1, 0), 10 * MiB); // nothing pending: all of it
    // a sequential writer (a straight line up to its ring) adds all it writes until the ring is dirty
    const seq = compileDirty({ kind: 'curve', points: [{ windowSec: 1, dirtiedBytes: 64 * MiB }, { windowSec: 4, dirtiedBytes: 64 * MiB }] }, 64 * MiB, GiB);
    assertClose(freshDirtiedIn(seq, 0.25, 16 * MiB), 16 * MiB);
    assertClose(freshDirtiedIn(seq, 0.5, 48 * MiB), 16 * MiB); // capped by the ring
    assert.equal(freshDirtiedIn(seq, 0.5, 64 * MiB), 0);
  });
  it('never more than the round dirties, whatever the curve: a sampled curve steeper further out than near 0', () => {
    // the heldout scatter writer's sample: 10 MiB at 0.25 s, 23.5 MiB at 0.5 s (54 MiB/s between, 40 MiB/s before)
    const d = compileDirty({ kind: 'curve', points: [{ windowSec: 0.25, dirtiedBytes: 10 * MiB }, { windowSec: 0.5, dirtiedBytes: 23.5 * MiB }, { windowSec: 1, dirtiedBytes: 42 * MiB }] }, 40 * MiB, GiB);
    // 10 MiB pending = the last 0.25 s; a 0.2 s round would add D(0.45) - D(0.25) = 10.8 MiB, but it dirties D(0.2) = 8 MiB
    assertClose(freshDirtiedIn(d, 0.2, 10 * MiB), 8 * MiB);
    for (let have = 0; have <= 42 * MiB; have += MiB) for (const t of [0.05, 0.1, 0.3, 0.7]) assert.ok(freshDirtiedIn(d, t, have) <= dirtiedIn(d, t) + 1e-6);
  });
  it('other models draw pending and new dirt uniformly from the pool', () => {
    const d = compileDirty({ kind: 'constant' }, 10 * MiB, 40 * MiB); // pool = 40 MiB working set
    assertClose(freshDirtiedIn(d, 1, 10 * MiB), 10 * MiB * (1 - 10 / 40));
  });
});

describe('auto-converge check cadence', () => {
  it('averages QEMU\'s "first sync more than 1 s after the last check" over rounds 20 % shorter to longer', () => {
    // r in [0.8, 1.2]: on [0.8, 1] two rounds (2r), on (1, 1.2] one: (0.36 + 0.22) / 0.4 = 1.45 s
    assertClose(expectedCheckIntervalSec(1), 1.45);
    assertClose(expectedCheckIntervalSec(2), 2); // long rounds: every sync checks
    // short rounds: about 1 s plus half a round
    assert.ok(Math.abs(expectedCheckIntervalSec(0.01) - 1.005) < 1e-3);
    // no knife-edge at 1 s, where exact rounds would check every 2 s at 1.0 s and every 1.001 s at 1.001 s
    assert.ok(Math.abs(expectedCheckIntervalSec(1.001) - expectedCheckIntervalSec(1)) < 0.01);
    for (let r = 0.05; r < 3; r += 0.01) assert.ok(expectedCheckIntervalSec(r) >= Math.max(1, 0.8 * r) - 1e-9 && expectedCheckIntervalSec(r) <= 1.2 * r + 1 + 1e-9, `r=${r}`);
  });
  it('throttles a step every two checks: 2.9 s apart with 1 s rounds, not every 2 s', () => {
    // A 64 MiB working set (a sequential writer's curve) at a 50 MiB/s cap and 300 ms: rounds settle at ten 100 ms
    // windows (1.0 s). The writer is mostly asleep (5 % CPU), so the throttle does not bite until near its top
    // and the rounds stay at 1 s. Seven steps (20 % -> 90 %) take 7 x 2 x 1.45 = 20.3 s (rounded to whole
    // rounds); judging at every 1 s round would take 14 s.
    const curve = { kind: 'curve' as const, points: [{ windowSec: 0.5, dirtiedBytes: 30 * MiB }, { windowSec: 1, dirtiedBytes: 60 * MiB }, { windowSec: 2, dirtiedBytes: 64 * MiB }, { windowSec: 4, dirtiedBytes: 64 * MiB }] };
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 60 * MiB, dirtyModel: curve, cpuUtilisation: 0.05 }, bandwidthBytesPerSec: 50 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3, autoConverge: true, timeoutSec: 60 }, platform: { syncSec: 0 }, trace: true });
    let t = 0;
    let at20 = NaN;
    let at90 = NaN;
    for (const r of p.trace!) {
      if (Number.isNaN(at20) && r.throttle >= 0.2 - 1e-9) at20 = t;
      if (Number.isNaN(at90) && r.throttle >= 0.9 - 1e-9) at90 = t;
      t += r.durationSec;
    }
    assert.ok(at90 - at20 >= 19 && at90 - at20 <= 21.5, `20 % at ${at20} s, 90 % at ${at90} s`);
    assert.equal(p.converged, true); // at 99 % the writer is finally slowed
  });
});

describe('qemu policy by hand', () => {
  it('idle 256 MiB at a 100 MiB/s cap, 300 ms limit: 23 windows, then 26 MiB stop-and-copy', () => {
    // threshold = 100 MiB/s * 0.3 s = 30 MiB; round 0 sends until < 30 MiB pending: ceil(226 / 10) = 23 windows
    // = 230 MiB in 2.3 s; 26 MiB left, nothing dirtied: 26 MiB <= 30 MiB -> switch over. QEMU lifts the cap for
    // the final copy: without a stop-copy or line rate it runs at link speed, 10 Gbit/s = 1.25e9 B/s.
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3 }, platform: { syncSec: 0 } });
    assert.equal(p.rounds, 1);
    assert.equal(p.converged, true);
    assert.equal(p.reason, 'fits-downtime-limit');
    assertClose(p.precopySec, 2.3);
    assertClose(p.stopCopyBytes, 26 * MiB);
    assertClose(p.stopCopySec, (26 * MiB) / 1.25e9);
    assertClose(p.downtimeSec, (26 * MiB) / 1.25e9 + 0.02);
    assertClose(p.totalTimeSec, 2.3 + (26 * MiB) / 1.25e9 + 0.02);
    assertClose(p.transferredBytes, 256 * MiB);
  });
  it('each round ends with a bitmap sync that costs syncSec', () => {
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3 }, platform: { syncSec: 0.005 } });
    assertClose(p.precopySec, 2.305);
  });
  it('without platform constants the final copy runs at 10 Gbit/s, or at the cap when that is faster', () => {
    const at = (bw: number) => predict({ vm: { memoryBytes: 16 * 1024 * MiB, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: bw, policy: { name: 'qemu' }, platform: { resumeSec: 0 } });
    const slow = at(100 * MiB);
    assertClose(slow.stopCopySec, slow.stopCopyBytes / 1.25e9);
    const fast = at(40e9 / 8);
    assert.ok(fast.stopCopyBytes > 0 && slow.stopCopyBytes > 0);
    assertClose(fast.stopCopySec, fast.stopCopyBytes / 5e9);
  });
  it('the final copy runs at the line rate, not the cap', () => {
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' }, platform: { lineRateBytesPerSec: 1000 * MiB, resumeSec: 0.01 } });
    assertClose(p.downtimeSec, 0.026 + 0.01);
  });
  it('round 0 resends the share of the working set it had already scanned', () => {
    // 256 MiB, an 8 MiB working set rewritten within 0.1 s (a levelled-off curve). Round 0 as above: 230 MiB in
    // 2.3 s, 26 MiB unsent. The 8 MiB of dirt lies anywhere in RAM: 26/256 of it is still unsent, so
    // 8 * 230/256 = 7.1875 MiB is added: 33.1875 MiB > 30 MiB -> one more 100 ms window (10 MiB).
    // Round 1 (freshDirt 'age', the default): its 10 MiB continue the first pass (16 MiB of it left); the hot
    // pages it reaches, 8 * 10/256 = 0.3125 MiB, are rewritten within the round; the 7.1875 MiB reached before are
    // dirty already. 16 + 7.1875 + 0.3125 = 23.5 MiB pending <= 30 MiB -> switch over; 2.4 s of pre-copy,
    // 230 + 10 + 23.5 = 263.5 MiB = 256 + the 7.5 MiB of the set resent.
    const curve = { kind: 'curve' as const, points: [{ windowSec: 0.1, dirtiedBytes: 8 * MiB }, { windowSec: 4, dirtiedBytes: 8 * MiB }] };
    const input = { vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 80 * MiB, dirtyModel: curve }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' as const, downtimeLimitSec: 0.3 }, platform: { syncSec: 0 } };
    const p = predict(input);
    assert.equal(p.rounds, 2);
    assertClose(p.precopySec, 2.4);
    assertClose(p.stopCopyBytes, 23.5 * MiB);
    assertClose(p.transferredBytes, 263.5 * MiB);
    assert.deepEqual(predict({ ...input, policy: { ...input.policy, freshDirt: 'age' } }), p);
    // freshDirt 'pool' (the default until session 7) draws round 1's leftover and dirt from the working set:
    // 33.1875 - 10 = 23.1875 MiB pending -> switch over. Bytes: 230 + 10 + 23.1875 = 263.1875 MiB.
    const pool = predict({ ...input, policy: { ...input.policy, freshDirt: 'pool' } });
    assert.equal(pool.rounds, 2);
    assertClose(pool.stopCopyBytes, 23.1875 * MiB);
    assertClose(pool.transferredBytes, 263.1875 * MiB);
    assert.throws(() => predict({ ...input, policy: { ...input.policy, freshDirt: 'newest' as 'age' } }), /policy\.freshDirt must be pool or age/);
  });
  it('with a memory layout, round 0 resends only the hot pages it has got past', () => {
    // The same VM, its 8 MiB working set in the last eighth of RAM. Round 0 sends 230 of 256 MiB: 7.1875 of the
    // 8 slices, so 0.1875 of the hot slice (1.5 MiB of the working set) is behind the scan and is sent again.
    // 26 + 1.5 = 27.5 MiB <= 30 MiB: switch over after round 0. Bytes: 230 + 27.5 = 257.5 MiB.
    const curve = { kind: 'curve' as const, points: [{ windowSec: 0.1, dirtiedBytes: 8 * MiB }, { windowSec: 4, dirtiedBytes: 8 * MiB }] };
    const layout = { nonZeroPages: [8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192], hotPages: [0, 0, 0, 0, 0, 0, 0, 2048] }; // pages of 4 KiB: all 8 MiB seen
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 80 * MiB, dirtyModel: curve, layout }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3 }, platform: { syncSec: 0 } });
    assert.equal(p.rounds, 1);
    assertClose(p.stopCopyBytes, 27.5 * MiB);
    assertClose(p.transferredBytes, 257.5 * MiB);
  });
  it("dirt left zero counts toward QEMU's switch-over estimate, not the wire", () => {
    // The VM above (27.5 MiB pending after round 0, under the 30 MiB threshold) whose dirt is 3/4 zero pages:
    // the 1.5 MiB of non-zero dirt behind the scan comes with 4.5 MiB of zero dirt, so QEMU's estimate is
    // 26 + 1.5 + 4.5 = 32 MiB > 30 MiB and it runs one more window (10 MiB, taking 10/27.5 of the zero pages
    // along as 9-byte flags): 17.5 MiB non-zero + 2.86 MiB zero pending <= 30 MiB -> switch over with 17.5 MiB
    // where the VM without zero dirt switched over at once with 27.5 MiB. (freshDirt 'pool' keeps round 1's new
    // dirt in the pending pool by hand; the default, 'age', adds the hot pages round 1 reaches — another round.)
    const curve = { kind: 'curve' as const, points: [{ windowSec: 0.1, dirtiedBytes: 8 * MiB }, { windowSec: 4, dirtiedBytes: 8 * MiB }] };
    const layout = { nonZeroPages: [8192, 8192, 8192, 8192, 8192, 8192, 8192, 8192], hotPages: [0, 0, 0, 0, 0, 0, 0, 2048] }; // pages of 4 KiB: all 8 MiB seen
    const base = { vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 80 * MiB, dirtyModel: curve, layout }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' as const, downtimeLimitSec: 0.3, freshDirt: 'pool' as const }, platform: { syncSec: 0 } };
    const none = predict(base);
    const zero = predict({ ...base, vm: { ...base.vm, dirtyZeroShare: 0.75 }, trace: true });
    assert.equal(none.rounds, 1);
    assertClose(none.stopCopyBytes, 27.5 * MiB);
    assert.equal(zero.rounds, 2);
    assertClose(zero.trace![0].remainingBytes, 27.5 * MiB); // the non-zero bytes; the estimate adds 4.5 MiB
    assertClose(zero.stopCopyBytes, 17.5 * MiB);
    const flags = ((4.5 * MiB * 10) / 27.5 / 4096) * 9;
    assertClose(zero.transferredBytes, 257.5 * MiB + flags);
    assert.throws(() => predict({ ...base, vm: { ...base.vm, dirtyZeroShare: 1 } }), /vm\.dirtyZeroShare must be in \[0, 1\)/);
  });
  it('the hot share a first pass has scanned, slice by slice', () => {
    const layout = { nonZeroPages: [100, 100, 0, 100], hotPages: [0, 10, 5, 30] };
    assertClose(hotShareScanned(layout, 0.5), 5 / 45); // half of slice 1
    assertClose(hotShareScanned(layout, 2 / 3), 10 / 45); // slices 0-1; the empty slice 2 not reached
    assertClose(hotShareScanned(layout, 0.8), 27 / 45); // 0-2 and 40 % of slice 3
    assert.equal(hotShareScanned(layout, 1), 1);
    assert.equal(hotShareScanned(undefined, 0.3), 0.3); // no layout: uniform
    assert.equal(hotShareScanned({ nonZeroPages: [1, 2], hotPages: [0, 0] }, 0.3), 0.3); // no hot page: uniform
  });
  it('a layout that shows only part of the working set: that part where it lies, the rest uniform', () => {
    const layout = { nonZeroPages: [100, 100, 0, 100], hotPages: [0, 10, 5, 30] };
    // 45 hot pages of 4 KiB against a 90-page working set: the layout shows half of it
    assertClose(layoutSeenShare(layout, 4096, 90 * 4096), 0.5);
    assert.equal(layoutSeenShare(layout, 4096, 30 * 4096), 1); // it shows more than the pool: all of it
    assert.equal(layoutSeenShare(undefined, 4096, 30 * 4096), 1);
    assert.equal(layoutSeenShare({ nonZeroPages: [1], hotPages: [0] }, 4096, 30 * 4096), 1); // no hot page: uniform anyway
    // half as the layout places it (5 / 45 scanned at 0.5), half uniform (0.5)
    assertClose(hotShareScanned(layout, 0.5, 0.5), 0.5 * (5 / 45) + 0.5 * 0.5);
    assert.equal(hotShareScanned(layout, 1, 0.5), 1);
    // in the model: a 256 MiB working set whose layout shows its hot pages in the last quarter of RAM, all of them
    // (64 Ki pages) or a quarter: the same placement, so the first pass's leftover dirt differs only by what is unseen,
    // which lies between the fully seen layout's and no layout's (uniform)
    const vm = { memoryBytes: 512 * MiB, dirtyRateBytesPerSec: 64 * MiB, workingSetBytes: 256 * MiB };
    const run = (hot?: number) => predict({ vm: { ...vm, ...(hot ? { layout: { nonZeroPages: [32768, 32768, 32768, 32768], hotPages: [0, 0, 0, hot] } } : {}) }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' }, trace: true }).trace![0].remainingBytes;
    const [all, quarter, none] = [run(65536), run(16384), run(undefined)];
    assert.ok(all < quarter && quarter < none, `${all} < ${quarter} < ${none}`);
  });
  it('a bad layout is a RangeError naming the field', () => {
    const vm = { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 0 };
    assert.throws(() => predict({ vm: { ...vm, layout: { nonZeroPages: [1, 2], hotPages: [1] } }, bandwidthBytesPerSec: MiB, policy: { name: 'qemu' } }), /vm\.layout\.nonZeroPages and vm\.layout\.hotPages/);
    assert.throws(() => predict({ vm: { ...vm, layout: { nonZeroPages: [1, NaN], hotPages: [1, 1] } }, bandwidthBytesPerSec: MiB, policy: { name: 'qemu' } }), /vm\.layout\.nonZeroPages\[1\] must be a finite number >= 0/);
  });
  it('zero pages travel as 9-byte flags', () => {
    // half of 256 MiB is zero: 32768 flags of 9 bytes; 128 MiB of page data
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 0, zeroPageFraction: 0.5 }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' } });
    assertClose(p.transferredBytes, 128 * MiB + 32768 * 9);
  });
});

describe("Liu's weighted cost", () => {
  const mk = (down: number, time: number, bytes: number, e: number): Prediction => ({
    downtimeSec: down, totalTimeSec: time, transferredBytes: bytes, energyJoules: e,
    rounds: 1, converged: true, reason: 'below-threshold', setupSec: 0, precopySec: time, stopCopySec: down, stopCopyBytes: 0, resumeSec: 0, maxThrottle: 0,
  });
  it('normalises each metric by its maximum and ranks the cheapest first', () => {
    const a = mk(1, 10, 100, 50); // C = .25 (1/2 + 10/20 + 100/100 + 50/100) = 0.625
    const b = mk(2, 20, 50, 100); // C = .25 (1 + 1 + .5 + 1) = 0.875
    const c = mk(0.5, 5, 80, 25); // C = .25 (.25 + .25 + .8 + .25) = 0.3875
    const ranked = rankByCost([a, b, c], (x) => x);
    assert.deepEqual(ranked.map((r) => r.index), [2, 0, 1]);
    assertClose(ranked[0].cost, 0.3875);
    assertClose(ranked[1].cost, 0.625);
    assertClose(ranked[2].cost, 0.875);
  });
  it('weights must sum to 1', () => {
    assert.throws(() => rankByCost([mk(1, 1, 1, 1)], (x) => x, { downtime: 1, time: 1, traffic: 0, energy: 0 }), /sum to 1/);
  });
  it('traffic-only weights rank by bytes', () => {
    const ranked = rankByCost([mk(1, 1, 300, 1), mk(1, 1, 100, 1), mk(1, 1, 200, 1)], (x) => x, { downtime: 0, time: 0, traffic: 1, energy: 0 });
    assert.deepEqual(ranked.map((r) => r.index), [1, 2, 0]);
  });
});

describe("Liu's adaptive rate", () => {
  it('R = D + delta, clamped to [R_min, R_max]', () => {
    const base = { vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 10 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'liu' as const }, trace: true };
    const free = predict({ ...base, adaptiveRate: { deltaBytesPerSec: 20 * MiB, minBytesPerSec: 1, maxBytesPerSec: 1000 * MiB } });
    assertClose(free.trace![0].rateBytesPerSec, 30 * MiB);
    const low = predict({ ...base, adaptiveRate: { deltaBytesPerSec: 20 * MiB, minBytesPerSec: 50 * MiB, maxBytesPerSec: 1000 * MiB } });
    assertClose(low.trace![0].rateBytesPerSec, 50 * MiB);
    const high = predict({ ...base, adaptiveRate: { deltaBytesPerSec: 200 * MiB, minBytesPerSec: 1, maxBytesPerSec: 80 * MiB } });
    assertClose(high.trace![0].rateBytesPerSec, 80 * MiB);
  });
  it('works with every policy', () => {
    for (const name of ['xen', 'liu', 'qemu'] as const) {
      const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 10 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name }, adaptiveRate: { deltaBytesPerSec: 20 * MiB, minBytesPerSec: 1, maxBytesPerSec: 100 * MiB }, trace: true });
      assert.ok(p.converged, name);
      assertClose(p.trace![0].rateBytesPerSec, 30 * MiB, 1e-9, name);
    }
  });
});
