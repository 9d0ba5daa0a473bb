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

/** Is `vm` migrating in to `h` (CloudSim's scheduler list of VMs migrating in)? */
function isIn(h: Host, vm: Vm): boolean {
  return h.migratingIn.size !== 0 && h.migratingIn.has(vm);
}

/** Is `vm` on the scheduler's list of VMs migrating out of `h`? */
function isOut(h: Host, vm: Vm): boolean {
  return vm.outOf !== 0 && vm.outCleanOn !== h && h.schedOut.has(vm);
}

/** Index of `vm` among the scheduler's entries (`hint` tried first), or -1. */
function slotOf(h: Host, vm: Vm, hint: number): number {
  const list = h.schedVms;
  if (hint < h.schedN && list[hint] === vm) return hint;
  for (let i = 0; i < h.schedN; i++) if (list[i] === vm) return i;
  return -1;
}

/** MIPS the scheduler allocates to `vm` on `h` (0 if it has no entry); `hint`: its likely entry (its place in `h.vms`). */
export function allocatedMips(h: Host, vm: Vm, hint = 0): number {
  const i = slotOf(h, vm, hint);
  return i < 0 ? 0 : h.schedAlloc[i];
}

/** Allocates `requestMips` to `vm` on `h`; a VM migrating (and not in) is scheduled as migrating out. */
export function allocateFor(h: Host, vm: Vm, requestMips: number): void {
  let out = false;
  if (vm.inMigration) {
    out = isOut(h, vm);
    if (!out && !isIn(h, vm)) {
      h.schedOut.add(vm);
      vm.outOf++;
      vm.outCleanOn = null;
      out = true;
    }
  } else if (vm.outCleanOn !== h) {
    if (vm.outOf !== 0 && h.schedOut.delete(vm)) vm.outOf--;
    vm.outCleanOn = h;
  }
  allocateUid(h, vm, requestMips, slotOf(h, vm, h.schedN), out);
}

/**
 * CloudSim's allocatePesForVm: the entry `i` of `vm` (-1: a new entry, appended) asks `requestMips`; `out`:
 * is the VM on the migrating-out list.
 */
function allocateUid(h: Host, vm: Vm, requestMips: number, i: number, out: boolean): void {
  const capped = requestMips > h.coreMips ? h.coreMips : requestMips;
  let total = capped;
  if (i < 0) {
    i = h.schedN++;
    h.schedVms[i] = vm;
    h.schedAlloc[i] = 0;
  }
  h.schedReq[i] = requestMips;
  const migratingIn = isIn(h, vm);
  if (migratingIn) total *= MIGRATING_IN_SHARE;
  if (h.available >= total) {
    let a = capped;
    if (out) a *= MIGRATING_OUT_SHARE;
    else if (migratingIn) a *= MIGRATING_IN_SHARE;
    h.schedAlloc[i] = a;
    h.available -= total;
  } else redistribute(h);
}

/** Over-subscribed: every VM gets floor(ask x total / demand), with the migration shares. */
function redistribute(h: Host): void {
  const n = h.schedN;
  const vms = h.schedVms;
  const reqs = h.schedReq;
  let totalRequired = 0;
  for (let i = 0; i < n; i++) {
    const req = reqs[i];
    let need = req > h.coreMips ? h.coreMips : req;
    if (isIn(h, vms[i])) need *= MIGRATING_IN_SHARE;
    totalRequired += need;
  }
  const scaling = h.totalMips / totalRequired;
  for (let i = 0; i < n; i++) {
    const v = vms[i];
    const req = reqs[i];
    let mips = req > h.coreMips ? h.coreMips : req;
    if (isOut(h, v)) {
      mips *= scaling;
      mips *= MIGRATING_OUT_SHARE;
    } else if (isIn(h, v)) {
      mips *= MIGRATING_IN_SHARE;
      mips *= scaling;
    } else mips *= scaling;
    h.schedAlloc[i] = Math.floor(mips);
  }
  h.available = 0;
}

