import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCluster } from '../../src/plan/cluster.js';
import { planMitigation, hotHosts, isHot, boundedSubset, optimalSubset } from '../../src/plan/planner.js';
import { planConsolidation } from '../../src/plan/consolidate.js';
import { predict } from '../../src/index.js';
import { assertClose, GiB, MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;

/** h1 is hot by CPU (10 > 8): removing any one VM cools it. */
function small() {
  return parseCluster({
    hosts: [
      { id: 'h1', cpu: 8, memory: '32GiB', bandwidth: '1GiB/s' },
      { id: 'h2', cpu: 8, memory: '32GiB', bandwidth: '1GiB/s' },
      { id: 'h3', cpu: 8, memory: '8GiB', bandwidth: '1GiB/s' },
    ],
    vms: [
      { id: 'big-quiet', host: 'h1', cpu: 4, memory: '8GiB', dirtyRate: '1MiB/s' },
      { id: 'small-hot', host: 'h1', cpu: 3, memory: '2GiB', dirtyRate: '300MiB/s' },
      { id: 'mid', host: 'h1', cpu: 3, memory: '4GiB', dirtyRate: '50MiB/s' },
      { id: 'other', host: 'h2', cpu: 2, memory: '4GiB', dirtyRate: '10MiB/s' },
    ],
  });
}

describe("Deng's hot-node rule", () => {
  it('a host is hot when its VMs ask for more CPU or memory than it has (times the threshold)', () => {
    const h = { id: 'h', cpu: 8, memoryBytes: 16 * GiB, bandwidthBytesPerSec: 1, idleWatts: 0, maxWatts: 0 };
    assert.equal(isHot(h, { cpu: 8, mem: 16 * GiB }), false);
    assert.equal(isHot(h, { cpu: 8.5, mem: 1 }), true);
    assert.equal(isHot(h, { cpu: 1, mem: 17 * GiB }), true);
    assert.equal(isHot(h, { cpu: 7, mem: 1 }, 0.8), true);
    assert.deepEqual(hotHosts(small()), ['h1']);
  });
});

describe('selection policies', () => {
  it('moa (traffic) moves the VM of least predicted traffic; mia the smallest memory; both cool the host', () => {
    const c = small();
    const moa = planMitigation(c, { policy: 'moa', objective: 'traffic' });
    const mia = planMitigation(c, { policy: 'mia' });
    // traffic at 1 GiB/s: big-quiet sends ~8 GiB; small-hot 2 GiB at 300 MiB/s dirtying sends more than 2 GiB but far
    // less than 8; mid 4 GiB + its dirt. moa picks the least.
    const traffic = (id: string, mem: number, rate: number) => predict({ vm: { memoryBytes: mem, dirtyRateBytesPerSec: rate }, bandwidthBytesPerSec: GiB, policy: { name: 'qemu', downtimeLimitSec: 0.3, timeoutSec: 600 } }).transferredBytes;
    const t = { 'big-quiet': traffic('b', 8 * GiB, MiB), 'small-hot': traffic('s', 2 * GiB, 300 * MiB), mid: traffic('m', 4 * GiB, 50 * MiB) };
    const least = Object.entries(t).sort((a, b) => a[1] - b[1])[0][0];
    assert.deepEqual(moa.moves.map((m) => m.vm), [least]);
    assert.deepEqual(mia.moves.map((m) => m.vm), ['small-hot']);
    assert.deepEqual(moa.hotAfter, []);
    assert.deepEqual(mia.hotAfter, []);
    assert.ok(moa.total.transferredBytes <= mia.total.transferredBytes);
  });
  it('optimal equals brute force over subsets, and never costs more than moa', () => {
    const c = parseCluster({
      hosts: [{ id: 'h1', cpu: 10, memory: '64GiB', bandwidth: '1GiB/s' }, { id: 'h2', cpu: 64, memory: '256GiB', bandwidth: '1GiB/s' }],
      vms: [
        { id: 'a', host: 'h1', cpu: 5, memory: '6GiB', dirtyRate: '10MiB/s' },
        { id: 'b', host: 'h1', cpu: 3, memory: '2GiB', dirtyRate: '10MiB/s' },
        { id: 'c', host: 'h1', cpu: 3, memory: '2GiB', dirtyRate: '10MiB/s' },
        { id: 'd', host: 'h1', cpu: 4, memory: '5GiB', dirtyRate: '10MiB/s' },
      ],
    });
    // CPU 15 > 10: must shed >= 5. Single VMs: a (5). Pairs: b+c (6), b+d, c+d... least traffic: b+c (4 GiB) < a (6 GiB)
    const opt = planMitigation(c, { policy: 'optimal' });
    const moa = planMitigation(c, { policy: 'moa' });
    assert.deepEqual(opt.moves.map((m) => m.vm).sort(), ['b', 'c']);
    assert.ok(opt.total.transferredBytes <= moa.total.transferredBytes + 1);
  });
  it('ra is seeded: the same seed gives the same plan', () => {
    const a = planMitigation(small(), { policy: 'ra', seed: 7 });
    const b = planMitigation(small(), { policy: 'ra', seed: 7 });
    assert.deepEqual(a.moves.map((m) => m.vm), b.moves.map((m) => m.vm));
  });
  it('a VM predicted not to converge is avoided when another will do, and said so', () => {
    const c = parseCluster({
      hosts: [{ id: 'h1', cpu: 8, memory: '32GiB', bandwidth: '100MiB/s' }, { id: 'h2', cpu: 8, memory: '32GiB', bandwidth: '100MiB/s' }],
      vms: [
        { id: 'wild', host: 'h1', cpu: 5, memory: '1GiB', dirtyRate: '500MiB/s' },
        { id: 'calm', host: 'h1', cpu: 5, memory: '8GiB', dirtyRate: '1MiB/s' },
      ],
    });
    const p = planMitigation(c, { policy: 'moa' });
    assert.deepEqual(p.moves.map((m) => m.vm), ['calm']);
    assert.match(p.avoided.find((a) => a.vm === 'wild')!.why, /not to converge/);
  });
});

describe('placement', () => {
  it('never creates a hot host; a VM with nowhere to go is reported', () => {
    const c = parseCluster({
      hosts: [{ id: 'h1', cpu: 4, memory: '8GiB' }, { id: 'h2', cpu: 4, memory: '8GiB' }],
      vms: [
        { id: 'x', host: 'h1', cpu: 3, memory: '2GiB' },
        { id: 'y', host: 'h1', cpu: 3, memory: '2GiB' },
        { id: 'z', host: 'h2', cpu: 3, memory: '2GiB' },
      ],
    });
    const p = planMitigation(c, { policy: 'mia' });
    assert.equal(p.moves.length, 0);
    assert.match(p.avoided[0].why, /no host has room/);
    assert.deepEqual(p.hotAfter, ['h1']);
  });
  it('moves leaving one host share its link, and are priced at their share', () => {
    const c = parseCluster({
      hosts: [{ id: 'h1', cpu: 4, memory: '64GiB', bandwidth: '1GiB/s' }, { id: 'h2', cpu: 16, memory: '64GiB', bandwidth: '10GiB/s' }],
      vms: [
        { id: 'a', host: 'h1', cpu: 3, memory: '1GiB' },
        { id: 'b', host: 'h1', cpu: 3, memory: '1GiB' },
        { id: 'c', host: 'h1', cpu: 3, memory: '1GiB' },
      ],
    });
    const p = planMitigation(c, { policy: 'mia' }); // 9 > 4: two must go
    assert.equal(p.moves.length, 2);
    for (const m of p.moves) assertClose(m.bandwidthBytesPerSec, GiB / 2);
  });
});

describe('consolidation break-even', () => {
  it('switches a host off only when idle power x horizon exceeds the migration energy', () => {
    const c = parseCluster({
      hosts: [{ id: 'h1', cpu: 16, memory: '64GiB', bandwidth: '1GiB/s', idleWatts: 100 }, { id: 'h2', cpu: 16, memory: '64GiB', bandwidth: '1GiB/s', idleWatts: 100 }],
      vms: [{ id: 'lonely', host: 'h1', cpu: 1, memory: '4GiB' }, { id: 'busy', host: 'h2', cpu: 8, memory: '8GiB' }],
    });
    // lonely: 4 GiB idle VM -> 4096 MiB x 0.512 + 20.165 = 2117.3 J; 100 W saves that in ~21.2 s
    const e = 0.512 * 4096 + 20.165;
    const short = planConsolidation(c, { horizonSec: 20 });
    const long = planConsolidation(c, { horizonSec: 22 });
    assertClose(short[0].migrationEnergyJoules, e, 1e-6);
    assert.equal(short[0].switchOff, false);
    assert.equal(long[0].switchOff, true);
    assert.equal(long[0].moves[0].to, 'h2');
  });
});

describe('migcost plan (CLI)', () => {
  it('prints the plan as JSON with moves {vm, from, to, predicted} and writes a picture', () => {
    const svg = join(mkdtempSync(join(tmpdir(), 'migcost-plan-')), 'plan.svg');
    const r = spawnSync(process.execPath, [BIN, 'plan', '--cluster', new URL('../../examples/cluster.json', import.meta.url).pathname, '--policy', 'moa', '--json', '--svg', svg], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.ok(o.moves.length >= 1);
    for (const k of ['vm', 'from', 'to', 'predicted']) assert.ok(k in o.moves[0], k);
    assert.deepEqual(o.hotBefore, ['h1']);
    assert.deepEqual(o.hotAfter, []);
    assert.ok(readFileSync(svg, 'utf8').startsWith('<svg'));
  });
  const bad: [string, unknown, RegExp][] = [
    ['unknown host', { hosts: [{ id: 'h1', cpu: 1, memory: '1GiB' }], vms: [{ id: 'v', host: 'h9', cpu: 1, memory: '1GiB' }] }, /vms\[0\]\.host: "h9" names no host/],
    ['duplicate VM ids', { hosts: [{ id: 'h1', cpu: 4, memory: '4GiB' }], vms: [{ id: 'v', host: 'h1', cpu: 1, memory: '1GiB' }, { id: 'v', host: 'h1', cpu: 1, memory: '1GiB' }] }, /vms\[1\]\.id: "v" is a duplicate VM id/],
    ['a VM bigger than every host', { hosts: [{ id: 'h1', cpu: 4, memory: '4GiB' }], vms: [{ id: 'v', host: 'h1', cpu: 1, memory: '8GiB' }] }, /bigger than every host/],
    ['a negative size', { hosts: [{ id: 'h1', cpu: 4, memory: '-4GiB' }], vms: [] }, /hosts\[0\]\.memory: "-4GiB" must not be negative/],
  ];
  for (const [name, doc, re] of bad) {
    it(`bad cluster: ${name}`, () => {
      const f = join(mkdtempSync(join(tmpdir(), 'migcost-plan-')), 'c.json');
      writeFileSync(f, JSON.stringify(doc));
      const r = spawnSync(process.execPath, [BIN, 'plan', '--cluster', f], { encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.match(r.stderr, re);
    });
  }
});

describe('statistical detectors in the planner', () => {
  it('a host under capacity but trending up is hot for lr, not for Deng', () => {
    const c = parseCluster({
      hosts: [
        { id: 'h1', cpu: 10, memory: '32GiB', utilisationHistory: [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75] },
        { id: 'h2', cpu: 10, memory: '32GiB', utilisationHistory: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1] },
      ],
      vms: [{ id: 'a', host: 'h1', cpu: 4, memory: '2GiB' }, { id: 'b', host: 'h1', cpu: 4, memory: '2GiB' }, { id: 'c', host: 'h2', cpu: 1, memory: '1GiB' }],
    });
    assert.equal(planMitigation(c, { policy: 'mia' }).moves.length, 0);
    const lr = planMitigation(c, { policy: 'mia', detector: 'lr', detectorParam: 1.3 });
    assert.deepEqual(lr.hotBefore, ['h1']);
    assert.equal(lr.moves.length, 1);
    assert.equal(lr.moves[0].to, 'h2');
  });
});

describe('optimal on hosts too big to search exhaustively', () => {
  it('the bounded search cools the host, costs no less than the exact optimum and no more than moa order', () => {
    let seed = 11;
    const r = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let exactHits = 0;
    for (let k = 0; k < 200; k++) {
      const n = 4 + Math.floor(r() * 9);
      const vms = Array.from({ length: n }, (_, i) => ({ id: `v${i}`, host: 'h1', cpu: 1 + Math.floor(r() * 6), memoryBytes: (1 + Math.floor(r() * 8)) * GiB, dirtyRateBytesPerSec: 0 }));
      const cost = new Map(vms.map((v) => [v.id, 1 + r() * 100]));
      const c = (v: { id: string }) => cost.get(v.id)!;
      const load = { cpu: vms.reduce((a, v) => a + v.cpu, 0), mem: vms.reduce((a, v) => a + v.memoryBytes, 0) };
      const host = { id: 'h1', cpu: Math.max(6, Math.floor(load.cpu * 0.6)), memoryBytes: 1024 * GiB, bandwidthBytesPerSec: 1, idleWatts: 0, maxWatts: 0 };
      const hot = (set: { cpu: number }[]) => load.cpu - set.reduce((a, v) => a + v.cpu, 0) > host.cpu;
      const exact = optimalSubset(vms, c, hot)!;
      const bounded = boundedSubset(vms, load, host, c, hot)!;
      const sum = (set: { id: string }[]) => set.reduce((a, v) => a + c(v), 0);
      assert.equal(hot(bounded), false, `case ${k}: still hot`);
      assert.ok(sum(bounded) >= sum(exact) - 1e-9, `case ${k}: beat the exact optimum`);
      const moaOrder: typeof vms = [];
      for (const v of [...vms].sort((a, b) => c(a) - c(b))) {
        if (!hot(moaOrder)) break;
        moaOrder.push(v);
      }
      assert.ok(sum(bounded) <= sum(moaOrder) + 1e-9, `case ${k}: dearer than moa`);
      if (Math.abs(sum(bounded) - sum(exact)) < 1e-9) exactHits++;
    }
    assert.ok(exactHits >= 100, `the bounded search found the optimum in only ${exactHits} of 200 cases`);
  });
});

describe('optimal is bounded by size and by time', () => {
  // h1 is hot (11 CPUs on 8): moa's order takes the two cheapest and still needs c; optimal takes c alone
  const c = parseCluster({
    hosts: [
      { id: 'h1', cpu: 8, memory: '32GiB', bandwidth: '1GiB/s' },
      { id: 'h2', cpu: 16, memory: '64GiB', bandwidth: '1GiB/s' },
    ],
    vms: [
      { id: 'a', host: 'h1', cpu: 1, memory: '1GiB', dirtyRate: '1MiB/s' },
      { id: 'b', host: 'h1', cpu: 1, memory: '1GiB', dirtyRate: '1MiB/s' },
      { id: 'c', host: 'h1', cpu: 3, memory: '2GiB', dirtyRate: '1MiB/s' },
      { id: 'd', host: 'h1', cpu: 6, memory: '8GiB', dirtyRate: '200MiB/s' },
    ],
  });
  const moved = (p: { moves: { vm: string }[] }) => p.moves.map((m) => m.vm).sort();
  it('searches hosts within the limits, and takes moa\'s order past searchLimit VMs or once searchStop answers true', () => {
    const moa = moved(planMitigation(c, { policy: 'moa' }));
    assert.deepEqual(moa, ['a', 'b', 'c']);
    assert.deepEqual(moved(planMitigation(c, { policy: 'optimal' })), ['c'], 'searched: one VM');
    assert.deepEqual(moved(planMitigation(c, { policy: 'optimal', searchLimit: 3 })), moa, 'more VMs than searchLimit');
    assert.deepEqual(moved(planMitigation(c, { policy: 'optimal', searchLimit: 4 })), ['c']);
    let asked = 0;
    assert.deepEqual(moved(planMitigation(c, { policy: 'optimal', searchStop: () => (asked++, true) })), moa, 'out of time');
    assert.ok(asked > 0);
    assert.deepEqual(moved(planMitigation(c, { policy: 'optimal', exactLimit: 2, searchStop: () => false })), ['c'], 'the bounded search finds it too');
  });
});
