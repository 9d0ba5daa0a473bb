/** advise's pick against the best technique in hindsight (worked examples) and the groups of a techniques-groups pass. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advisePick, hindsight, measuredCost, measuredStallSec, regretOf, techniqueDecision, techniqueDecisionReport, techniqueGroups } from '../../src/evaluate/technique-regret.js';
import { adviseFrom } from '../../src/advise-input.js';
import { LAB_TECHNIQUES, labMatrix } from '../../src/lab/matrix.js';
import { techniqueLabel } from '../../src/evaluate/technique-report.js';
import type { MigrationRecord } from '../../src/record/record.js';
import type { VmSample } from '../../src/model/sample.js';
import { assertClose, MiB } from '../helpers.js';
import { rec } from './technique-records.js';

const g = (name: string) => ({ config: { group: name } });

/**
 * One group (a hot writer): pre-copy cancelled at 30 s; post-copy 8 s, 2 ms down, 40 remote faults;
 * xbzrle 10 s, 20 ms down. Costs (weight 100, 25 ms a fault): post-copy 8 + 100 x (0.002 + 1) = 108.2,
 * xbzrle 10 + 100 x 0.02 = 12 (the best), pre-copy 30 + 12 = 42 (its time until cancelled, then moved again).
 */
function hotGroup(name = 'hot r1'): MigrationRecord[] {
  return [
    rec(`${name}-pre`, { name: 'precopy' }, { t: 30, mib: 1500, d: 0, converged: false }, { t: 30, mib: 1500, d: 0, status: 'cancelled' }, { ...g(name), startedAt: '2026-12-06T22:00:00.000Z' }),
    rec(`${name}-post`, { name: 'postcopy' }, { t: 8, mib: 300, d: 0.002, phase: 1 }, { t: 8, mib: 300, d: 0.002, phase: 1, faults: 40 }, { ...g(name), startedAt: '2026-12-06T22:01:00.000Z' }),
    rec(`${name}-xbz`, { name: 'xbzrle' }, { t: 9, mib: 320, d: 0.02 }, { t: 10, mib: 330, d: 0.02 }, { ...g(name), startedAt: '2026-12-06T22:02:00.000Z' }),
  ];
}

describe('measured cost (advise\'s rule)', () => {
  it('total time + weight x (downtime + remote faults x fault latency)', () => {
    assertClose(measuredCost({ totalTimeSec: 8, downtimeSec: 0.002, remoteFaults: 40 }), 108.2);
    assertClose(measuredCost({ totalTimeSec: 8, downtimeSec: 0.002, remoteFaults: 40 }, { downtimeWeight: 10, faultLatencySec: 0.01 }), 8 + 10 * 0.402);
    assertClose(measuredCost({ totalTimeSec: 3, downtimeSec: 0.05 }), 8);
  });
  it("the stall: the destination's blocktime where measured; else faults x latency, at most the phase", () => {
    // memtester, techniques-groups pass 6: 16 faults in a 50 ms phase; 16 x 25 ms = 0.4 s is more than the phase.
    assertClose(measuredStallSec({ remoteFaults: 16, postcopyPhaseSec: 0.05 }), 0.05);
    assertClose(measuredCost({ totalTimeSec: 0.756, downtimeSec: 0.001, remoteFaults: 16, postcopyPhaseSec: 0.05 }), 0.756 + 100 * 0.051);
    assertClose(measuredStallSec({ remoteFaults: 4, postcopyPhaseSec: 1 }), 0.1);
    // Measured: 12 ms of blocktime, whatever the faults.
    assertClose(measuredStallSec({ remoteFaults: 16, postcopyPhaseSec: 0.05, postcopyBlocktimeSec: 0.012 }), 0.012);
    assertClose(measuredCost({ totalTimeSec: 0.756, downtimeSec: 0.001, remoteFaults: 16, postcopyBlocktimeSec: 0.012 }), 0.756 + 100 * 0.013);
  });
  it('hindsight: the cheapest completed technique; one that did not complete costs its time + the best', () => {
    const h = hindsight(hotGroup())!;
    assert.equal(h.best, 'xbzrle');
    assertClose(h.costs.xbzrle, 12);
    assertClose(h.costs.postcopy, 108.2);
    assertClose(h.costs.precopy, 42);
    assert.deepEqual(h.incomplete, ['precopy']);
    assert.equal(hindsight(hotGroup().slice(0, 1)), undefined, 'nothing completed: no best');
  });
  it('regret = (pick - best) / best', () => {
    assertClose(regretOf(108.2, 12), 96.2 / 12);
    assert.equal(regretOf(12, 12), 0);
    assert.equal(regretOf(0, 0), 0);
    assert.equal(regretOf(1, 0), Infinity);
  });
});

