/**
 * The optimisation at a step (CLOUDSIM-NOTES 3.4-3.9): find the overloaded hosts, select VMs off each (a
 * classic rule, or by predicted cost), place them by PABFD, consolidate under-loaded hosts, then undo every
 * tentative move and return the list of migrations to start. Pure.
 */
import { overloadShares } from './detectors.js';
import { objectiveCosts, selectMoa, selectNeedCapped, selectOptimal } from './cost-selection.js';
import { consolidate } from './consolidation.js';
import { HostIndex } from './host-index.js';
import { byCpuDescending, findHost, isOverloaded } from './placement.js';
import { allocateFor, clearScheduler, vmCreate, vmDestroy } from './scheduler.js';
import { HostSet, MIGRATING_OUT_SHARE, priceOf, type Host, type SimState, type Vm } from './state.js';

/** The migrations to start at this step, in order: (VM, target). The placement is left as it was. */
export function optimise(s: SimState): Array<[Vm, Host]> {
  const hosts = s.hosts;
  // a host known idle (`busy` 0) has no VM, and no detector calls an empty host overloaded
  const over: Host[] = [];
  for (let id = 0; id < hosts.length; id++) if (s.busy[id] !== 0 && isOverloaded(s, hosts[id])) over.push(hosts[id]);
  // the hosts the tentative moves change, each with its VMs as they were (not those migrating in), to undo
  const saved = new Map<Host, Vm[]>();
  const touch = (h: Host): void => {
    if (!saved.has(h)) saved.set(h, h.vms.filter((v) => !h.migratingIn.has(v)));
  };
  for (const h of over) touch(h);

  const toMigrate: Vm[] = [];
  for (const h of over) {
    if (s.select === null) {
      for (const vm of costAwareSet(s, h)) {
        toMigrate.push(vm);
        vmDestroy(h, vm);
      }
      continue;
    }
    for (;;) {
      const candidates = h.vms.filter((v) => !v.inMigration);
      const i = s.select(candidates);
      if (i < 0) break;
      const vm = candidates[i];
      toMigrate.push(vm);
      vmDestroy(h, vm);
      if (!isOverloaded(s, h)) break;
    }
  }
  const overSet = new HostSet(hosts.length, over);
  // the targets PABFD searches, indexed for this step (told of every move and every host no longer a target)
  const index = new HostIndex(s, over);
  const moves: Array<[Vm, Host]> = [];
  for (const vm of byCpuDescending(toMigrate)) {
    const target = findHost(s, vm, overSet, false, index);
    if (target) {
      touch(target);
      vmCreate(target, vm);
      index.update(target);
      moves.push([vm, target]);
    }
  }
  for (const m of consolidate(s, over, index, touch)) moves.push(m); // no spread: unbounded

  // undo the tentative moves: each host rebuilt with its VMs migrating in first, then the others. A host no
  // move touched and with none migrating in is already as the rebuild would leave it (its CPU allocated in
  // the same order from the same requests at the step's update), so it is left alone.
  for (let id = 0; id < hosts.length; id++) if (s.busy[id] !== 0 && hosts[id].migratingIn.size !== 0) touch(hosts[id]);
  for (const [h, vms] of saved) {
    h.vms = [];
    clearScheduler(h);
    for (const v of h.migratingIn) {
      h.vms.push(v);
      allocateFor(h, v, v.request());
    }
    for (const v of vms) vmCreate(h, v);
  }
  return moves;
}

/** moa / optimal on host h: the VMs to take off, by predicted cost; overload tested on h without them. */
function costAwareSet(s: SimState, h: Host): Vm[] {
  const cfg = s.cfg;
  const candidates = h.vms.filter((v) => !v.inMigration);
  if (candidates.length === 0) return [];
  const prices = candidates.map((v) => priceOf(s, v, h, s.lastProcessSec));
  const needCapped = s.objective === 'sla-per-relief';
  const costs = objectiveCosts(prices, candidates.map((v) => v.request()), needCapped ? 'sla' : s.objective, 1 - MIGRATING_OUT_SHARE);
  const all = h.vms;
  const stillOverloaded = (removed: readonly number[]): boolean => {
    const gone = new Set(removed.map((i) => candidates[i]));
    h.vms = all.filter((v) => !gone.has(v));
    const r = isOverloaded(s, h);
    h.vms = all;
    return r;
  };
  let picked: number[];
  if (cfg.selection === 'optimal') picked = selectOptimal(costs, stillOverloaded, s.exactLimit);
  else if (!needCapped) picked = selectMoa(costs, stillOverloaded);
  else {
    let req = 0;
    for (const v of h.vms) req += v.request();
    s.view.host = h;
    s.view.utilisation = req / h.totalMips;
    const { excess, shares } = overloadShares(cfg.detector, cfg.detectorParam, s.intervalSec, s.view, candidates.map((v) => ({ now: v.request() / h.totalMips, history: v.history.map((u) => (u * v.mips) / h.totalMips) })));
    picked = selectNeedCapped(costs, shares, excess, stillOverloaded);
  }
  return picked.map((i) => candidates[i]);
}
