import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { liuDecision, dengDecision, decisionReport, decisionSet, groupsOf, type TaggedRecord } from '../../src/evaluate/decide.js';
import { LIU_WIRED_ENERGY, wiredEnergyJoules } from '../../src/model/energy.js';
import type { Prediction } from '../../src/model/types.js';

const MiB = 2 ** 20;

function pred(t: number, d: number, mib: number): Prediction {
  const bytes = mib * MiB;
  return { totalTimeSec: t, downtimeSec: d, transferredBytes: bytes, rounds: 3, converged: true, reason: 'fits-downtime-limit', energyJoules: wiredEnergyJoules(LIU_WIRED_ENERGY, bytes), setupSec: 0, precopySec: t - d, stopCopySec: d, stopCopyBytes: 0, resumeSec: 0, maxThrottle: 0 } as Prediction;
}

/** A tagged record: its sample, its prediction (deng-curve) and its measured outcome. */
function rec(vm: string, o: { memMiB: number; dirtyMiBs?: number; cpu?: number; predicted?: Prediction; measured: [number, number, number]; status?: 'completed' | 'cancelled' }, group = 'g1'): TaggedRecord {
  const [t, d, mib] = o.measured;
  return {
    id: `${group}-${vm}`,
    startedAt: '2026-11-22T00:00:00.000Z',
    config: { memoryBytes: o.memMiB * MiB, workload: 'idle', params: {}, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 60 },
    accelerator: 'tcg',
    qemuVersion: '10.0.2',
    sample: { memoryBytes: o.memMiB * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: (o.dirtyMiBs ?? 0) * MiB, curve: [], cpuUtilisation: o.cpu ?? 0.5, sampledAt: '2026-11-22T00:00:00.000Z' },
    predicted: { 'deng-curve': o.predicted ?? pred(t, d, mib) },
    measured: { status: o.status ?? 'completed', totalTimeSec: t, downtimeSec: d, transferredBytes: mib * MiB, rounds: 3, converged: (o.status ?? 'completed') === 'completed', setupSec: 0 },
    trace: [],
    experiment: { name: 'decide', group, vm },
  };
}

describe("Liu's decision experiment (one VM of a group to move)", () => {
  // Measured: A 10 s / 100 ms / 1000 MiB, B 2 s / 20 ms / 200 MiB, C 4 s / 50 ms / 400 MiB, D 8 s / 300 ms / 800 MiB.
  // The model over-predicts B (5 s, 500 MiB) and so picks C; B was the best in hindsight.
  const group = [
    rec('A', { memMiB: 512, measured: [10, 0.1, 1000] }),
    rec('B', { memMiB: 256, measured: [2, 0.02, 200], predicted: pred(5, 0.05, 500) }),
    rec('C', { memMiB: 256, measured: [4, 0.05, 400], predicted: pred(3, 0.04, 300) }),
    rec('D', { memMiB: 512, measured: [8, 0.3, 800] }),
  ];

  it('picks the least predicted C and compares it with the mean of a uniform pick (worked by hand)', () => {
    const r = liuDecision('g1', group);
    assert.equal(r.modelChoice, 'C');
    assert.equal(r.bestChoice, 'B');
    // random: time 6 s, downtime 117.5 ms, 600 MiB
    assert.ok(Math.abs(r.random.totalTimeSec - 6) < 1e-12);
    assert.ok(Math.abs(r.reduction.totalTimeSec - 1 / 3) < 1e-12);
    assert.ok(Math.abs(r.reduction.downtimeSec - 0.0675 / 0.1175) < 1e-12);
    assert.ok(Math.abs(r.reduction.transferredBytes - 1 / 3) < 1e-12);
    // energy 0.512 J/MiB x V + 20.165 J: (0.512 x 200) / (0.512 x 600 + 20.165) = 0.31280
    assert.ok(Math.abs(r.reduction.energyJoules - 102.4 / 327.365) < 1e-9);
    // measured C (equal weights, normalised by the maxima 0.3 s, 10 s, 1000 MiB, 532.165 J):
    // C_B = 0.174245, C_C = 0.347350 -> regret 0.99345
    assert.ok(Math.abs(r.regret - 0.99345) < 1e-4, String(r.regret));
  });

  it('has no regret when the prediction ranks like the measurement', () => {
    const exact = group.map((g) => ({ ...g, predicted: { 'deng-curve': pred(g.measured.totalTimeSec, g.measured.downtimeSec, g.measured.transferredBytes / MiB) } }));
    const r = liuDecision('g1', exact);
    assert.equal(r.modelChoice, 'B');
    assert.equal(r.regret, 0);
  });

  it('never picks a VM predicted not to converge while another would', () => {
    const bad = { ...pred(0.1, 0.001, 1), converged: false, reason: 'timeout' } as Prediction;
    const r = liuDecision('g1', [rec('X', { memMiB: 64, measured: [60, 0.5, 5000], predicted: bad, status: 'cancelled' }), ...group]);
    assert.notEqual(r.modelChoice, 'X');
    assert.deepEqual(r.incomplete, ['X']);
    assert.notEqual(r.bestChoice, 'X');
  });
});

