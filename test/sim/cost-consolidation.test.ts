/** The need-capped selection (sla-per-relief), the overload each VM carries, and the cost-ordered consolidation: exact small examples. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectNeedCapped, evacuationCostPerWatt, selectMoa } from '../../src/sim/cost-selection.js';
import { overloadShares, lrOverloaded, type HostLoadView } from '../../src/sim/detectors.js';
import { parsePolicy } from '../../src/sim/compare.js';
import { simulateCluster } from '../../src/sim/engine.js';
import { CLOUDSIM_HOST_TYPES, traceFromPercent } from '../../src/sim/presets.js';
import { mulberry32 } from '../../src/stats/random.js';
import type { SimVmSpec } from '../../src/sim/types.js';

const price = (totalTimeSec: number, downtimeSec: number) => ({ transferredBytes: 0, downtimeSec, totalTimeSec, converged: true, energyJoules: 0 });

describe('sla-per-relief: cost / min(relief, need left), re-evaluated after each pick', () => {
  it('worked example: need 4; costs 10, 4, 3; reliefs 5, 1, 2', () => {
    // first pick: 10 / min(5, 4) = 2.5, 4 / 1 = 4, 3 / 2 = 1.5 -> VM 2; need left 2
    // second: 10 / min(5, 2) = 5, 4 / 1 = 4 -> VM 1 (VM 0's over-relief earns nothing); need left 1
    // third: 10 / min(5, 1) = 10 -> VM 0
    const picks: number[][] = [];
    const still = (r: readonly number[]) => {
      picks.push([...r]);
      return r.length < 3;
    };
    assert.deepEqual(selectNeedCapped([10, 4, 3], [5, 1, 2], 4, still), [2, 1, 0]);
    assert.deepEqual(picks, [[2], [2, 1], [2, 1, 0]]);
    // uncapped (need large) VM 0 would come second: 10 / 5 = 2 < 4 / 1
    assert.deepEqual(selectNeedCapped([10, 4, 3], [5, 1, 2], 100, (r) => r.length < 2), [2, 0]);
    // stops as soon as the host is cool
    assert.deepEqual(selectNeedCapped([10, 4, 3], [5, 1, 2], 4, (r) => r.length < 1), [2]);
  });
  it('no relief left (estimate met, or VMs trending down): the cheapest left', () => {
    assert.deepEqual(selectNeedCapped([5, 1, 3], [-1, 0, 0], 2, (r) => r.length < 2), [1, 2]);
    assert.deepEqual(selectNeedCapped([5, 1, 3], [3, 1, 1], 0, (r) => r.length < 2), selectMoa([5, 1, 3], (r) => r.length < 2));
    assert.deepEqual(selectNeedCapped([], [], 1, () => true), []);
  });
});

describe('overloadShares: how far past the line, and each VM\'s part', () => {
  const view = (utilisation: number, hist: number[], maxMigrationSec = 27.8): HostLoadView => ({ utilisation, history: () => Float64Array.from(hist), maxMigrationSec: () => maxMigrationSec });
  it('thr 0.8: utilisation - 0.8, split by share now', () => {
    const r = overloadShares('thr', 0.8, 300, view(1, []), [{ now: 0.6, history: [] }, { now: 0.4, history: [] }]);
    assert.ok(Math.abs(r.excess - 0.2) < 1e-12);
    assert.deepEqual(r.shares, [0.6, 0.4]);
  });
  it('lr 1.2: the forecast at x = 11 minus 1 / 1.2, split per VM by the same line (shares sum to it)', () => {
    // VM a: flat 0.3 (forecast 0.3); VM b: 0.05, 0.1, ..., 0.5 oldest first (slope 0.05: forecast at 11 = 0.55)
    const a = Array.from({ length: 10 }, () => 0.3);
    const b = Array.from({ length: 10 }, (_, i) => 0.05 * (10 - i)); // newest first
    const host = a.map((x, i) => x + b[i]);
    const r = overloadShares('lr', 1.2, 300, view(0.8, host), [{ now: 0.3, history: a }, { now: 0.5, history: b }]);
    assert.ok(Math.abs(r.shares[0] - 0.3) < 1e-12 && Math.abs(r.shares[1] - 0.55) < 1e-12, String(r.shares));
    assert.ok(Math.abs(r.excess - (0.85 - 1 / 1.2)) < 1e-12);
    // consistent with the detector: 1.2 x 0.85 = 1.02 >= 1, overloaded
    assert.equal(lrOverloaded(view(0.8, host), 1.2), true);
    // a short history: THR 0.7 on the utilisation now
    const s = overloadShares('lr', 1.2, 300, view(0.9, [0.9, 0.8]), [{ now: 0.9, history: [0.9, 0.8] }]);
    assert.ok(Math.abs(s.excess - 0.2) < 1e-12);
  });
});

describe('cost-ordered consolidation', () => {
  it('evacuation cost per watt: sum of requested MIPS x (0.1 x time + downtime) over the host power', () => {
    // (500 x (2 + 0.3) + 1000 x (1 + 0.1)) / 100 W = (1150 + 1100) / 100 = 22.5 MIPS s per W
    assert.ok(Math.abs(evacuationCostPerWatt([price(20, 0.3), price(10, 0.1)], [500, 1000], 100) - 22.5) < 1e-12);
    assert.equal(evacuationCostPerWatt([], [], 90), 0);
  });
  it('the +co suffix of a compared policy', () => {
    assert.deepEqual(parsePolicy('optimal:sla-per-mips+co'), { selection: 'optimal', objective: 'sla-per-mips', consolidationOrder: 'cost' });
    assert.deepEqual(parsePolicy('mmt+co'), { selection: 'mmt', consolidationOrder: 'cost' });
    assert.deepEqual(parsePolicy('moa:relief'), { selection: 'moa', objective: 'relief' });
  });
  it('the engine: cost order runs on both models, counts its migrations, and differs from CloudSim\'s order', () => {
    const rnd = mulberry32(5);
    const vms: SimVmSpec[] = Array.from({ length: 16 }, (_, i) => ({
      name: `vm${i}`,
      mips: [2500, 2000, 1000, 500][i % 4],
      ramMb: [870, 1740, 1740, 613][i % 4],
      bwKbps: 100_000,
      utilisation: traceFromPercent(Array.from({ length: 288 }, () => Math.floor(rnd() * 100))),
    }));
    const cluster = { hosts: Array.from({ length: 12 }, (_, i) => CLOUDSIM_HOST_TYPES[i % 2]), vms };
    for (const migrationModel of ['cloudsim', 'migcost'] as const) {
      const base = simulateCluster({ ...cluster, detector: 'thr', detectorParam: 0.8, selection: 'mmt', migrationModel, limitSec: 6 * 3600 });
      const co = simulateCluster({ ...cluster, detector: 'thr', detectorParam: 0.8, selection: 'mmt', migrationModel, consolidationOrder: 'cost', limitSec: 6 * 3600 });
      assert.ok(co.migrations > 0);
      assert.equal(co.timeline.reduce((s, p) => s + p.migrations, 0), co.migrations);
      assert.ok(co.migrationCost !== undefined);
      assert.notEqual(co.esv, base.esv);
      assert.deepEqual(simulateCluster({ ...cluster, detector: 'thr', detectorParam: 0.8, selection: 'mmt', migrationModel, consolidationOrder: 'utilisation', limitSec: 6 * 3600 }).esv, base.esv);
    }
    assert.throws(() => simulateCluster({ ...cluster, detector: 'thr', detectorParam: 0.8, selection: 'mmt', consolidationOrder: 'random' as never }), /consolidationOrder/);
    for (const detector of ['lr', 'thr', 'mad'] as const) {
      const r = simulateCluster({ ...cluster, detector, detectorParam: detector === 'lr' ? 1.2 : detector === 'mad' ? 2.5 : 0.8, selection: 'moa', costObjective: 'sla-per-relief', migrationModel: 'migcost', limitSec: 6 * 3600 });
      assert.ok(r.migrations > 0, detector);
    }
  });
});
