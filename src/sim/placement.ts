/**
 * Where a VM goes: the overload test as the engine asks it of a host (with or without one VM more), power-aware
 * best-fit decreasing (PABFD, CLOUDSIM-NOTES 3.7) and, for the DVFS / NPA baselines, first fit. Pure.
 */
import { powerIncreaseWatts, specPowerWatts } from './power.js';
import { reservedMips } from './scheduler.js';
import type { Candidate, HostIndex } from './host-index.js';
import type { Host, HostSet, SimState, Vm } from './state.js';

/** Does the detector fire on `h` now (its VMs' requested MIPS over its MIPS, their history)? */
export function isOverloaded(s: SimState, h: Host): boolean {
  let req = 0;
  for (const v of h.vms) req += v.request();
  s.view.host = h;
  s.view.utilisation = req / h.totalMips;
  return s.overloaded(s.view);
}

/** Would the detector fire on `h` with `vm` added (its history included)? */
export function isOverloadedWith(s: SimState, h: Host, vm: Vm): boolean {
  h.vms.push(vm);
  const r = isOverloaded(s, h);
  h.vms.pop();
  return r;
}

/**
 * PABFD: the host outside `excluded` whose power rises least with `vm` added (lowest id on ties), among those
 * with room on a core and in free MIPS that the detector would not call overloaded; `creating` also checks
 * RAM and bandwidth (t = 0). Null when none qualifies. With `index` (host-index.ts, told of every exclusion
 * and move) the search visits a few bands of hosts instead of all of them, and returns the same host.
 */
export function findHost(s: SimState, vm: Vm, excluded: HostSet | null, creating: boolean, index?: HostIndex): Host | null {
  if (index === undefined) return findHostLinear(s, vm, excluded, creating);
  const r = vm.request();
  return index.search(
    vm,
    r,
    excluded,
    creating,
    (h, out) => evaluateHost(s, h, vm, r, excluded, creating, out),
    (h, reserved) => reserved === 0 || !isOverloadedWith(s, h, vm),
  );
}

/**
 * One host's test for `vm` (asking r MIPS): `ok` when it passes the filters before the detector, then its
 * power increase `diff` and its reserved MIPS. Throws where CloudSim stops (the host would run over its MIPS).
 */
export function evaluateHost(s: SimState, h: Host, vm: Vm, r: number, excluded: HostSet | null, creating: boolean, out: Candidate): void {
  out.ok = false;
  if (excluded !== null && excluded.has(h)) return;
  if (h.coreMips < r || !(h.available >= r)) return;
  if (creating && (h.ramFreeMb < vm.ramMb || h.bwFreeKbps < vm.bwKbps)) return;
  const reserved = reservedMips(h);
  const after = (reserved + r) / h.totalMips;
  // over by more than round-off (1e-9): CloudSim's fatal case; a sum of MIPS landing on 1 + 2^-52 is not
  if (after > 1 + 1e-9) {
    if (reserved !== 0 && isOverloadedWith(s, h, vm)) return;
    throw new RangeError(`simulateCluster: host ${h.id} would run at ${after} of its MIPS (CloudSim stops here)`);
  }
  out.diff = after > 1 ? specPowerWatts(h.power, 1) - specPowerWatts(h.power, h.utilisation()) : powerIncreaseWatts(h.power, h.totalMips, reserved, r, h.utilisation());
  out.reserved = reserved;
  out.ok = true;
}

/** PABFD by scanning every host in id order (CLOUDSIM-NOTES 3.7): the reference the index must equal. */
export function findHostLinear(s: SimState, vm: Vm, excluded: HostSet | null, creating: boolean): Host | null {
  const r = vm.request();
  let minPower = Number.MAX_VALUE;
  let best: Host | null = null;
  // An empty, idle host costs exactly what the first empty idle host of its model costs, and a later host
  // wins only on a strictly lower cost: after the first, the others of that model cannot win (same result).
  let emptyModels: Array<readonly number[]> | null = null;
  const c: Candidate = { diff: 0, ok: false, reserved: 0 };
  for (const h of s.hosts) {
    if (!creating && h.vms.length === 0 && h.usedMips === 0 && h.available === h.totalMips && !(excluded !== null && excluded.has(h)) && h.coreMips >= r && h.available >= r) {
      if (emptyModels === null) emptyModels = [];
      else if (emptyModels.includes(h.power)) continue;
      emptyModels.push(h.power);
    }
    evaluateHost(s, h, vm, r, excluded, creating, c);
    if (!c.ok) continue;
    if (!(c.diff < minPower)) continue; // the detector below cannot make a costlier host win
    if (c.reserved !== 0 && isOverloadedWith(s, h, vm)) continue;
    minPower = c.diff;
    best = h;
  }
  return best;
}

/** The first host in id order with room for `vm` (core, free MIPS, RAM, bandwidth): DVFS and NPA's placement. */
export function firstFit(s: SimState, vm: Vm): Host | null {
  const r = vm.request();
  for (const h of s.hosts) if (h.coreMips >= r && h.available >= r && h.ramFreeMb >= vm.ramMb && h.bwFreeKbps >= vm.bwKbps) return h;
  return null;
}

/** The VMs in descending requested MIPS (u x MIPS), stable; sorts `list` in place. */
export function byCpuDescending(list: Vm[]): Vm[] {
  return list.sort((a, b) => b.utilisation * b.mips - a.utilisation * a.mips);
}
