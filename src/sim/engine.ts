/**
 * The cluster simulator: CloudSim 3.0.3's power-aware data centre, rule by rule as
 * `../shared/CLOUDSIM-NOTES.md` specifies it (written from that specification, not from CloudSim's code).
 * Discrete events: a scheduling step every interval (full update, energy, finished VMs, then
 * detect-select-place-consolidate on tentative moves that are undone, then the migrations start), and
 * migration arrivals in between. Pure: the traces come in as arrays.
 */
import { hostEnergyJoules, powerIncreaseWatts, specPowerWatts } from './power.js';
import { countNonZeroBeginning } from './cloudsim-math.js';
import { makeOverloadTest, overloadShares, type HostLoadView, type OverloadTest } from './detectors.js';
import { makeSelection, seededRandom, type SelectVm, type SelectableVm } from './selection.js';
import { HostRecorder, VmRecorder, meanAndStdev } from './metrics.js';
import { workloadClassPricer, type MigrationPrice } from './pricer.js';
import { classifyTrace, type WorkloadClass } from './workload-classes.js';
import { evacuationCostPerWatt, objectiveCosts, selectMoa, selectNeedCapped, selectOptimal, OPTIMAL_EXACT_LIMIT } from './cost-selection.js';
import type { MigrationCostTotals, SimHostSpec, SimVmSpec, SimulationConfig, SimulationResult, TimelinePoint } from './types.js';

/** Values of a VM's utilisation history kept (newest first). */
export const HISTORY_LENGTH = 30;
/** Share of its MIPS a VM keeps while migrating out, and that its target reserves while it migrates in. */
const MIGRATING_OUT_SHARE = 0.9;
const MIGRATING_IN_SHARE = 0.1;

class Vm implements SelectableVm {
  readonly mips: number;
  readonly ramMb: number;
  readonly bwKbps: number;
  readonly trace: Float64Array;
  readonly workloadClass: WorkloadClass;
  /** Newest first, at most HISTORY_LENGTH. */
  readonly history: number[] = [];
  /** Time of the last history sample (PowerVm's previous time). */
  historyAt = 0;
  /** Utilisation and requested MIPS at the last update. */
  utilisation = 0;
  requestedMips = 0;
  instantiating = false;
  inMigration = false;
  host: Host | null = null;
  readonly rec = new VmRecorder();
  constructor(
    readonly id: number,
    spec: SimVmSpec,
  ) {
    this.mips = spec.mips;
    this.ramMb = spec.ramMb;
    this.bwKbps = spec.bwKbps;
    this.trace = spec.utilisation;
    this.workloadClass = spec.workloadClass ?? classifyTrace(spec.utilisation);
  }
  /** What the VM asks of the CPU now: its full MIPS while being created, else u x MIPS. */
  request(): number {
    return this.instantiating ? this.mips : this.requestedMips;
  }
}

class Host {
  readonly totalMips: number;
  readonly coreMips: number;
  readonly bwKbps: number;
  readonly power: readonly number[];
  /** The host's VM list, in arrival order, VMs migrating in included. */
  vms: Vm[] = [];
  /** VMs migrating in (host side). */
  readonly migratingIn = new Set<Vm>();
  // the CPU scheduler (time-shared with over-subscription)
  readonly schedIn = new Set<Vm>();
  readonly schedOut = new Set<Vm>();
  readonly requested = new Map<Vm, number>();
  readonly allocated = new Map<Vm, number>();
  available: number;
  usedMips = 0;
  prevUsedMips = 0;
  ramFreeMb: number;
  bwFreeKbps: number;
  readonly rec = new HostRecorder();
  constructor(
    readonly id: number,
    spec: SimHostSpec,
  ) {
    this.coreMips = spec.coreMips;
    this.totalMips = spec.cores * spec.coreMips;
    this.bwKbps = spec.bwKbps;
    this.power = spec.powerWatts;
    this.available = this.totalMips;
    this.ramFreeMb = spec.ramMb;
    this.bwFreeKbps = spec.bwKbps;
  }
  /** Utilisation from the last update, with (1, 1.01) read as 1. */
  utilisation(): number {
    return clampUtilisation(this.usedMips / this.totalMips);
  }
  /** Migration bandwidth: half the host's link, in MB/s (kbit/s / (2 x 8000)). */
  migrationMbPerSec(): number {
    return this.bwKbps / (2 * 8000);
  }
}