/** Removes `vm`'s entry and allocates the others again from scratch, in order. */
export function deallocateFor(h: Host, vm: Vm): void {
  const i = slotOf(h, vm, 0);
  if (i >= 0) {
    h.schedVms.splice(i, 1);
    h.schedReq.splice(i, 1);
    h.schedAlloc.splice(i, 1);
    h.schedN--;
  }
  for (let j = 0; j < h.schedN; j++) h.schedAlloc[j] = 0;
  h.available = h.totalMips;
  for (let j = 0; j < h.schedN; j++) allocateUid(h, h.schedVms[j], h.schedReq[j], j, isOut(h, h.schedVms[j]));
}

export function clearScheduler(h: Host): void {
  h.schedN = 0;
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
  const list = h.vms;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    const a = allocatedMips(h, v, i);
    if (isIn(h, v)) sum += (a * 0.9) / 0.1;
    sum += a;
  }
  return sum;
}

// Where t falls on the trace grid, worked out once per time (every VM of a full update shares it): the same
// operations as traceUtilisation, in the same order.
let gridT = NaN;
let gridInterval = NaN;
let onGrid = false;
let gridIndex = 0;
let t1 = 0;
let t2 = 0;
let span = 0;
let offset = 0;
let isStep = false;

function locate(t: number, intervalSec: number): void {
  gridT = t;
  gridInterval = intervalSec;
  onGrid = t % intervalSec === 0;
  gridIndex = Math.trunc(Math.trunc(t) / intervalSec);
  t1 = Math.floor(t / intervalSec);
  t2 = Math.ceil(t / intervalSec);
  span = (t2 - t1) * intervalSec;
  offset = t - t1 * intervalSec;
  isStep = (t - 0.1) % intervalSec === 0;
}

/** The VM's utilisation at t; at a step (t - 0.1 on the interval grid) also pushed onto its history. */
export function updateVm(vm: Vm, t: number, intervalSec: number): void {
  // updated at t already (by its other host, or the update after arrivals): the same values, history pushed
  if (vm.updatedAt === t && intervalSec === gridInterval) return;
  if (t !== gridT || intervalSec !== gridInterval) locate(t, intervalSec);
  vm.updatedAt = t;
  const m = vm.samples;
  let u: number;
  if (m !== null && gridIndex < vm.sampleCount && t2 < vm.sampleCount) {
    // the same samples, from the by-time layout
    const n = m.length / vm.sampleCount;
    if (onGrid) u = m[gridIndex * n + vm.id];
    else {
      const u1 = m[t1 * n + vm.id];
      u = u1 + ((m[t2 * n + vm.id] - u1) / span) * offset;
    }
  } else {
    const d = vm.trace;
    if (onGrid) u = d[gridIndex];
    else {
      const u1 = d[t1];
      u = u1 + ((d[t2] - u1) / span) * offset;
    }
  }
  vm.utilisation = u;
  vm.requestedMips = u * vm.mips;
  if (isStep && t > vm.historyAt) {
    // unshift, capped at HISTORY_LENGTH, without reallocating the array
    const hist = vm.history;
    let i = hist.length < HISTORY_LENGTH ? hist.length : HISTORY_LENGTH - 1;
    for (; i > 0; i--) hist[i] = hist[i - 1];
    hist[0] = u;
    vm.historyAt = t;
  }
}

/** CLOUDSIM-NOTES 3.1: the host's VMs updated at t, its CPU re-allocated, the host and its VMs recorded. */
export function updateHost(h: Host, t: number, intervalSec: number): void {
  const list = h.vms;
  const n = list.length;
  for (let i = 0; i < n; i++) updateVm(list[i], t, intervalSec);
  h.prevUsedMips = h.usedMips;
  clearScheduler(h);
  for (let i = 0; i < n; i++) {
    const v = list[i];
    allocateFor(h, v, v.request());
  }
  let used = 0;
  let requested = 0;
  let mayFinish = false;
  for (let i = 0; i < n; i++) {
    const v = list[i];
    const r = v.request();
    if (r === 0 && !v.inMigration) mayFinish = true;
    let a = allocatedMips(h, v, i);
    if (!isIn(h, v)) {
      v.rec.record(t, a, r, v.inMigration);
      if (v.inMigration) a /= MIGRATING_OUT_SHARE;
    }
    used += a;
    requested += r;
  }
  h.usedMips = used;
  h.mayFinish = mayFinish;
  h.rec.record(t, used, requested, used > 0);
}
