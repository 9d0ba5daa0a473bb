/**
 * Consolidation after a mitigation plan: worked out on the cluster as the plan leaves it, so no host both
 * receives VMs and is switched off, every destination has room after all earlier moves, and consolidation
 * moves are priced as the plan's (a VM's sample through `inputFromSample`).
 */
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { parseCluster, applyMoves, type Cluster } from '../../src/plan/cluster.js';
import { planMitigation, SELECTION_POLICIES, type PlanOptions } from '../../src/plan/planner.js';
import { consolidateAfterPlan, planConsolidation } from '../../src/plan/consolidate.js';
import { simulate } from '../../src/model/precopy.js';
import { inputFromSample } from '../../src/model/from-sample.js';
import type { VmSample } from '../../src/model/sample.js';
import { assertClose, rng, GiB, MiB } from '../helpers.js';

/** A random cluster: 3-8 hosts, some crowded, some nearly empty; every host with a 10-value history. */
function randomCluster(r: () => number): Cluster {
  const H = 3 + Math.floor(r() * 6);
  const hosts = Array.from({ length: H }, (_, i) => ({
    id: `h${i}`,
    cpu: 8 + 8 * Math.floor(r() * 2),
    memory: `${32 + 32 * Math.floor(r() * 2)}GiB`,
    bandwidth: r() < 0.5 ? '1Gbit/s' : '10Gbit/s',
    idleWatts: 100,
    utilisationHistory: Array.from({ length: 10 }, () => 0.05 + r() * 0.6),
  }));
  const vms: object[] = [];
  for (let i = 0; i < H; i++) {
    const n = r() < 0.4 ? 1 + Math.floor(r() * 2) : 2 + Math.floor(r() * 6);
    for (let k = 0; k < n; k++) vms.push({ id: `v${i}-${k}`, host: `h${i}`, cpu: 1 + Math.floor(r() * 4), memory: `${1 + Math.floor(r() * 12)}GiB`, dirtyRate: `${Math.floor(r() * 200)}MiB/s` });
  }
  return parseCluster({ hosts, vms });
}

describe('consolidation after the moves (property)', () => {
  it('over random clusters: no host is both a destination and switched off, none the plan relieves takes a VM, and every destination has room after all earlier moves', () => {
    const r = rng(17);
    let bothKinds = 0;
    let kept = 0;
    for (let k = 0; k < 150; k++) {
      const c = randomCluster(r);
      const detector = (['deng', 'deng', 'thr', 'lr', 'mad'] as const)[k % 5];
      const opts: PlanOptions = { policy: SELECTION_POLICIES[k % SELECTION_POLICIES.length], detector, cpuThreshold: detector === 'deng' ? 0.8 + r() * 0.2 : 1 };
      const plan = planMitigation(c, opts);
      const cons = consolidateAfterPlan(c, plan, opts, { horizonSec: 60 + r() * 3600, underThreshold: 0.3 + r() * 0.2 });
      const off = new Set(cons.filter((d) => d.switchOff).map((d) => d.host));
      const performed = cons.filter((d) => d.switchOff).flatMap((d) => d.moves);
      const destinations = new Set([...plan.moves, ...performed].map((m) => m.to));
      for (const h of off) assert.ok(!destinations.has(h), `case ${k}: ${h} receives VMs and is switched off`);
      for (const m of performed) assert.ok(!plan.hotBefore.includes(m.to), `case ${k}: ${m.vm} goes back onto ${m.to}, a host the plan relieves`);
      // replay every move in order, each against the capacity left by all the moves before it
      let now = applyMoves(c, plan.moves);
      for (const m of performed) {
        assert.equal(now.vms.find((v) => v.id === m.vm)!.host, m.from, `case ${k}: ${m.vm} is not on ${m.from}`);
        now = applyMoves(now, [m]);
        const h = c.hosts.find((x) => x.id === m.to)!;
        const on = now.vms.filter((v) => v.host === m.to);
        const cpu = on.reduce((s, v) => s + v.cpu, 0);
        const mem = on.reduce((s, v) => s + v.memoryBytes, 0);
        assert.ok(cpu <= h.cpu * (opts.cpuThreshold ?? 1) + 1e-9 && mem <= h.memoryBytes + 1e-9, `case ${k}: ${m.vm} overfills ${m.to} (cpu ${cpu}/${h.cpu}, mem ${mem / GiB}/${h.memoryBytes / GiB} GiB)`);
      }
      for (const h of off) assert.equal(now.vms.filter((v) => v.host === h).length, 0, `case ${k}: ${h} switched off but not empty`);
      if (plan.moves.length > 0 && off.size > 0) bothKinds++;
      kept += cons.filter((d) => d.why === 'it receives VMs in this plan').length;
    }
    // the property is not vacuous: plans that both mitigate and consolidate, and hosts kept because they receive
    assert.ok(bothKinds >= 20, `only ${bothKinds} plans both moved VMs off hot hosts and switched a host off`);
    assert.ok(kept >= 10, `only ${kept} under-used hosts were kept because they receive VMs`);
  });

  it('the example cluster: lr moves web1 and web2 onto h3, which is then not switched off', () => {
    const c = parseCluster(JSON.parse(readFileSync(new URL('../../examples/cluster.json', import.meta.url), 'utf8')));
    const opts: PlanOptions = { policy: 'optimal', detector: 'lr', detectorParam: 1.2 };
    const plan = planMitigation(c, opts);
    const cons = consolidateAfterPlan(c, plan, opts, { horizonSec: 3600 });
    const to = new Set(plan.moves.map((m) => m.to));
    assert.ok(to.size > 0);
    for (const d of cons) if (to.has(d.host)) assert.equal(d.switchOff, false, d.host);
    // before the fix, consolidation ran on the cluster before the moves and switched every receiving host off
    const naive = planConsolidation(c, { horizonSec: 3600 });
    assert.ok(naive.some((d) => d.switchOff && to.has(d.host)), 'the example no longer shows the old fault');
  });
});

