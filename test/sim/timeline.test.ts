import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simulateCluster } from '../../src/sim/engine.js';
import { CLOUDSIM_HOST_TYPES, traceFromPercent } from '../../src/sim/presets.js';
import { mulberry32 } from '../../src/stats/random.js';
import type { SimVmSpec } from '../../src/sim/types.js';

/** 12 hosts and 16 VMs with random traces for 6 hours: small enough for every policy and both models. */
function cluster() {
  const rnd = mulberry32(5);
  const vms: SimVmSpec[] = Array.from({ length: 16 }, (_, i) => ({
    name: `vm${i}`,
    mips: [2500, 2000, 1000, 500][i % 4],
    ramMb: [870, 1740, 1740, 613][i % 4],
    bwKbps: 100_000,
    utilisation: traceFromPercent(Array.from({ length: 288 }, () => Math.floor(rnd() * 100))),
  }));
  return { hosts: Array.from({ length: 12 }, (_, i) => CLOUDSIM_HOST_TYPES[i % 2]), vms };
}

describe('timeline', () => {
  for (const migrationModel of ['cloudsim', 'migcost'] as const) {
    for (const selection of ['mmt', 'moa', 'optimal'] as const) {
      it(`${selection}, ${migrationModel}: migrations per step sum to the total; cumulative energy ends at energyKWh`, () => {
        const r = simulateCluster({ ...cluster(), detector: 'thr', detectorParam: 0.8, selection, migrationModel, limitSec: 6 * 3600 });
        assert.ok(r.migrations > 0);
        assert.equal(r.timeline.reduce((s, p) => s + p.migrations, 0), r.migrations);
        assert.ok(Math.abs(r.timeline.at(-1)!.energyKWhCumulative - r.energyKWh) < 1e-12);
        assert.ok(r.timeline.length >= r.steps);
        for (let i = 1; i < r.timeline.length; i++) {
          assert.ok(r.timeline[i].timeSec >= r.timeline[i - 1].timeSec);
          assert.ok(r.timeline[i].energyKWhCumulative >= r.timeline[i - 1].energyKWhCumulative);
          assert.ok(r.timeline[i].activeHosts <= 12);
        }
        assert.equal(r.migrationModel, migrationModel);
        if (migrationModel === 'migcost' || selection !== 'mmt') assert.ok(r.migrationCost && r.migrationCost.transferredBytes > 0);
      });
    }
  }
  it('baselines: no migrations; npa draws every host\'s full power up to the last update; dvfs less', () => {
    const npa = simulateCluster({ ...cluster(), detector: 'thr', detectorParam: 0.8, selection: 'mmt', baseline: 'npa', limitSec: 6 * 3600 });
    const dvfs = simulateCluster({ ...cluster(), detector: 'thr', detectorParam: 0.8, selection: 'mmt', baseline: 'dvfs', limitSec: 6 * 3600 });
    assert.equal(npa.migrations, 0);
    assert.equal(dvfs.migrations, 0);
    const fullW = 6 * CLOUDSIM_HOST_TYPES[0].powerWatts[10] + 6 * CLOUDSIM_HOST_TYPES[1].powerWatts[10];
    assert.ok(Math.abs(npa.energyKWh - (fullW * npa.endSec) / 3.6e6) < 1e-9);
    assert.ok(dvfs.energyKWh < npa.energyKWh);
  });
  it('migcost: a migration lasts its predicted time (whole seconds), not RAM / (bw / 2)', () => {
    const c = simulateCluster({ ...cluster(), detector: 'thr', detectorParam: 0.8, selection: 'mmt', limitSec: 6 * 3600 });
    const m = simulateCluster({ ...cluster(), detector: 'thr', detectorParam: 0.8, selection: 'mmt', migrationModel: 'migcost', limitSec: 6 * 3600 });
    assert.notEqual(c.meanMigrationTimeSec, m.meanMigrationTimeSec);
    assert.ok(m.meanMigrationTimeSec >= 613 / 62.5);
  });
});
