/**
 * The simulator's state: its VMs and hosts (with each host's CPU scheduler), the settings a run resolves
 * from its configuration, and the running totals of the event loop. One `SimState` is built per run and
 * passed to every part of the engine (scheduler, placement, optimisation, consolidation, migrations). Pure.
 */
import { makeOverloadTest, type HostLoadView, type OverloadTest } from './detectors.js';
import { makeSelection, type SelectVm, type SelectableVm } from './selection.js';
import { HostRecorder, VmRecorder } from './metrics.js';
import { workloadClassPricer, type MigrationPrice, type MigrationPricer } from './pricer.js';
import { classifyTrace, type WorkloadClass } from './workload-classes.js';
import { OPTIMAL_EXACT_LIMIT } from './cost-selection.js';
import { countNonZeroBeginning } from './cloudsim-math.js';
import { mulberry32 } from '../stats/random.js';
import type { ConsolidationOrder, CostObjective, MigrationCostTotals, MigrationModel, SimHostSpec, SimVmSpec, SimulationConfig, TimelinePoint } from './types.js';

/** Values of a VM's utilisation history kept (newest first). */
export const HISTORY_LENGTH = 30;
/** Share of its MIPS a VM keeps while migrating out, and that its target reserves while it migrates in. */
export const MIGRATING_OUT_SHARE = 0.9;
export const MIGRATING_IN_SHARE = 0.1;

