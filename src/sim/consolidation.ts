/**
 * Consolidation of under-loaded hosts at a step (CLOUDSIM-NOTES 3.8): hosts are emptied one at a time, least
 * utilised first (or, with `consolidationOrder: 'cost'`, cheapest evacuation per watt first), each only if
 * every one of its VMs finds a host by PABFD (through the step's host index); the moves are tentative, like the
 * rest of the optimisation. Pure.
 */
import { specPowerWatts } from './power.js';
import { evacuationCostPerWatt } from './cost-selection.js';
import { byCpuDescending, findHost } from './placement.js';
import { HostIndex } from './host-index.js';
import { vmCreate, vmDestroy } from './scheduler.js';
import { HostSet, MIGRATING_OUT_SHARE, priceOf, type Host, type SimState, type Vm } from './state.js';

/**
 * Empties what under-loaded hosts it can, `over` (the overloaded hosts) never a source nor a target, and
 * returns the moves; `touch` is told of each host before a tentative move changes it or its VMs. The hosts that received VMs in 3.7 are deliberately not excluded as sources (CloudSim's
 * behaviour: a VM can be listed twice).
 */
export function consolidate(s: SimState, over: readonly Host[], index: HostIndex = new HostIndex(s, over), touch: (h: Host) => void = () => {}): Array<[Vm, Host]> {
  const hosts = s.hosts;
  const moves: Array<[Vm, Host]> = [];
  const srcExcluded = new HostSet(hosts.length, over);
  const dstExcluded = new HostSet(hosts.length, over);
  // a host known idle (`busy` 0: empty, nothing used) is at u = 0 without reading it
  const busy = s.busy;
  const uOf = new Float64Array(hosts.length);
  const byLoad: Host[] = [];
  for (let id = 0; id < hosts.length; id++) {
    const u = busy[id] === 0 ? 0 : hosts[id].utilisation();
    if (u === 0) {
      srcExcluded.addId(id);
      dstExcluded.addId(id);
      index.excludeId(id);
    } else if (u > 0 && u < 1) {
      uOf[id] = u;
      byLoad.push(hosts[id]);
    }
  }
  byLoad.sort((a, b) => uOf[a.id] - uOf[b.id] || a.id - b.id);
  if (s.consolidationOrder === 'cost') {
    // cheapest evacuation per watt first: the SLA its migrations are predicted to cost over the power it draws
    const key = new Map<Host, number>();
    for (const h of byLoad) {
      const leaving = h.vms.filter((v) => !v.inMigration);
      const prices = leaving.map((v) => priceOf(s, v, h, s.lastProcessSec));
      key.set(h, evacuationCostPerWatt(prices, leaving.map((v) => v.request()), specPowerWatts(h.power, h.utilisation()), 1 - MIGRATING_OUT_SHARE));
    }
    byLoad.sort((a, b) => key.get(a)! - key.get(b)! || a.id - b.id);
  }
  let from = 0;
  while (srcExcluded.size < hosts.length) {
    while (from < byLoad.length && srcExcluded.has(byLoad[from])) from++;
    let under: Host | null = null;
    for (let k = from; k < byLoad.length; k++) {
      const h = byLoad[k];
      if (!srcExcluded.has(h) && !allMigratingOutOrAnyIn(h)) {
        under = h;
        break;
      }
    }
    if (!under) break;
    srcExcluded.add(under);
    dstExcluded.add(under);
    index.exclude(under);
    const leaving = byCpuDescending(under.vms.filter((v) => !v.inMigration));
    if (leaving.length === 0) continue;
    touch(under); // its VMs' host changes with each tentative move
    const placed: Array<[Vm, Host]> = [];
    for (const vm of leaving) {
      const target = findHost(s, vm, dstExcluded, false, index);
      if (!target) {
        for (const [pv, ph] of placed) {
          vmDestroy(ph, pv);
          index.update(ph);
        }
        placed.length = 0;
        break;
      }
      touch(target);
      vmCreate(target, vm);
      index.update(target);
      placed.push([vm, target]);
    }
    for (const [, ph] of placed) srcExcluded.add(ph);
    for (const m of placed) moves.push(m); // no spread: unbounded
  }
  return moves;
}

function allMigratingOutOrAnyIn(h: Host): boolean {
  for (const v of h.vms) {
    if (!v.inMigration) return false;
    if (h.migratingIn.has(v)) return true;
  }
  return true;
}
