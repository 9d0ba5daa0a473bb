import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { predict } from '../../src/model/index.js';
import { classifyTrace, dirtyRateBytesPerSec, WORKLOAD_CLASS_SPECS, WORKLOAD_CLASSES } from '../../src/sim/workload-classes.js';
import { workloadClassPricer, SIM_MIGRATION_POLICY } from '../../src/sim/pricer.js';
import { selectMoa, selectOptimal, objectiveCosts, ascendingCostOrder } from '../../src/sim/cost-selection.js';
import { mulberry32 } from '../../src/stats/random.js';
import { scalePlanetLabTraces, withBitbrainsMemory, MIN_BITBRAINS_MEMORY_MB } from '../../src/sim/presets.js';

const MiB = 2 ** 20;

describe('workload classes', () => {
  it('classify a trace by its mean and coefficient of variation', () => {
    assert.equal(classifyTrace([0.01, 0.02, 0.03]), 'idle'); // mean 2 %
    assert.equal(classifyTrace([0.4, 0.5]), 'memory-intensive'); // mean 45 %
    assert.equal(classifyTrace([0.1, 0.3]), 'web'); // mean 0.2, stdev 0.1: CV 0.5
    assert.equal(classifyTrace([0.18, 0.22]), 'batch'); // mean 0.2, stdev 0.02: CV 0.1
    assert.equal(classifyTrace([]), 'idle');
  });
  it('dirty rate = class rate at full CPU x utilisation, clamped to [0, 1]', () => {
    assert.equal(dirtyRateBytesPerSec('web', 0.5), 20 * MiB);
    assert.equal(dirtyRateBytesPerSec('memory-intensive', 1.7), 78 * MiB);
    assert.equal(dirtyRateBytesPerSec('batch', -1), 0);
    assert.equal(dirtyRateBytesPerSec('idle', 1), 1 * MiB);
  });
  it('the pricer is predict() with the class rate and working set (web, 1 GiB, 50 % CPU, 62.5 MiB/s)', () => {
    const p = workloadClassPricer().price({ vmName: 'a', memoryBytes: 2 ** 30, cpuUtilisation: 0.5, bandwidthBytesPerSec: 62.5 * MiB, startSec: 0, workloadClass: 'web' });
    const r = predict({
      vm: { memoryBytes: 2 ** 30, dirtyRateBytesPerSec: 20 * MiB, workingSetBytes: 0.25 * 2 ** 30, cpuUtilisation: 0.5 },
      bandwidthBytesPerSec: 62.5 * MiB,
      policy: SIM_MIGRATION_POLICY,
    });
    assert.equal(p.transferredBytes, r.transferredBytes);
    assert.equal(p.totalTimeSec, r.totalTimeSec);
    assert.equal(p.downtimeSec, r.downtimeSec);
    // 1 GiB at 62.5 MiB/s is 16.4 s before any re-sent page; 20 MiB/s of dirtying adds to it
    assert.ok(p.totalTimeSec > 1024 / 62.5);
    assert.ok(p.transferredBytes > 2 ** 30);
  });
  it('at the same memory and CPU, a hungrier class costs at least as much traffic and time', () => {
    const pricer = workloadClassPricer();
    let prev = { transferredBytes: 0, totalTimeSec: 0 };
    for (const c of WORKLOAD_CLASSES) {
      assert.ok(WORKLOAD_CLASS_SPECS[c].workingSetFraction > 0);
      const p = pricer.price({ vmName: 'x', memoryBytes: 870 * MiB, cpuUtilisation: 0.6, bandwidthBytesPerSec: 62.5 * MiB, startSec: 0, workloadClass: c });
      assert.ok(p.transferredBytes >= prev.transferredBytes && p.totalTimeSec >= prev.totalTimeSec, c);
      assert.ok(p.converged, c);
      prev = p;
    }
  });
});