/** A set of hosts as flags by host id (findHost tests every host against it). */
class HostSet {
  private readonly flags: Uint8Array;
  size = 0;
  constructor(n: number, initial: readonly Host[] = []) {
    this.flags = new Uint8Array(n);
    for (const h of initial) this.add(h);
  }
  has(h: Host): boolean {
    return this.flags[h.id] === 1;
  }
  add(h: Host): void {
    if (this.flags[h.id] === 0) {
      this.flags[h.id] = 1;
      this.size++;
    }
  }
}

function clampUtilisation(u: number): number {
  return u > 1 && u < 1.01 ? 1 : u;
}

/** u(t): sample d[t / interval] on the grid, linear between the neighbouring samples otherwise. */
export function traceUtilisation(d: Float64Array, t: number, intervalSec: number): number {
  if (t % intervalSec === 0) return d[Math.trunc(Math.trunc(t) / intervalSec)];
  const t1 = Math.floor(t / intervalSec);
  const t2 = Math.ceil(t / intervalSec);
  const u1 = d[t1];
  const delta = (d[t2] - u1) / ((t2 - t1) * intervalSec);
  return u1 + delta * (t - t1 * intervalSec);
}

interface Arrival {
  t: number;
  seq: number;
  vm: Vm;
  target: Host;
  startSec: number;
}

/**
 * Runs the simulation to the time limit and returns Beloglazov and Buyya's figures.
 * @example simulateCluster({ ...cloudsimPlanetLabPreset(traces), detector: 'thr', detectorParam: 0.8, selection: 'mmt' })
 */
