/** The host index: on random small clusters, PABFD through it returns the linear scan's host for every request. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findHost, findHostLinear } from '../../src/sim/placement.js';
import { HostIndex } from '../../src/sim/host-index.js';
import { updateHost, vmCreate, vmDestroy } from '../../src/sim/scheduler.js';
import { createState, HostSet, type Host, type SimState, type Vm } from '../../src/sim/state.js';
import { CLOUDSIM_HOST_TYPES, CLOUDSIM_VM_TYPES } from '../../src/sim/presets.js';
import { mulberry32 } from '../../src/stats/random.js';
import type { SimDetector } from '../../src/sim/detectors.js';
import type { SimHostSpec, SimVmSpec } from '../../src/sim/types.js';

const DETECTORS: Array<[SimDetector, number]> = [['thr', 0.8], ['thr', 0.6], ['mad', 2.5], ['iqr', 1.5], ['lr', 1.2]];

/** A random cluster: the two CloudSim host types plus one with a random table, VMs of CloudSim's types with coarse traces (ties). */
function randomState(seed: number): { s: SimState; rand: () => number } {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const table = [80];
  for (let i = 1; i <= 10; i++) table.push(table[i - 1] + Math.round(rand() * 8));
  const odd: SimHostSpec = { model: 'odd', cores: 4, coreMips: 1000, ramMb: 8192, bwKbps: 1_000_000, powerWatts: table };
  const nHosts = 3 + Math.floor(rand() * 40);
  const hosts = Array.from({ length: nHosts }, () => (rand() < 0.2 ? odd : pick(CLOUDSIM_HOST_TYPES)));
  const nVms = 1 + Math.floor(rand() * nHosts * 2.5);
  const vms = Array.from({ length: nVms }, (_, i): SimVmSpec => {
    const type = pick(CLOUDSIM_VM_TYPES);
    const trace = Float64Array.from({ length: 40 }, () => (rand() < 0.15 ? 0 : Math.round(rand() * 10) / 10));
    return { name: `vm${i}`, mips: type.mips, ramMb: type.ramMb, bwKbps: 100_000, utilisation: trace };
  });
  const [detector, detectorParam] = pick(DETECTORS);
  return { s: createState({ hosts, vms, detector, detectorParam, selection: 'mmt' }), rand };
}

/** Both searches, or both throw the same error. */
function same(s: SimState, vm: Vm, excluded: HostSet | null, creating: boolean, index: HostIndex): Host | null {
  let linear: Host | null | Error;
  try {
    linear = findHostLinear(s, vm, excluded, creating);
  } catch (e) {
    linear = e as Error;
  }
  if (linear instanceof Error) {
    assert.throws(() => findHost(s, vm, excluded, creating, index), { message: linear.message });
    return null;
  }
  const indexed = findHost(s, vm, excluded, creating, index);
  assert.equal(indexed?.id ?? null, linear?.id ?? null, `vm ${vm.id} asking ${vm.request()} MIPS (${s.cfg.detector} ${s.cfg.detectorParam}, ${s.hosts.length} hosts)`);
  return indexed;
}

describe('host index: the same host as the linear scan', () => {
  it('creation (t = 0, RAM and bandwidth checked): every VM of 150 random clusters', () => {
    let found = 0;
    let none = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const { s } = randomState(seed);
      const index = new HostIndex(s);
      for (const vm of s.vms) {
        vm.instantiating = true;
        const h = same(s, vm, null, true, index);
        if (h) {
          vmCreate(h, vm);
          h.ramFreeMb -= vm.ramMb;
          h.bwFreeKbps -= vm.bwKbps;
          found++;
        } else none++;
        vm.instantiating = false;
        if (h) index.update(h);
      }
    }
    assert.ok(found > 1000 && none > 10, `found ${found}, none ${none}: both outcomes exercised`);
  });

  it('a step: random placements, histories, exclusions, moves and undos, every request of 300 random clusters', () => {
    let found = 0;
    let none = 0;
    let visited = 0;
    let hostsTotal = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { s, rand } = randomState(1000 + seed);
      const on = (h: Host) => h.vms.length;
      for (const vm of s.vms) if (rand() < 0.85) vmCreate(s.hosts[Math.floor(rand() * s.hosts.length)], vm);
      // a few steps of history, so that MAD, IQR and LR read real histories
      for (let k = 1; k <= 14; k++) for (const h of s.hosts) updateHost(h, 0.1 + 300 * k, 300);
      const excluded = new HostSet(s.hosts.length);
      for (const h of s.hosts) if (rand() < 0.15 || (on(h) === 0 && rand() < 0.3)) excluded.add(h);
      const index = new HostIndex(s, s.hosts.filter((h) => excluded.has(h)));
      hostsTotal += s.hosts.length;
      const placed: Array<[Vm, Host]> = [];
      for (let q = 0; q < 3 * s.vms.length; q++) {
        const vm = s.vms[Math.floor(rand() * s.vms.length)];
        const h = same(s, vm, excluded, false, index);
        if (!h) {
          none++;
          continue;
        }
        found++;
        const roll = rand();
        if (roll < 0.6) {
          vmCreate(h, vm);
          index.update(h);
          placed.push([vm, h]);
        } else if (roll < 0.75) {
          excluded.add(h);
          index.exclude(h);
        } else if (placed.length > 0) {
          const [pv, ph] = placed.splice(Math.floor(rand() * placed.length), 1)[0];
          vmDestroy(ph, pv);
          index.update(ph);
        }
      }
      visited += index.visited;
    }
    assert.ok(found > 5000 && none > 500, `found ${found}, none ${none}: both outcomes exercised`);
    assert.ok(visited > 0 && hostsTotal > 0);
  });
});

describe('specPowerWatts: the remainder taken only near a tenth', () => {
  it("equals CloudSim's arithmetic (u % 0.1 === 0 read from the table) on tenths, their neighbours and random u", async () => {
    const { specPowerWatts, HP_ML110_G4_WATTS: t } = await import('../../src/sim/power.js');
    const reference = (u: number): number => {
      if (u % 0.1 === 0) return t[Math.trunc(u * 10)];
      const u1 = Math.floor(u * 10);
      return t[u1] + ((t[Math.ceil(u * 10)] - t[u1]) / 10) * (u - u1 / 10) * 100;
    };
    const us: number[] = [];
    for (let n = 0; n <= 10; n++) for (const u of [n * 0.1, n / 10, n * 0.1 + 2 ** -53, n * 0.1 - 2 ** -53, (n * 0.1) * (1 + 2 ** -52), (n * 0.1) * (1 - 2 ** -52)]) if (u >= 0 && u <= 1) us.push(u);
    const rand = mulberry32(7);
    for (let i = 0; i < 20000; i++) us.push(rand());
    let tableHits = 0;
    for (const u of us) {
      assert.equal(specPowerWatts(t, u), reference(u), `u = ${u}`);
      if (u % 0.1 === 0) tableHits++;
    }
    assert.ok(tableHits >= 4, `${tableHits} exact tenths exercised`);
  });
});
