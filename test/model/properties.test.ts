/** Properties of the simulator over seeded random inputs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closedForm, predict, POLICY_DEFAULTS, type PolicyName, type Prediction, type PredictInput } from '../../src/index.js';
import { assertClose, rng, GiB, MiB } from '../helpers.js';

const POLICIES: PolicyName[] = ['xen', 'liu', 'qemu'];

function randomInput(r: () => number, name: PolicyName): PredictInput {
  return {
    vm: {
      memoryBytes: Math.round((0.25 + r() * 15.75) * GiB),
      dirtyRateBytesPerSec: r() * 300 * MiB,
      zeroPageFraction: r() < 0.5 ? 0 : r() * 0.9,
      workingSetBytes: r() < 0.3 ? r() * GiB : undefined,
      dirtyModel: r() < 0.3 ? { kind: 'wws' } : { kind: 'constant' },
    },
    bandwidthBytesPerSec: (10 + r() * 1240) * MiB,
    policy: { name, downtimeLimitSec: 0.05 + r() * 2, autoConverge: r() < 0.5, timeoutSec: 300 },
  };
}

describe('simulation = closed form for a constant rate (no working set, no zero pages)', () => {
  it('agrees on V_mig, T_mig, rounds and downtime for 2,000 random VMs at lambda < 1', () => {
    const r = rng(1);
    for (let k = 0; k < 2000; k++) {
      const M = (0.1 + r() * 16) * GiB;
      const R = (10 + r() * 1000) * MiB;
      const D = r() * 0.98 * R;
      const thd = r() * 64 * MiB;
      const maxRounds = 1 + Math.floor(r() * 40);
      const cf = closedForm({ memoryBytes: M, dirtyRateBytesPerSec: D, bandwidthBytesPerSec: R, thresholdBytes: thd, maxRounds, resumeSec: 0.02 });
      const p = predict({ vm: { memoryBytes: M, dirtyRateBytesPerSec: D }, bandwidthBytesPerSec: R, policy: { name: 'liu', thresholdBytes: thd, maxRounds } });
      const msg = `M=${M} D=${D} R=${R} thd=${thd} cap=${maxRounds}`;
      assert.equal(p.rounds, cf.n, msg);
      assertClose(p.transferredBytes, cf.transferredBytes, 1e-9, msg);
      assertClose(p.precopySec + p.stopCopySec, cf.migrationSec, 1e-9, msg);
      assertClose(p.downtimeSec, cf.downtimeSec, 1e-9, msg);
      assert.equal(p.converged, cf.converged, msg);
    }
  });
});

describe('every prediction is finite and explains itself', () => {
  it('holds for 5,000 random inputs per policy, converging or not', () => {
    const r = rng(2);
    for (const name of POLICIES) {
      for (let k = 0; k < 5000; k++) {
        const input = randomInput(r, name);
        const p = predict(input);
        for (const [key, v] of Object.entries(p)) if (typeof v === 'number') assert.ok(Number.isFinite(v) && v >= 0, `${name} ${key}=${v}`);
        assert.equal(typeof p.converged, 'boolean');
        assert.equal(p.converged, p.reason === 'below-threshold' || p.reason === 'fits-downtime-limit');
        assert.ok(p.totalTimeSec >= p.downtimeSec);
      }
    }
  });
});

describe('time and traffic never decrease as the dirty rate grows', () => {
  // Between two predictions of which at least one converged. Where neither converged, the stop rules
  // decide the figures (Xen's 3 x M cap and 29 rounds, QEMU's time-out) and make a sawtooth: a forced
  // stop after fewer, larger rounds can send less. Liu's "no longer shrinking" rule drops at lambda = 1.
  for (const name of POLICIES) {
    it(`${name}: over sweeps of the dirty rate`, () => {
      const r = rng(3);
      let compared = 0;
      for (let k = 0; k < 200; k++) {
        const M = (0.25 + r() * 8) * GiB;
        const R = (20 + r() * 1000) * MiB;
        const zero = r() < 0.5 ? 0 : r() * 0.8;
        const dl = 0.05 + r() * 1;
        let last: Prediction | undefined;
        for (let s = 0; s <= 60; s++) {
          const D = (3 * R * s) / 60;
          const p = predict({ vm: { memoryBytes: M, dirtyRateBytesPerSec: D, zeroPageFraction: zero }, bandwidthBytesPerSec: R, policy: { name, downtimeLimitSec: dl, timeoutSec: 300 } });
          const msg = `${name} M=${M} R=${R} D=${D}`;
          if (last && (last.converged || p.converged)) {
            compared++;
            assert.ok(p.totalTimeSec >= last.totalTimeSec * (1 - 1e-12), `time fell: ${msg}`);
            assert.ok(p.transferredBytes >= last.transferredBytes * (1 - 1e-12), `traffic fell: ${msg}`);
          }
          if (name === 'qemu' && !p.converged) assertClose(p.precopySec, 300, 1e-9, `qemu gives up at the time-out: ${msg}`);
          last = p;
        }
      }
      assert.ok(compared > 1000, `only ${compared} pairs compared`);
    });
  }

  it("liu: where lambda reaches 1 the round stops shrinking and traffic drops to 2 M (the paper's rule)", () => {
    const below = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 0.99 * 100 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'liu' } });
    const above = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 1.01 * 100 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'liu' } });
    assert.equal(below.reason, 'max-rounds');
    assert.equal(above.reason, 'not-shrinking');
    assert.equal(above.converged, false);
    assertClose(above.transferredBytes, 2 * GiB);
    assert.ok(below.transferredBytes > above.transferredBytes);
  });
});

describe('bytes are conserved across rounds', () => {
  it('the trace adds up to the totals, and each round sends what the last one left', () => {
    const r = rng(4);
    for (const name of POLICIES) {
      for (let k = 0; k < 500; k++) {
        const input = { ...randomInput(r, name), trace: true };
        input.vm.zeroPageFraction = 0;
        const p = predict(input);
        const t = p.trace!;
        let sent = 0;
        let time = 0;
        for (const row of t) {
          sent += row.sentBytes;
          time += row.durationSec;
        }
        assertClose(sent, p.transferredBytes, 1e-9, name);
        assertClose(time, p.precopySec + p.stopCopySec, 1e-9, name);
        assert.equal(t.length, p.rounds + 1);
        assert.equal(t[t.length - 1].kind, 'stop-copy');
        if (name !== 'qemu') assertClose(t[0].sentBytes, input.vm.memoryBytes, 1e-12, name);
        else assert.ok(t[0].sentBytes <= input.vm.memoryBytes * (1 + 1e-12));
        let pending = input.vm.memoryBytes;
        for (const row of t.slice(0, -1)) {
          if (name !== 'qemu' && row !== t[t.length - 2]) assertClose(row.remainingBytes + row.skippedBytes, row.dirtiedBytes, 1e-9, name);
          if (name === 'qemu') {
            // remaining = (pending - sent) united with what was dirtied: between the larger and the sum
            const leftover = pending - row.sentBytes;
            assert.ok(row.remainingBytes <= leftover + row.dirtiedBytes + 1e-6);
            assert.ok(row.remainingBytes >= Math.max(leftover, row.dirtiedBytes) - 1e-6);
            pending = row.remainingBytes;
          }
        }
        for (let i = 1; i < t.length - 1; i++) {
          if (name !== 'qemu') assertClose(t[i].sentBytes, t[i - 1].remainingBytes, 1e-9, `${name} round ${i}`);
          else assert.ok(t[i].sentBytes <= t[i - 1].remainingBytes * (1 + 1e-9), `${name} round ${i}`);
        }
        assertClose(t[t.length - 1].sentBytes, t[t.length - 2].remainingBytes, 1e-9, `${name} final`);
      }
    }
  });
});

describe('Xen stop rules', () => {
  it('traffic stays under 4 x memory, whatever the dirty rate', () => {
    const r = rng(5);
    for (let k = 0; k < 5000; k++) {
      const input = randomInput(r, 'xen');
      input.vm.dirtyRateBytesPerSec *= 10;
      const p = predict(input);
      assert.ok(p.transferredBytes <= 4 * input.vm.memoryBytes * (1 + 1e-12), `${p.transferredBytes / input.vm.memoryBytes} x M`);
      assert.ok(p.rounds <= POLICY_DEFAULTS.xen.maxRounds);
    }
  });
  it('lambda >= 1 ends on the traffic cap with a forced, long stop-and-copy', () => {
    const p = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 200 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'xen' } });
    assert.equal(p.converged, false);
    assert.equal(p.reason, 'traffic-cap');
    assertClose(p.transferredBytes, 4 * GiB); // 3 rounds of M, then a stop-and-copy of M
    assertClose(p.downtimeSec, 10.24 + 0.02);
  });
  it('stops below 50 dirty pages', () => {
    const p = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'xen' } });
    assert.equal(p.rounds, 1);
    assert.equal(p.reason, 'below-threshold');
  });
  it('stops after 29 iterations', () => {
    // lambda = 0.95: 0.95^29 M is still far above 50 pages
    const p = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 95 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'xen', maxTrafficFactor: 100 } });
    assert.equal(p.rounds, 29);
    assert.equal(p.reason, 'max-rounds');
  });
});

describe('qemu policy', () => {
  it('a dirty rate above the bandwidth never converges without auto-converge, and says so', () => {
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 200 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu', timeoutSec: 60 } });
    assert.equal(p.converged, false);
    assert.equal(p.reason, 'timeout');
    assert.ok(p.precopySec >= 60 && p.precopySec < 64);
    assert.ok(Number.isFinite(p.transferredBytes));
  });
  it('the same VM converges with auto-converge, throttling in steps of 20 %, +10 %', () => {
    const p = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 200 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu', autoConverge: true }, trace: true });
    assert.equal(p.converged, true);
    const steps = [...new Set(p.trace!.map((r) => Math.round(r.throttle * 100)))];
    assert.equal(steps[0], 0);
    assert.equal(steps[1], 20);
    for (let i = 2; i < steps.length; i++) assert.equal(steps[i] - steps[i - 1], 10);
    assert.ok(p.maxThrottle <= 0.99);
  });
  it('a lightly loaded guest keeps its dirty rate under throttling until 1 - p falls below its CPU share', () => {
    const base = { vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 200 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' as const, autoConverge: true } };
    const busy = predict(base);
    const light = predict({ ...base, vm: { ...base.vm, cpuUtilisation: 0.05 } });
    assert.ok(busy.converged && light.converged);
    assert.ok(light.precopySec > busy.precopySec, `${light.precopySec} vs ${busy.precopySec}`);
    assertClose(light.maxThrottle, 0.99); // only 1 - 0.99 < 0.05 slows it: 200 x 0.01 / 0.05 = 40 MiB/s
    assert.ok(busy.maxThrottle < 0.99);
  });
  it('a longer downtime limit never takes longer', () => {
    const r = rng(6);
    for (let k = 0; k < 300; k++) {
      const vm = { memoryBytes: (0.25 + r() * 4) * GiB, dirtyRateBytesPerSec: r() * 150 * MiB };
      const R = (50 + r() * 200) * MiB;
      let last = Infinity;
      for (const dl of [0.05, 0.1, 0.3, 1, 3]) {
        // without the per-round sync cost: a larger limit may split the same windows into one more round
        const p = predict({ vm, bandwidthBytesPerSec: R, policy: { name: 'qemu', downtimeLimitSec: dl, timeoutSec: 300 }, platform: { syncSec: 0 } });
        assert.ok(p.precopySec <= last * (1 + 1e-9));
        last = p.precopySec;
      }
    }
  });
  it('rounds under a binding cap last whole 100 ms windows', () => {
    const p = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 30 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' }, trace: true });
    // each round: whole windows, plus the 1 ms bitmap sync
    for (const row of p.trace!.filter((x) => x.kind === 'pre-copy')) assertClose((row.durationSec - 0.001) * 10, Math.round((row.durationSec - 0.001) * 10), 1e-9);
  });
  it('a working set bounds what is dirtied', () => {
    const p = predict({ vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 500 * MiB, workingSetBytes: 16 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' } });
    assert.equal(p.converged, true);
    assert.ok(p.stopCopyBytes <= 30 * MiB);
  });
});

describe('bad arguments to the pure core throw RangeError naming the field', () => {
  const ok: PredictInput = { vm: { memoryBytes: GiB, dirtyRateBytesPerSec: MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' } };
  const cases: [string, PredictInput, RegExp][] = [
    ['negative memory', { ...ok, vm: { ...ok.vm, memoryBytes: -1 } }, /vm\.memoryBytes/],
    ['NaN memory', { ...ok, vm: { ...ok.vm, memoryBytes: NaN } }, /vm\.memoryBytes/],
    ['infinite rate', { ...ok, vm: { ...ok.vm, dirtyRateBytesPerSec: Infinity } }, /vm\.dirtyRateBytesPerSec/],
    ['zero bandwidth', { ...ok, bandwidthBytesPerSec: 0 }, /bandwidthBytesPerSec/],
    ['zero fraction > 1', { ...ok, vm: { ...ok.vm, zeroPageFraction: 1.5 } }, /zeroPageFraction/],
    ['unknown policy', { ...ok, policy: { name: 'vmware' as PolicyName } }, /policy\.name/],
    ['bad curve', { ...ok, vm: { ...ok.vm, dirtyModel: { kind: 'curve', points: [{ windowSec: 2, dirtiedBytes: 5 }, { windowSec: 1, dirtiedBytes: 6 }] } } }, /windowSec must grow/],
    ['zero downtime limit', { ...ok, policy: { name: 'qemu', downtimeLimitSec: 0 } }, /downtimeLimitSec/],
  ];
  for (const [name, input, re] of cases) it(name, () => assert.throws(() => predict(input), (e: Error) => e instanceof RangeError && re.test(e.message)));
});