describe('techniqueGroups', () => {
  it("groups by config.group in first-seen order; a technique met again starts a new instance; runs without a group are left out", () => {
    const rs = [...hotGroup('a r1'), rec('lone', undefined, { t: 1, mib: 1, d: 0 }, { t: 1, mib: 1, d: 0 }), ...hotGroup('b r1'), ...hotGroup('a r1')];
    const gs = techniqueGroups(rs);
    assert.deepEqual(gs.map((x) => [x.group, x.records.length]), [['a r1', 3], ['b r1', 3], ['a r1', 3]]);
  });
});

describe("advise's pick against hindsight", () => {
  // A VM writing 60 MiB/s over a 48 MiB working set behind a 50 MiB/s link: pre-copy cannot converge.
  const sample: VmSample = {
    memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 60 * MiB, zeroPageFraction: 0.5, sampledAt: '2026-12-06T22:00:00.000Z',
    curve: [{ windowSec: 0.25, dirtiedBytes: 15 * MiB }, { windowSec: 0.5, dirtiedBytes: 30 * MiB }, { windowSec: 1, dirtiedBytes: 48 * MiB }, { windowSec: 2, dirtiedBytes: 48 * MiB }],
  };
  const group = hotGroup().map((r) => ({ ...r, sample }));

  it('is what `migcost advise --vm SAMPLE --bandwidth B --downtime-limit L` ranks first among the techniques measured', () => {
    const a = advisePick(group[0], ['precopy', 'postcopy', 'xbzrle'])!;
    const cli = adviseFrom({ bandwidth: '50MiB/s', downtimeLimit: '300ms' }, sample);
    assert.equal(a.pick.label, cli.options.find((o) => ['precopy', 'postcopy', 'xbzrle'].includes(o.label))!.label);
    assert.equal(a.top.label, cli.options[0].label);
    assertClose(a.pick.cost, cli.options.find((o) => o.label === a.pick.label)!.cost);
    assert.notEqual(a.pick.label, 'precopy', 'pre-copy does not converge here');
  });

  it("prices the pick by its measured cost against the group's best", () => {
    const d = techniqueDecision({ group: 'hot r1', records: group })!;
    const pick = advisePick(group[0], ['precopy', 'postcopy', 'xbzrle'])!.pick.label;
    assert.equal(d.pick, pick);
    assert.equal(d.best, 'xbzrle');
    assert.deepEqual(d.techniques, ['precopy', 'postcopy', 'xbzrle']);
    assertClose(d.regret, pick === 'xbzrle' ? 0 : pick === 'postcopy' ? 96.2 / 12 : 30 / 12);
  });

  it('over groups: mean, median and max regret, best picked, and the regret of always one technique', () => {
    // Group 2 (same VM): post-copy is the best there (xbzrle took 200 s).
    const g2 = hotGroup('hot r2').map((r) => ({ ...r, sample }));
    g2[2] = { ...g2[2], measured: { ...g2[2].measured, totalTimeSec: 200 } };
    const rep = techniqueDecisionReport([...group, ...g2]);
    assert.equal(rep.groups, 2);
    const [d1, d2] = rep.perGroup;
    assertClose(d2.costs.xbzrle, 202);
    assert.equal(d2.best, 'postcopy');
    assertClose(d2.costs.precopy, 30 + 108.2);
    assertClose(rep.meanRegret, (d1.regret + d2.regret) / 2);
    assertClose(rep.maxRegret, Math.max(d1.regret, d2.regret));
    assert.equal(rep.bestPicked, Number(d1.pick === 'xbzrle') + Number(d2.pick === 'postcopy'));
    // always xbzrle: 0 in group 1, (202 - 108.2) / 108.2 in group 2; always post-copy: 96.2 / 12 and 0
    assertClose(rep.fixed.xbzrle, (202 - 108.2) / 108.2 / 2);
    assertClose(rep.fixed.postcopy, 96.2 / 12 / 2);
    assertClose(rep.fixed.precopy, (30 / 12 + 30 / 108.2) / 2);
    assert.deepEqual(Object.keys(rep.fixed), ['precopy', 'postcopy', 'xbzrle']);
  });

  it('skips groups with fewer techniques than asked and groups where nothing completed', () => {
    assert.equal(techniqueDecisionReport(group.slice(0, 2), { minTechniques: 3 }).groups, 0);
    assert.equal(techniqueDecisionReport(group.slice(0, 1)).groups, 0);
  });

  it("a techniques-groups pass's records line up: one group per VM configuration and round, every lab technique in it", () => {
    const rs = labMatrix('techniques-groups').map((c, i) => ({ ...group[1], id: String(i), config: c }));
    const gs = techniqueGroups(rs);
    assert.equal(gs.length, 8);
    for (const x of gs) assert.equal(new Set(x.records.map((r) => techniqueLabel(r.config))).size, LAB_TECHNIQUES.length);
  });
});