export function simulateCluster(cfg: SimulationConfig): SimulationResult {
  const intervalSec = cfg.intervalSec ?? 300;
  const limitSec = cfg.limitSec ?? 86_400;
  if (!(intervalSec > 0)) throw new RangeError(`simulateCluster: intervalSec must be > 0 (got ${intervalSec})`);
  if (cfg.hosts.length === 0) throw new RangeError('simulateCluster: needs at least one host');
  const hosts = cfg.hosts.map((s, i) => new Host(i, s));
  const vms = cfg.vms.map((s, i) => new Vm(i, s));
  const overloaded: OverloadTest = makeOverloadTest(cfg.detector, cfg.detectorParam, intervalSec);
  const costAware = cfg.selection === 'moa' || cfg.selection === 'optimal';
  const select: SelectVm | null = costAware ? null : makeSelection(cfg.selection, seededRandom(cfg.seed ?? 1));
  const migrationModel = cfg.migrationModel ?? 'cloudsim';
  if (migrationModel !== 'cloudsim' && migrationModel !== 'migcost') throw new RangeError(`simulateCluster: unknown migrationModel ${String(migrationModel)}`);
  const consolidationOrder = cfg.consolidationOrder ?? 'utilisation';
  if (consolidationOrder !== 'utilisation' && consolidationOrder !== 'cost') throw new RangeError(`simulateCluster: unknown consolidationOrder ${String(consolidationOrder)}`);
  const pricer = cfg.pricer ?? (migrationModel === 'migcost' || costAware || consolidationOrder === 'cost' ? workloadClassPricer() : undefined);
  const objective = cfg.costObjective ?? 'sla';
  const exactLimit = cfg.exactLimit ?? OPTIMAL_EXACT_LIMIT;
  const timeline: TimelinePoint[] = [];
  let stepMigrations = 0;
  const cost: MigrationCostTotals = { transferredBytes: 0, downtimeSec: 0, nonConverged: 0, energyJoules: 0, modelTimeSec: 0 };

  let energyJoules = 0;
  let lastProcessSec = 0;
  let migrations = 0;
  let migrationSecSum = 0;
  let vmsFinished = 0;
  let seq = 0;
  let arrivals: Arrival[] = [];

  // ---- the CPU scheduler ----
  function allocateFor(h: Host, vm: Vm, requestMips: number): void {
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
  function deallocateFor(h: Host, vm: Vm): void {
    h.requested.delete(vm);
    h.allocated.clear();
    h.available = h.totalMips;
    for (const [v, req] of h.requested) allocateUid(h, v, req);
  }
  function clearScheduler(h: Host): void {
    if (h.requested.size > 0) h.requested.clear();
    if (h.allocated.size > 0) h.allocated.clear();
    h.available = h.totalMips;
  }

  // ---- VM placement on a host ----
  function vmCreate(h: Host, vm: Vm): void {
    allocateFor(h, vm, vm.request());
    h.vms.push(vm);
    vm.host = h;
  }
  function vmDestroy(h: Host, vm: Vm): void {
    deallocateFor(h, vm);
    const i = h.vms.indexOf(vm);
    if (i >= 0) h.vms.splice(i, 1);
    vm.host = null;
  }
  /** Allocated MIPS on the host, a VM migrating in counted at its full (10 % / 0.1) share. */
  function reservedMips(h: Host): number {
    let sum = 0;
    for (const v of h.vms) {
      const a = h.allocated.get(v) ?? 0;
      if (h.migratingIn.has(v)) sum += (a * 0.9) / 0.1;
      sum += a;
    }
    return sum;
  }

  // ---- what detectors see ----
  let viewHost: Host = hosts[0];
  const acc = new Float64Array(HISTORY_LENGTH);
  const view: HostLoadView = {
    utilisation: 0,
    history(): Float64Array {
      const h = viewHost;
      acc.fill(0);
      for (const v of h.vms) {
        const hist = v.history;
        for (let i = 0; i < hist.length; i++) acc[i] += (hist[i] * v.mips) / h.totalMips;
      }
      return acc.subarray(0, countNonZeroBeginning(acc));
    },
    maxMigrationSec(): number {
      const h = viewHost;
      let maxRam = -2147483648;
      for (const v of h.vms) if (v.ramMb > maxRam) maxRam = v.ramMb;
      return maxRam / h.migrationMbPerSec();
    },
  };
  function isOverloaded(h: Host): boolean {
    let req = 0;
    for (const v of h.vms) req += v.request();
    viewHost = h;
    view.utilisation = req / h.totalMips;
    return overloaded(view);
  }
  function isOverloadedWith(h: Host, vm: Vm): boolean {
    h.vms.push(vm);
    const r = isOverloaded(h);
    h.vms.pop();
    return r;
  }

  // ---- PABFD ----
  function findHost(vm: Vm, excluded: HostSet | null, creating: boolean): Host | null {
    const r = vm.request();
    let minPower = Number.MAX_VALUE;
    let best: Host | null = null;
    // An empty, idle host costs exactly what the first empty idle host of its model costs, and a later host
    // wins only on a strictly lower cost: after the first, the others of that model cannot win (same result).
    let emptyModels: Array<readonly number[]> | null = null;
    for (const h of hosts) {
      if (excluded !== null && excluded.has(h)) continue;
      if (h.coreMips < r || !(h.available >= r)) continue;
      if (creating && (h.ramFreeMb < vm.ramMb || h.bwFreeKbps < vm.bwKbps)) continue;
      if (!creating && h.vms.length === 0 && h.usedMips === 0 && h.available === h.totalMips) {
        if (emptyModels === null) emptyModels = [];
        else if (emptyModels.includes(h.power)) continue;
        emptyModels.push(h.power);
      }
      const reserved = reservedMips(h);
      const after = (reserved + r) / h.totalMips;
      // over by more than round-off (1e-9): CloudSim's fatal case; a sum of MIPS landing on 1 + 2^-52 is not
      if (after > 1 + 1e-9) {
        if (reserved !== 0 && isOverloadedWith(h, vm)) continue;
        throw new RangeError(`simulateCluster: host ${h.id} would run at ${after} of its MIPS (CloudSim stops here)`);
      }
      const diff = after > 1 ? specPowerWatts(h.power, 1) - specPowerWatts(h.power, h.utilisation()) : powerIncreaseWatts(h.power, h.totalMips, reserved, r, h.utilisation());
      if (!(diff < minPower)) continue; // the detector below cannot make a costlier host win
      if (reserved !== 0 && isOverloadedWith(h, vm)) continue;
      minPower = diff;
      best = h;
    }
    return best;
  }

  function firstFit(vm: Vm): Host | null {
    const r = vm.request();
    for (const h of hosts) if (h.coreMips >= r && h.available >= r && h.ramFreeMb >= vm.ramMb && h.bwFreeKbps >= vm.bwKbps) return h;
    return null;
  }

  // ---- updates ----
  function updateVm(vm: Vm, t: number): void {
    vm.utilisation = traceUtilisation(vm.trace, t, intervalSec);
    vm.requestedMips = vm.utilisation * vm.mips;
    if (t > vm.historyAt && (t - 0.1) % intervalSec === 0) {
      vm.history.unshift(vm.utilisation);
      if (vm.history.length > HISTORY_LENGTH) vm.history.length = HISTORY_LENGTH;
      vm.historyAt = t;
    }
  }
  function updateHost(h: Host, t: number): void {
    const list = h.vms;
    for (const v of list) updateVm(v, t);
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
  /** Updates every host at t, adds the energy since the last update, destroys VMs whose work stopped. */
  function fullUpdate(t: number): void {
    const dt = t - lastProcessSec;
    for (const h of hosts) updateHost(h, t);
    if (dt > 0) {
      let frame = 0;
      if (cfg.baseline === 'npa') for (const h of hosts) frame += h.power[h.power.length - 1] * dt;
      else for (const h of hosts) frame += hostEnergyJoules(h.power, clampUtilisation(h.prevUsedMips / h.totalMips), h.utilisation(), dt);
      energyJoules += frame;
    }
    for (const h of hosts) {
      const done = h.vms.filter((v) => !v.inMigration && v.request() === 0);
      for (const v of done) {
        if (v.host) vmDestroy(v.host, v);
        vmsFinished++;
      }
    }
    lastProcessSec = t;
  }

  // ---- optimisation at a step ----
  function byCpuDescending(list: Vm[]): Vm[] {
    return list.sort((a, b) => b.utilisation * b.mips - a.utilisation * a.mips);
  }
  function optimise(): Array<[Vm, Host]> {
    const over: Host[] = hosts.filter((h) => isOverloaded(h));
    const saved: Array<[Host, Vm]> = [];
    for (const h of hosts) for (const v of h.vms) if (!h.migratingIn.has(v)) saved.push([h, v]);

    const toMigrate: Vm[] = [];
    for (const h of over) {
      if (select === null) {
        for (const vm of costAwareSet(h)) {
          toMigrate.push(vm);
          vmDestroy(h, vm);
        }
        continue;
      }
      for (;;) {
        const candidates = h.vms.filter((v) => !v.inMigration);
        const i = select(candidates);
        if (i < 0) break;
        const vm = candidates[i];
        toMigrate.push(vm);
        vmDestroy(h, vm);
        if (!isOverloaded(h)) break;
      }
    }
    const overSet = new HostSet(hosts.length, over);
    const moves: Array<[Vm, Host]> = [];
    for (const vm of byCpuDescending(toMigrate)) {
      const target = findHost(vm, overSet, false);
      if (target) {
        vmCreate(target, vm);
        moves.push([vm, target]);
      }
    }

    // consolidation of under-loaded hosts (the 3.7 targets are deliberately not excluded as sources)
    const srcExcluded = new HostSet(hosts.length, over);
    const dstExcluded = new HostSet(hosts.length, over);
    for (const h of hosts) {
      if (h.utilisation() === 0) {
        srcExcluded.add(h);
        dstExcluded.add(h);
      }
    }
    const byLoad = hosts.filter((h) => h.utilisation() > 0 && h.utilisation() < 1).sort((a, b) => a.utilisation() - b.utilisation() || a.id - b.id);
    if (consolidationOrder === 'cost') {
      // cheapest evacuation per watt first: the SLA its migrations are predicted to cost over the power it draws
      const key = new Map<Host, number>();
      for (const h of byLoad) {
        const leaving = h.vms.filter((v) => !v.inMigration);
        const prices = leaving.map((v) => priceOf(v, h, lastProcessSec));
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
      const leaving = byCpuDescending(under.vms.filter((v) => !v.inMigration));
      if (leaving.length === 0) continue;
      const placed: Array<[Vm, Host]> = [];
      for (const vm of leaving) {
        const target = findHost(vm, dstExcluded, false);
        if (!target) {
          for (const [pv, ph] of placed) vmDestroy(ph, pv);
          placed.length = 0;
          break;
        }
        vmCreate(target, vm);
        placed.push([vm, target]);
      }
      for (const [, ph] of placed) srcExcluded.add(ph);
      for (const m of placed) moves.push(m); // no spread: placed is unbounded
    }

    // undo the tentative moves
    for (const h of hosts) {
      h.vms = [];
      clearScheduler(h);
      for (const v of h.migratingIn) {
        h.vms.push(v);
        h.schedIn.add(v);
        allocateFor(h, v, v.request());
      }
    }
    for (const [h, v] of saved) vmCreate(h, v);
    return moves;
  }
  /** What migrating `vm` off `h` is predicted to cost. */
  function priceOf(vm: Vm, h: Host, t: number): MigrationPrice {
    return pricer!.price({
      vmName: cfg.vms[vm.id].name,
      memoryBytes: vm.ramMb * 2 ** 20,
      cpuUtilisation: vm.utilisation,
      bandwidthBytesPerSec: h.migrationMbPerSec() * 2 ** 20,
      startSec: t,
      workloadClass: vm.workloadClass,
    });
  }
  /** moa / optimal on host h: the VMs to take off, by predicted cost; overload tested on h without them. */
  function costAwareSet(h: Host): Vm[] {
    const candidates = h.vms.filter((v) => !v.inMigration);
    if (candidates.length === 0) return [];
    const prices = candidates.map((v) => priceOf(v, h, lastProcessSec));
    const needCapped = objective === 'sla-per-relief';
    const costs = objectiveCosts(prices, candidates.map((v) => v.request()), needCapped ? 'sla' : objective, 1 - MIGRATING_OUT_SHARE);
    const all = h.vms;
    const stillOverloaded = (removed: readonly number[]): boolean => {
      const gone = new Set(removed.map((i) => candidates[i]));
      h.vms = all.filter((v) => !gone.has(v));
      const r = isOverloaded(h);
      h.vms = all;
      return r;
    };
    let picked: number[];
    if (cfg.selection === 'optimal') picked = selectOptimal(costs, stillOverloaded, exactLimit);
    else if (!needCapped) picked = selectMoa(costs, stillOverloaded);
    else {
      let req = 0;
      for (const v of h.vms) req += v.request();
      viewHost = h;
      view.utilisation = req / h.totalMips;
      const { excess, shares } = overloadShares(cfg.detector, cfg.detectorParam, intervalSec, view, candidates.map((v) => ({ now: v.request() / h.totalMips, history: v.history.map((u) => (u * v.mips) / h.totalMips) })));
      picked = selectNeedCapped(costs, shares, excess, stillOverloaded);
    }
    return picked.map((i) => candidates[i]);
  }
  function allMigratingOutOrAnyIn(h: Host): boolean {
    for (const v of h.vms) {
      if (!v.inMigration) return false;
      if (h.migratingIn.has(v)) return true;
    }
    return true;
  }

  // ---- migrations ----
  function startMigration(vm: Vm, target: Host, t: number): void {
    vm.inMigration = true;
    if (!target.migratingIn.has(vm)) {
      target.schedIn.add(vm);
      allocateFor(target, vm, vm.request());
      target.migratingIn.add(vm);
      target.vms.push(vm);
      updateHost(target, t);
      if (vm.host) updateHost(vm.host, t);
    }
    migrations++;
    stepMigrations++;
    let durationSec = vm.ramMb / target.migrationMbPerSec();
    let p: MigrationPrice | undefined;
    if (pricer) {
      p = priceOf(vm, target, t);
      if (migrationModel === 'migcost') {
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
    migrationSecSum += durationSec;
    cfg.onMigration?.({ vmName: cfg.vms[vm.id].name, startSec: t, durationSec, ...(p ? { price: p } : {}) });
    arrivals.push({ t: t + durationSec, seq: seq++, vm, target, startSec: t });
  }
  function arrive(a: Arrival): void {
    const { vm, target } = a;
    if (vm.host) vmDestroy(vm.host, vm);
    deallocateFor(target, vm);
    target.migratingIn.delete(vm);
    const i = target.vms.indexOf(vm);
    if (i >= 0) target.vms.splice(i, 1);
    target.schedIn.delete(vm);
    vm.inMigration = false;
    vmCreate(target, vm);
  }

  // ---- t = 0: every VM placed in id order ----
  for (const vm of vms) {
    vm.instantiating = true;
    // DVFS and NPA place by first fit in host-id order (CLOUDSIM-NOTES 3.x); the policies by PABFD
    const h = cfg.baseline === undefined ? findHost(vm, null, true) : firstFit(vm);
    if (!h) throw new RangeError(`simulateCluster: no host can take VM ${vm.id} (${cfg.vms[vm.id].name}) at creation`);
    vmCreate(h, vm);
    h.ramFreeMb -= vm.ramMb;
    h.bwFreeKbps -= vm.bwKbps;
    vm.instantiating = false;
  }

  // ---- the timeline ----
  let lastPointSec = 0;
  let lastPointJoules = 0;
  function pushTimeline(t: number, started: number): void {
    let active = 0;
    for (const h of hosts) if (h.usedMips > 0) active++;
    const dt = t - lastPointSec;
    timeline.push({ timeSec: t, energyKWhCumulative: energyJoules / 3.6e6, powerW: dt > 0 ? (energyJoules - lastPointJoules) / dt : 0, activeHosts: active, migrations: started });
    lastPointSec = t;
    lastPointJoules = energyJoules;
  }

  // ---- the event loop ----
  const firstStep = 0.1 + intervalSec;
  let stepsTotal = 0;
  for (let t = firstStep; t < limitSec; t += intervalSec) stepsTotal++;
  let stepT = firstStep;
  let steps = 0;
  let endSec = 0;
  let ai = 0;
  for (;;) {
    const nextArrival = ai < arrivals.length ? arrivals[ai].t : Infinity;
    const stepDue = stepT < limitSec;
    if (stepDue && stepT < nextArrival) {
      fullUpdate(stepT);
      const moves = cfg.baseline === undefined ? optimise() : [];
      stepMigrations = 0;
      for (const [vm, target] of moves) startMigration(vm, target, stepT);
      pushTimeline(stepT, stepMigrations);
      arrivals = arrivals.slice(ai).sort((a, b) => a.t - b.t || a.seq - b.seq);
      ai = 0;
      endSec = stepT;
      steps++;
      cfg.onStep?.(steps, stepsTotal);
      stepT += intervalSec;
      continue;
    }
    if (nextArrival === Infinity || nextArrival >= limitSec) break;
    const t = nextArrival;
    if (t > lastProcessSec) fullUpdate(t);
    while (ai < arrivals.length && arrivals[ai].t === t) arrive(arrivals[ai++]);
    fullUpdate(t);
    endSec = t;
  }

  if (energyJoules !== lastPointJoules || timeline.length === 0) pushTimeline(Math.max(endSec, lastPointSec), 0);

  // ---- metrics ----
  let activeSec = 0;
  let violationSec = 0;
  const shutdowns: number[] = [];
  for (const h of hosts) {
    h.rec.finish();
    activeSec += h.rec.activeSec;
    violationSec += h.rec.violationSec;
    for (const t of h.rec.shutdownAfterSec) shutdowns.push(t);
  }
  let allocated = 0;
  let requested = 0;
  let lost = 0;
  let shortfallSum = 0;
  let shortfallCount = 0;
  for (const v of vms) {
    allocated += v.rec.allocatedMipsSec;
    requested += v.rec.requestedMipsSec;
    lost += v.rec.lostToMigrationMipsSec;
    shortfallSum += v.rec.shortfallSum;
    shortfallCount += v.rec.shortfallCount;
  }
  const slatah = activeSec > 0 ? violationSec / activeSec : 0;
  const pdm = requested > 0 ? lost / requested : 0;
  const energyKWh = energyJoules / 3.6e6;
  const sd = meanAndStdev(shutdowns);
  return {
    hosts: hosts.length,
    vms: vms.length,
    detector: cfg.detector,
    detectorParam: cfg.detectorParam,
    selection: cfg.selection,
    energyKWh,
    migrations,
    slatah,
    pdm,
    slav: slatah * pdm,
    esv: energyKWh * slatah * pdm,
    overallSlaViolation: requested > 0 ? (requested - allocated) / requested : 0,
    averageSlaViolation: shortfallCount > 0 ? shortfallSum / shortfallCount : 0,
    hostShutdowns: shutdowns.length,
    meanTimeBeforeShutdownSec: sd.mean,
    stdevTimeBeforeShutdownSec: sd.stdev,
    meanMigrationTimeSec: migrations > 0 ? migrationSecSum / migrations : 0,
    vmsFinished,
    steps,
    endSec,
    ...(pricer ? { migrationCost: cost } : {}),
    migrationModel,
    timeline,
  };
}
