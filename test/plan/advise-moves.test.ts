/** plan --advise (pure): each move carries the technique advise picks for its VM at the move's link and limit. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCluster } from '../../src/plan/cluster.js';
import { planMitigation } from '../../src/plan/planner.js';
import { adviseMoves, isAdvised, movesTotal } from '../../src/plan/advise-moves.js';
import { advise } from '../../src/plan/advise.js';
import { predictionInput } from '../../src/plan/pricing.js';

const doc = JSON.parse(readFileSync(new URL('../../examples/cluster.json', import.meta.url), 'utf8'));
const cluster = parseCluster(doc);
const plan = planMitigation(cluster, { policy: 'moa', objective: 'traffic', cpuThreshold: 1, memoryThreshold: 1, downtimeLimitSec: 0.3, seed: 1, detector: 'deng' });

describe('adviseMoves', () => {
  it("every move gets advise's cheapest technique for its VM at its bandwidth, and that technique's prediction", () => {
    assert.ok(plan.moves.length > 0);
    const moves = adviseMoves(cluster, plan.moves, { downtimeLimitSec: 0.3 });
    assert.equal(moves.length, plan.moves.length);
    for (const m of moves) {
      assert.ok(isAdvised(m));
      const vm = cluster.vms.find((v) => v.id === m.vm)!;
      const a = advise(predictionInput(vm, m.bandwidthBytesPerSec, 0.3), { bandwidthsBytesPerSec: [m.bandwidthBytesPerSec], downtimeLimitsSec: [0.3] });
      const pick = a.options.find((x) => x.platformAction === undefined)!;
      assert.deepEqual(m.technique, pick.technique);
      assert.equal(m.advised.label, pick.label);
      assert.equal(m.predicted.totalTimeSec, pick.prediction.totalTimeSec);
      assert.ok(m.advised.cost <= advise(predictionInput(vm, m.bandwidthBytesPerSec, 0.3), { bandwidthsBytesPerSec: [m.bandwidthBytesPerSec], downtimeLimitsSec: [0.3] }).options.filter((x) => x.label === 'precopy')[0].cost || !m.advised.feasible);
    }
    const total = movesTotal(moves);
    assert.equal(total.transferredBytes, moves.reduce((s, m) => s + m.predicted.transferredBytes, 0));
  });
  it('`only` keeps the pick among the techniques a driver runs', () => {
    const moves = adviseMoves(cluster, plan.moves, { downtimeLimitSec: 0.3, only: (t) => t.name === 'precopy' });
    for (const m of moves) assert.ok(isAdvised(m) && m.technique.name === 'precopy' && m.advised.label === 'precopy');
  });
});