describe('cost-aware selection', () => {
  // a tiny host: capacity 10, VM loads 6, 4, 3, 2 (total 15): overloaded while the remaining load > 10
  const loads = [6, 4, 3, 2];
  const over = (removed: readonly number[]) => loads.reduce((s, l, i) => s + (removed.includes(i) ? 0 : l), 0) > 10;
  it('moa takes the cheapest first until the overload ends', () => {
    // costs: VM 3 cheapest, then 2, then 1: removes 2 (load 13), then 3 (load 10, cool)
    assert.deepEqual(selectMoa([9, 5, 2, 1], over), [3, 2]);
    assert.deepEqual(ascendingCostOrder([3, 1, 3, 0]), [3, 1, 0, 2]);
    assert.deepEqual(selectMoa([], over), []);
  });
  it('optimal finds a cheaper set than moa when the cheapest VMs relieve too little', () => {
    // moa: 3 (cost 1, load 13), 2 (cost 2, load 10) = cost 3; optimal: VM 0 alone (cost 2.5, load 9)
    assert.deepEqual(selectMoa([2.5, 5, 2, 1], over), [3, 2]);
    assert.deepEqual(selectOptimal([2.5, 5, 2, 1], over), [0]);
  });
  it('property: optimal total cost <= moa total cost, and both end the overload (500 random hosts)', () => {
    const rnd = mulberry32(42);
    for (let k = 0; k < 500; k++) {
      const n = 1 + Math.floor(rnd() * 7);
      const l = Array.from({ length: n }, () => 1 + Math.floor(rnd() * 10));
      const costs = Array.from({ length: n }, () => Math.round(rnd() * 100) / 10);
      const cap = Math.floor(rnd() * l.reduce((a, b) => a + b, 0));
      const o = (removed: readonly number[]) => l.reduce((s, x, i) => s + (removed.includes(i) ? 0 : x), 0) > cap;
      const m = selectMoa(costs, o);
      const opt = selectOptimal(costs, o);
      const sum = (set: number[]) => set.reduce((s, i) => s + costs[i], 0);
      assert.ok(sum(opt) <= sum(m) + 1e-12, `case ${k}: optimal ${sum(opt)} > moa ${sum(m)}`);
      assert.equal(o(m), false);
      assert.equal(o(opt), false);
      // beyond the exact limit optimal is moa
      assert.deepEqual(selectOptimal(costs, o, 0), m);
    }
  });
  it('objectives: traffic, downtime, sla = requested MIPS x (0.1 x time + downtime), Liu\'s normalised cost', () => {
    const a = { transferredBytes: 100, downtimeSec: 0.2, totalTimeSec: 10, converged: true, energyJoules: 20 };
    const b = { transferredBytes: 200, downtimeSec: 0.1, totalTimeSec: 20, converged: true, energyJoules: 40 };
    assert.deepEqual(objectiveCosts([a, b], [1000, 500], 'traffic'), [100, 200]);
    assert.deepEqual(objectiveCosts([a, b], [1000, 500], 'downtime'), [0.2, 0.1]);
    const sla = objectiveCosts([a, b], [1000, 500], 'sla');
    assert.ok(Math.abs(sla[0] - 1000 * (0.1 * 10 + 0.2)) < 1e-9 && Math.abs(sla[1] - 500 * (0.1 * 20 + 0.1)) < 1e-9);
    // a: 0.25 (1 + 0.5 + 0.5 + 0.5) = 0.625; b: 0.25 (0.5 + 1 + 1 + 1) = 0.875
    const c = objectiveCosts([a, b], [1, 1], 'cost');
    assert.ok(Math.abs(c[0] - 0.625) < 1e-12 && Math.abs(c[1] - 0.875) < 1e-12);
  });
});

describe('scale and memory sources', () => {
  const traces = [{ name: 'a', percent: [10, 50, 100] }, { name: 'b', percent: [0, 20, 40] }];
  it('--scale: copy 0 is the day itself, copies are jittered within ±10 % and deterministic', () => {
    const s = scalePlanetLabTraces(traces, 3, 7);
    assert.equal(s.length, 6);
    assert.deepEqual(s.slice(0, 2), traces);
    assert.deepEqual(s.map((t) => t.name), ['a', 'b', 'a#1', 'b#1', 'a#2', 'b#2']);
    assert.deepEqual(scalePlanetLabTraces(traces, 3, 7), s);
    for (let k = 2; k < 6; k++) {
      const base = traces[k % 2].percent;
      for (let i = 0; i < base.length; i++) {
        assert.ok(Math.abs(s[k].percent[i] - base[i]) <= Math.ceil(base[i] * 0.1) + 0.5);
        assert.ok(s[k].percent[i] >= 0 && s[k].percent[i] <= 100);
      }
    }
  });
  it('--memory-source bitbrains: each VM one of the sizes (at least the minimum), the same for a seed', () => {
    const vms = Array.from({ length: 50 }, (_, i) => ({ name: `v${i}`, mips: 1000, ramMb: 870, bwKbps: 1, utilisation: new Float64Array(2) }));
    const sizes = [271, 8, 1974];
    const a = withBitbrainsMemory(vms, sizes, 3);
    assert.deepEqual(a.map((v) => v.ramMb), withBitbrainsMemory(vms, sizes, 3).map((v) => v.ramMb));
    for (const v of a) assert.ok([271, MIN_BITBRAINS_MEMORY_MB, 1974].includes(v.ramMb));
    assert.equal(new Set(a.map((v) => v.ramMb)).size, 3);
    assert.equal(vms[0].ramMb, 870);
  });
});