describe("Deng's decision experiment (cool a hot host)", () => {
  // Demand A 0.5, B 0.7, C 0.4, D 0.4 (2.0); capacity 0.7 x 2.0 = 1.4, so >= 0.6 must leave.
  // Memory A 128 < C 256 < D 384 < B 512 MiB; A dirties 150 MiB/s at 100 MiB/s: predicted not to converge, so last.
  // MIA takes A then C (956 MiB measured); MOA takes C then D (640 MiB); the best set is {B} (512 MiB).
  const group = [
    rec('A', { memMiB: 128, dirtyMiBs: 150, cpu: 0.5, measured: [12, 0.1, 700] }),
    rec('B', { memMiB: 512, cpu: 0.7, measured: [5, 0.02, 512] }),
    rec('C', { memMiB: 256, cpu: 0.4, measured: [2.5, 0.02, 256] }),
    rec('D', { memMiB: 384, cpu: 0.4, measured: [4, 0.02, 384] }),
  ];

  it('prices each policy by the measured migrations of the VMs it chose (worked by hand)', () => {
    const r = dengDecision('g1', group, { capacityShare: 0.7 });
    assert.ok(Math.abs(r.capacity - 1.4) < 1e-12);
    assert.deepEqual(r.best.moved, ['B']);
    assert.equal(r.best.transferredBytes, 512 * MiB);
    assert.deepEqual([...r.policies.mia.moved].sort(), ['A', 'C']);
    assert.equal(r.policies.mia.transferredBytes, 956 * MiB);
    assert.equal(r.policies.mia.normalisedToMia, 1);
    assert.deepEqual([...r.policies.moa.moved].sort(), ['C', 'D']);
    assert.ok(Math.abs(r.policies.moa.normalisedToMia - 640 / 956) < 1e-12);
    assert.ok(Math.abs(r.policies.moa.regret - 0.25) < 1e-12);
    assert.deepEqual(r.policies.optimal.moved, ['B']);
    assert.equal(r.policies.optimal.regret, 0);
  });

  it('every policy cools the host and none beats the hindsight best (random groups)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 30; k++) {
      const g = Array.from({ length: 6 }, (_, i) => {
        const mem = 64 + Math.floor(rnd() * 8) * 64;
        return rec(`v${i}`, { memMiB: mem, dirtyMiBs: rnd() * 40, cpu: 0.05 + rnd() * 0.9, measured: [mem / 100, 0.02, mem * (0.5 + rnd())] }, `r${k}`);
      });
      const r = dengDecision(`r${k}`, g, { capacityShare: 0.6, raSeeds: 20 });
      for (const p of ['moa', 'optimal', 'mia'] as const) {
        const moved = r.policies[p].moved;
        const left = g.filter((x) => !moved.includes(x.experiment!.vm)).reduce((a, x) => a + r.demand[x.experiment!.vm], 0);
        assert.ok(left <= r.capacity + 1e-9, `${p} leaves the host hot`);
        assert.ok(r.policies[p].regret >= -1e-12, `${p} beat the hindsight best`);
      }
      assert.ok(r.policies.ra.regret >= -1e-12);
    }
  });
});