/** A VM, its own records' recorder (one object: a full update reads both at once). */
export class Vm extends VmRecorder implements SelectableVm {
  readonly mips: number;
  readonly ramMb: number;
  readonly bwKbps: number;
  readonly trace: Float64Array;
  readonly workloadClass: WorkloadClass;
  /** Newest first, at most HISTORY_LENGTH. */
  readonly history: number[] = [];
  /** Time of the last history sample (PowerVm's previous time), and of the last update (NaN: none yet). */
  historyAt = 0;
  updatedAt = NaN;
  /** Utilisation and requested MIPS at the last update. */
  utilisation = 0;
  requestedMips = 0;
  instantiating = false;
  inMigration = false;
  host: Host | null = null;
  /** Hosts whose scheduler lists this VM as migrating out (`Host.schedOut`): 0 lets the scheduler skip the lookup. */
  outOf = 0;
  /** A host whose migrating-out list is known not to hold this VM (it was removed there and not added anywhere since). */
  outCleanOn: Host | null = null;
  /**
   * Every VM's trace by time (sample k of VM i at k x VMs + i), when all traces have `sampleCount` samples: a
   * full update reads one or two rows of it instead of a cache line of each VM's trace. Null: read `trace`.
   */
  samples: Float64Array | null = null;
  sampleCount = 0;
  /** Migrations of this VM under way (more than one: it was listed twice). */
  pendingArrivals = 0;
  readonly rec: VmRecorder = this;
  constructor(
    readonly id: number,
    spec: SimVmSpec,
  ) {
    super();
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

/** A host, its own records' recorder. */
export class Host extends HostRecorder {
  readonly totalMips: number;
  readonly coreMips: number;
  readonly bwKbps: number;
  readonly power: readonly number[];
  /** The host's VM list, in arrival order, VMs migrating in included. */
  vms: Vm[] = [];
  /** VMs migrating in (host side); the scheduler counts them at their migrating-in share. */
  readonly migratingIn = new Set<Vm>();
  // The CPU scheduler (time-shared with over-subscription): VMs scheduled as migrating out (never pruned when
  // they leave, as in CloudSim), and its entries in the order the VMs asked (the order of CloudSim's map, which
  // is the order of `vms` but for a VM being added or removed): VM, requested MIPS, allocated MIPS.
  readonly schedOut = new Set<Vm>();
  schedVms: Vm[] = [];
  readonly schedReq: number[] = [];
  readonly schedAlloc: number[] = [];
  schedN = 0;
  available: number;
  usedMips = 0;
  prevUsedMips = 0;
  /** Did the last update see a VM whose work stopped (not migrating, asking 0)? */
  mayFinish = false;
  ramFreeMb: number;
  bwFreeKbps: number;
  readonly rec: HostRecorder = this;
  constructor(
    readonly id: number,
    spec: SimHostSpec,
  ) {
    super();
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
export class HostSet {
  /** 1 for a host in the set, by host id (read directly by the host index's scans). */
  readonly flags: Uint8Array;
  size = 0;
  constructor(n: number, initial: readonly Host[] = []) {
    this.flags = new Uint8Array(n);
    for (const h of initial) this.add(h);
  }
  has(h: Host): boolean {
    return this.flags[h.id] === 1;
  }
  add(h: Host): void {
    this.addId(h.id);
  }
  addId(id: number): void {
    if (this.flags[id] === 0) {
      this.flags[id] = 1;
      this.size++;
    }
  }
}

export function clampUtilisation(u: number): number {
  return u > 1 && u < 1.01 ? 1 : u;
}

/**
 * What a detector sees of one host at a time: the engine points it at a host (`host`, `utilisation`) and
 * the detector reads the host's history (summed over its VMs, newest first, trailing zeros trimmed) and
 * its longest migration. One scratch buffer, reused: the detectors run ~10^6 times a simulated day.
 */
export class HostView implements HostLoadView {
  utilisation = 0;
  private readonly acc = new Float64Array(HISTORY_LENGTH);
  constructor(public host: Host) {}
  history(): Float64Array {
    const h = this.host;
    const acc = this.acc;
    acc.fill(0);
    for (const v of h.vms) {
      const hist = v.history;
      for (let i = 0; i < hist.length; i++) acc[i] += (hist[i] * v.mips) / h.totalMips;
    }
    return acc.subarray(0, countNonZeroBeginning(acc));
  }
  maxMigrationSec(): number {
    const h = this.host;
    let maxRam = -2147483648;
    for (const v of h.vms) if (v.ramMb > maxRam) maxRam = v.ramMb;
    return maxRam / h.migrationMbPerSec();
  }
}

/** A migration under way: the VM arrives on `target` at `t` (`seq` orders arrivals at the same instant). */
export interface Arrival {
  t: number;
  seq: number;
  vm: Vm;
  target: Host;
  startSec: number;
}

/** Everything one run reads and changes, passed to each part of the engine. */
export interface SimState {
  readonly cfg: SimulationConfig;
  readonly intervalSec: number;
  readonly limitSec: number;
  readonly hosts: Host[];
  readonly vms: Vm[];
  /** Scratch: the hosts a full update updated. */
  readonly live: Host[];
  /**
   * By host id, 0 for a host known to be empty, idle and recorded idle (an update would change nothing):
   * a full update reads only the others. Set again when a VM starts migrating to the host or arrives there.
   */
  readonly busy: Uint8Array;
  /** By host id, and listed: the hosts migration arrivals changed since the last full update. */
  readonly touched: Uint8Array;
  readonly touchedList: Host[];
  /** The configured overload detector, and the view it reads a host through. */
  readonly overloaded: OverloadTest;
  readonly view: HostView;
  /** The classic selection (mmt, mu, mc, rs); null for the cost-aware ones (moa, optimal). */
  readonly select: SelectVm | null;
  readonly migrationModel: MigrationModel;
  readonly consolidationOrder: ConsolidationOrder;
  readonly pricer: MigrationPricer | undefined;
  readonly objective: CostObjective;
  readonly exactLimit: number;
  /** Running totals. */
  readonly cost: MigrationCostTotals;
  readonly timeline: TimelinePoint[];
  energyJoules: number;
  /** Time of the last full update. */
  lastProcessSec: number;
  migrations: number;
  /** Migrations started at the current step. */
  stepMigrations: number;
  migrationSecSum: number;
  vmsFinished: number;
  /** Migrations under way, and the counter that orders them. */
  arrivals: Arrival[];
  seq: number;
  /** Time and energy at the last timeline point. */
  lastPointSec: number;
  lastPointJoules: number;
  /** Steps run, and the time of the last event. */
  steps: number;
  endSec: number;
}

/** The state at t = 0 for `cfg`, its settings resolved and checked; no VM placed yet. */
export function createState(cfg: SimulationConfig): SimState {
  const intervalSec = cfg.intervalSec ?? 300;
  const limitSec = cfg.limitSec ?? 86_400;
  if (!(intervalSec > 0)) throw new RangeError(`simulateCluster: intervalSec must be > 0 (got ${intervalSec})`);
  if (cfg.hosts.length === 0) throw new RangeError('simulateCluster: needs at least one host');
  const hosts = cfg.hosts.map((s, i) => new Host(i, s));
  const vms = cfg.vms.map((s, i) => new Vm(i, s));
  shareSamples(vms);
  const overloaded = makeOverloadTest(cfg.detector, cfg.detectorParam, intervalSec);
  const costAware = cfg.selection === 'moa' || cfg.selection === 'optimal';
  const select = costAware ? null : makeSelection(cfg.selection, mulberry32(cfg.seed ?? 1));
  const migrationModel = cfg.migrationModel ?? 'cloudsim';
  if (migrationModel !== 'cloudsim' && migrationModel !== 'migcost') throw new RangeError(`simulateCluster: unknown migrationModel ${String(migrationModel)}`);
  const consolidationOrder = cfg.consolidationOrder ?? 'utilisation';
  if (consolidationOrder !== 'utilisation' && consolidationOrder !== 'cost') throw new RangeError(`simulateCluster: unknown consolidationOrder ${String(consolidationOrder)}`);
  const pricer = cfg.pricer ?? (migrationModel === 'migcost' || costAware || consolidationOrder === 'cost' ? workloadClassPricer() : undefined);
  return {
    cfg,
    intervalSec,
    limitSec,
    hosts,
    vms,
    live: [],
    busy: new Uint8Array(hosts.length).fill(1),
    touched: new Uint8Array(hosts.length),
    touchedList: [],
    overloaded,
    view: new HostView(hosts[0]),
    select,
    migrationModel,
    consolidationOrder,
    pricer,
    objective: cfg.costObjective ?? 'sla',
    exactLimit: cfg.exactLimit ?? OPTIMAL_EXACT_LIMIT,
    cost: { transferredBytes: 0, downtimeSec: 0, nonConverged: 0, energyJoules: 0, modelTimeSec: 0 },
    timeline: [],
    energyJoules: 0,
    lastProcessSec: 0,
    migrations: 0,
    stepMigrations: 0,
    migrationSecSum: 0,
    vmsFinished: 0,
    arrivals: [],
    seq: 0,
    lastPointSec: 0,
    lastPointJoules: 0,
    steps: 0,
    endSec: 0,
  };
}

/** Lays the VMs' traces out by time (`Vm.samples`) when they all have the same length. */
function shareSamples(vms: readonly Vm[]): void {
  const n = vms.length;
  if (n === 0) return;
  const len = vms[0].trace.length;
  for (const v of vms) if (v.trace.length !== len) return;
  const samples = new Float64Array(len * n);
  for (let i = 0; i < n; i++) {
    const d = vms[i].trace;
    for (let k = 0; k < len; k++) samples[k * n + i] = d[k];
  }
  for (const v of vms) {
    v.samples = samples;
    v.sampleCount = len;
  }
}

/** Notes that an arrival changed `h`: the full update at the same instant updates it again. */
export function touch(s: SimState, h: Host): void {
  s.busy[h.id] = 1;
  if (s.touched[h.id] === 0) {
    s.touched[h.id] = 1;
    s.touchedList.push(h);
  }
}

/** What migrating `vm` off `h` at `t` is predicted to cost (needs the run's pricer). */
export function priceOf(s: SimState, vm: Vm, h: Host, t: number): MigrationPrice {
  return s.pricer!.price({
    vmName: s.cfg.vms[vm.id].name,
    memoryBytes: vm.ramMb * 2 ** 20,
    cpuUtilisation: vm.utilisation,
    bandwidthBytesPerSec: h.migrationMbPerSec() * 2 ** 20,
    startSec: t,
    workloadClass: vm.workloadClass,
  });
}