describe('consolidation moves are priced as the plan prices moves', () => {
  const sample: VmSample = { memoryBytes: 512 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 30 * MiB, curve: [{ windowSec: 0.5, dirtiedBytes: 10 * MiB }, { windowSec: 1, dirtiedBytes: 16 * MiB }], zeroPageFraction: 0.3, cpuUtilisation: 0.5, sampledAt: '2026-01-01T00:00:00Z' };
  const doc = {
    hosts: [{ id: 'a', cpu: 16, memory: '32GiB', bandwidth: '100MiB/s' }, { id: 'b', cpu: 16, memory: '32GiB', bandwidth: '100MiB/s' }],
    vms: [{ id: 's', host: 'a', cpu: 1, sample }, { id: 'p', host: 'a', cpu: 1, memory: '1GiB', dirtyRate: '5MiB/s' }, { id: 'big', host: 'b', cpu: 8, memory: '8GiB' }],
  };
  it("a VM's sample through inputFromSample, at the source link shared by the moves leaving it, with the plan's downtime limit and platform", () => {
    const c = parseCluster(doc);
    const opts: PlanOptions = { policy: 'moa', downtimeLimitSec: 0.2, platform: { resumeSec: 0.05 } };
    const [d] = consolidateAfterPlan(c, planMitigation(c, opts), opts, { horizonSec: 3600 });
    assert.equal(d.host, 'a');
    assert.equal(d.switchOff, true);
    const s = d.moves.find((m) => m.vm === 's')!;
    assertClose(s.bandwidthBytesPerSec, 50 * MiB);
    const want = simulate(inputFromSample(sample, { bandwidthBytesPerSec: 50 * MiB, downtimeLimitSec: 0.2, timeoutSec: 600 }, { resumeSec: 0.05 }));
    assert.deepEqual(s.predicted, want);
    assert.equal(s.energyJoules, want.energyJoules);
    assert.equal(s.transferredBytes, want.transferredBytes);
    // the sample changes the price: the loose fields alone (512 MiB, 30 MiB/s, no curve) predict otherwise
    const loose = planConsolidation(parseCluster({ ...doc, vms: [{ id: 's', host: 'a', cpu: 1, memory: '512MiB', dirtyRate: '30MiB/s' }, ...doc.vms.slice(1)] }), { horizonSec: 3600, downtimeLimitSec: 0.2 });
    assert.notEqual(loose[0].moves.find((m) => m.vm === 's')!.transferredBytes, want.transferredBytes);
  });
});