describe('pooled regret', () => {
  it('with identical groups the pooled best and regret are the per-group ones', () => {
    const mk = (g: string) => [
      rec('A', { memMiB: 512, measured: [10, 0.1, 1000] }, g),
      rec('B', { memMiB: 256, measured: [2, 0.02, 200], predicted: pred(5, 0.05, 500) }, g),
      rec('C', { memMiB: 256, measured: [4, 0.05, 400], predicted: pred(3, 0.04, 300) }, g),
      rec('D', { memMiB: 512, measured: [8, 0.3, 800] }, g),
    ];
    const rep = decisionReport([...mk('g1'), ...mk('g2')], { minGroupSize: 4 });
    assert.equal(rep.groups, 2);
    assert.equal(rep.liu.pooled!.best, 'B');
    assert.ok(Math.abs(rep.liu.pooled!.meanRegret - rep.liu.perGroup[0].regret) < 1e-12);
    assert.equal(decisionReport(mk('g1'), { minGroupSize: 4 }).liu.pooled, undefined, 'one group: nothing to pool');
    assert.equal(rep.liu.pooled!.bestFixedPerGroupRegret, 0, 'the VM best on average is best in every identical group');
  });
  it('when noise swaps the best VM between groups, even the VM best on average has per-group regret', () => {
    const g1 = [
      rec('A', { memMiB: 512, measured: [10, 0.1, 1000] }, 'g1'),
      rec('B', { memMiB: 256, measured: [2, 0.02, 200], predicted: pred(5, 0.05, 500) }, 'g1'),
      rec('C', { memMiB: 256, measured: [4, 0.05, 400], predicted: pred(3, 0.04, 300) }, 'g1'),
      rec('D', { memMiB: 512, measured: [8, 0.3, 800] }, 'g1'),
    ];
    const g2 = [
      rec('A', { memMiB: 512, measured: [10, 0.1, 1000] }, 'g2'),
      rec('B', { memMiB: 256, measured: [4, 0.05, 400], predicted: pred(5, 0.05, 500) }, 'g2'),
      rec('C', { memMiB: 256, measured: [2, 0.02, 200], predicted: pred(3, 0.04, 300) }, 'g2'),
      rec('D', { memMiB: 512, measured: [8, 0.3, 800] }, 'g2'),
    ];
    const rep = decisionReport([...g1, ...g2], { minGroupSize: 4 });
    const p = rep.liu.pooled!;
    // B and C tie on average; B (listed first) is taken. It is best in g1 and C's figures in g2: half of g2's regret.
    assert.equal(p.best, 'B');
    const g2Regret = rep.liu.perGroup[1].regret; // the model picks C (least predicted C) in both: regret 0 in g2
    assert.equal(g2Regret, 0);
    assert.ok(p.bestFixedPerGroupRegret > 0);
    assert.ok(Math.abs(p.bestFixedPerGroupRegret - rep.liu.perGroup[0].regret / 2) < 1e-12, 'symmetric groups: B in g2 costs what C costs in g1');
  });
});

describe('decision groups', () => {
  it('groups tagged records and skips incomplete groups', () => {
    const a = decisionSet().map((c, i) => ({ ...rec(`vm${i}`, { memMiB: c.memoryBytes / MiB, measured: [1 + i, 0.01, 100 + i] }, 'full') }));
    const b = [rec('x', { memMiB: 256, measured: [1, 0.01, 1] }, 'partial')];
    assert.equal(decisionSet().length, 8);
    assert.deepEqual(groupsOf([...a, ...b]).map((g) => [g.group, g.records.length]), [['full', 8], ['partial', 1]]);
    const rep = decisionReport([...a, ...b]);
    assert.equal(rep.groups, 1);
    assert.equal(rep.liu.perGroup[0].group, 'full');
  });
});
