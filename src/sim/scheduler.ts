/**
 * A host's CPU scheduler (time-shared with over-subscription, CloudSim's VmSchedulerTimeSharedOverSubscription
 * with the power examples' migration shares), VMs created on and destroyed from hosts, and the update of a
 * host at a time: every VM's utilisation from its trace, the CPU re-allocated, the host's and VMs' records.
 * CLOUDSIM-NOTES 3.1 and 4. Pure.
 */
import { HISTORY_LENGTH, MIGRATING_IN_SHARE, MIGRATING_OUT_SHARE, type Host, type Vm } from './state.js';

/** u(t): sample d[t / interval] on the grid, linear between the neighbouring samples otherwise. */
export function traceUtilisation(d: Float64Array, t: number, intervalSec: number): number {
  if (t % intervalSec === 0) return d[Math.trunc(Math.trunc(t) / intervalSec)];
  const t1 = Math.floor(t / intervalSec);
  const t2 = Math.ceil(t / intervalSec);
  const u1 = d[t1];
  const delta = (d[t2] - u1) / ((t2 - t1) * intervalSec);
  return u1 + delta * (t - t1 * intervalSec);
}

/** Allocates `requestMips` to `vm` on `h`; a VM migrating (and not in) is scheduled as migrating out. */
export function allocateFor(h: Host, vm: Vm, requestMips: number): void {
  if (vm.inMigration) {
    if (!h.schedIn.has(vm) && !h.schedOut.has(vm)) h.schedOut.add(vm);
  } else h.schedOut.delete(vm);
  allocateUid(h, vm, requestMips);
}

function allocateUid(h: Host, vm: Vm, requestMips: number): void {
  const capped = requestMips > h.coreMips ? h.coreMips : requestMips;
  let total = capped;
  h.requested.set(vm, requestMips);
  if (h.schedIn.has(vm)) total *= MIGRATING_IN_SHARE;
  if (h.available >= total) {
    let a = capped;
    if (h.schedOut.has(vm)) a *= MIGRATING_OUT_SHARE;
    else if (h.schedIn.has(vm)) a *= MIGRATING_IN_SHARE;
    h.allocated.set(vm, a);
    h.available -= total;
  } else redistribute(h);
}

/** Over-subscribed: every VM gets floor(ask x total / demand), with the migration shares. */
function redistribute(h: Host): void {
  let totalRequired = 0;
  for (const [v, req] of h.requested) {
    let need = req > h.coreMips ? h.coreMips : req;
    if (h.schedIn.has(v)) need *= MIGRATING_IN_SHARE;
    totalRequired += need;
  }
  const scaling = h.totalMips / totalRequired;
  h.allocated.clear();
  for (const [v, req] of h.requested) {
    let mips = req > h.coreMips ? h.coreMips : req;
    if (h.schedOut.has(v)) {
      mips *= scaling;
      mips *= MIGRATING_OUT_SHARE;
    } else if (h.schedIn.has(v)) {
      mips *= MIGRATING_IN_SHARE;
      mips *= scaling;
    } else mips *= scaling;
    h.allocated.set(v, Math.floor(mips));
  }
  h.available = 0;
}

export function deallocateFor(h: Host, vm: Vm): void {
  h.requested.delete(vm);
  h.allocated.clear();
  h.available = h.totalMips;
  for (const [v, req] of h.requested) allocateUid(h, v, req);
}

export function clearScheduler(h: Host): void {
  if (h.requested.size > 0) h.requested.clear();
  if (h.allocated.size > 0) h.allocated.clear();
  h.available = h.totalMips;
}

/** Places `vm` on `h` with what it asks now. */
export function vmCreate(h: Host, vm: Vm): void {
  allocateFor(h, vm, vm.request());
  h.vms.push(vm);
  vm.host = h;
}

export function vmDestroy(h: Host, vm: Vm): void {
  deallocateFor(h, vm);
  const i = h.vms.indexOf(vm);
  if (i >= 0) h.vms.splice(i, 1);
  vm.host = null;
}

/** Allocated MIPS on the host, a VM migrating in counted at its full (10 % / 0.1) share. */
export function reservedMips(h: Host): number {
  let sum = 0;
  for (const v of h.vms) {
    const a = h.allocated.get(v) ?? 0;
    if (h.migratingIn.has(v)) sum += (a * 0.9) / 0.1;
    sum += a;
  }
  return sum;
}

/** The VM's utilisation at t; at a step (t - 0.1 on the interval grid) also pushed onto its history. */
export function updateVm(vm: Vm, t: number, intervalSec: number): void {
  vm.utilisation = traceUtilisation(vm.trace, t, intervalSec);
  vm.requestedMips = vm.utilisation * vm.mips;
  if (t > vm.historyAt && (t - 0.1) % intervalSec === 0) {
    vm.history.unshift(vm.utilisation);
    if (vm.history.length > HISTORY_LENGTH) vm.history.length = HISTORY_LENGTH;
    vm.historyAt = t;
  }
}

/** CLOUDSIM-NOTES 3.1: the host's VMs updated at t, its CPU re-allocated, the host and its VMs recorded. */
export function updateHost(h: Host, t: number, intervalSec: number): void {
  const list = h.vms;
  for (const v of list) updateVm(v, t, intervalSec);
  h.prevUsedMips = h.usedMips;
  clearScheduler(h);
  for (const v of list) allocateFor(h, v, v.request());
  let used = 0;
  let requested = 0;
  for (const v of list) {
    const r = v.request();
    let a = h.allocated.get(v) ?? 0;
    if (!h.migratingIn.has(v)) {
      v.rec.record(t, a, r, v.inMigration);
      if (v.inMigration) a /= MIGRATING_OUT_SHARE;
    }
    used += a;
    requested += r;
  }
  h.usedMips = used;
  h.rec.record(t, used, requested, used > 0);
}
