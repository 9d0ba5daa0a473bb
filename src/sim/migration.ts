/**
 * Migrations (CLOUDSIM-NOTES 4): starting one (the VM flagged, the target reserving its 10 %, both hosts
 * re-updated once the step's migrations have started, the duration from RAM over bandwidth or from migcost's prediction) and its arrival. Pure.
 */
import { allocateFor, deallocateFor, updateHost, vmCreate, vmDestroy } from './scheduler.js';
import { priceOf, touch, type Host, type SimState, type Arrival, type Vm } from './state.js';
import type { MigrationPrice } from './pricer.js';

/** Starts migrating `vm` to `target` at `t`, and schedules its arrival. */
export function startMigration(s: SimState, vm: Vm, target: Host, t: number): void {
  const cost = s.cost;
  vm.inMigration = true;
  s.busy[target.id] = 1;
  if (!target.migratingIn.has(vm)) {
    target.migratingIn.add(vm);
    allocateFor(target, vm, vm.request());
    target.vms.push(vm);
    // both hosts are updated at t once the step's migrations have all started (`updateStarted`)
    touch(s, target);
    if (vm.host) touch(s, vm.host);
  }
  s.migrations++;
  s.stepMigrations++;
  let durationSec = vm.ramMb / target.migrationMbPerSec();
  let p: MigrationPrice | undefined;
  if (s.pricer) {
    p = priceOf(s, vm, target, t);
    if (s.migrationModel === 'migcost') {
      // whole seconds, so arrivals batch as they do with CloudSim's few distinct durations (each arrival updates every host)
      durationSec = Math.ceil(p.totalTimeSec);
      // the VM is stopped for the downtime: all its requested MIPS are lost then (PDM)
      vm.rec.lostToMigrationMipsSec += vm.request() * p.downtimeSec;
    }
    cost.transferredBytes += p.transferredBytes;
    cost.downtimeSec += p.downtimeSec;
    cost.energyJoules += p.energyJoules;
    cost.modelTimeSec += p.totalTimeSec;
    if (!p.converged) cost.nonConverged++;
  }
  s.migrationSecSum += durationSec;
  s.cfg.onMigration?.({ vmName: s.cfg.vms[vm.id].name, startSec: t, durationSec, ...(p ? { price: p } : {}) });
  s.arrivals.push({ t: t + durationSec, seq: s.seq++, vm, target, startSec: t });
  vm.pendingArrivals++;
}

/**
 * Updates at t, once each and by id, the hosts the step's migrations touched (their sources and targets).
 * CloudSim updates both hosts as each migration starts; a host's update re-allocates its CPU from scratch and
 * replaces its records at t, so its last update is all that counts, and it sees the same flags as this one
 * (a VM on the host starts migrating only by a migration that touches it).
 */
export function updateStarted(s: SimState, t: number): void {
  const list = s.touchedList.sort((a, b) => a.id - b.id);
  for (const h of list) {
    updateHost(h, t, s.intervalSec);
    s.touched[h.id] = 0;
  }
  list.length = 0;
}

/**
 * The VM of `a` leaves its source and lands on its target with a normal allocation. The hosts this changes are
 * touched (`touch`): the source, the target, and the targets of the VM's other migrations (listed twice: it
 * stays on them as migrating in, no longer migrating).
 */
export function arrive(s: SimState, a: Arrival): void {
  const { vm, target } = a;
  if (vm.host) touch(s, vm.host);
  touch(s, target);
  if (--vm.pendingArrivals > 0) for (const o of s.arrivals) if (o.vm === vm) touch(s, o.target);
  if (vm.host) vmDestroy(vm.host, vm);
  deallocateFor(target, vm);
  target.migratingIn.delete(vm);
  const i = target.vms.indexOf(vm);
  if (i >= 0) target.vms.splice(i, 1);
  vm.inMigration = false;
  vmCreate(target, vm);
}
