/**
 * Plain-data inputs and outputs of the cluster simulator. Units: MIPS, MB (CloudSim's megabytes), kbit/s for
 * host and VM bandwidth as CloudSim counts them, seconds, joules; utilisation as a fraction.
 */
import type { SimDetector } from './detectors.js';
import type { SimSelection } from './selection.js';
import type { MigrationPrice, MigrationPricer } from './pricer.js';
import type { WorkloadClass } from './workload-classes.js';

/** How long a migration lasts in the simulation: CloudSim's RAM / (bw / 2), or migcost's predicted time. */
export const MIGRATION_MODELS = ['cloudsim', 'migcost'] as const;
export type MigrationModel = (typeof MIGRATION_MODELS)[number];

/**
 * What the cost-aware selections (moa, optimal) minimise, per VM, from its predicted migration:
 * - traffic: bytes sent; downtime: seconds stopped;
 * - cost: Liu's C (equal weights, each metric normalised by its maximum over the host's candidates);
 * - sla: the MIPS x s the migration is predicted to take from the VM (10 % of its requested MIPS over the
 *   predicted time, as the simulator charges it, plus all of it over the downtime) -- its share of PDM;
 * - relief: bytes sent per MIPS the move takes off the host (cost per unit of relief: fewer, bigger moves);
 * - sla-per-mips: sla / requested MIPS = 0.1 x predicted time + downtime (MMT's rule with migcost's time);
 * - sla-per-relief: sla / min(the VM's share of the overload, the overload still to remove), re-evaluated
 *   after each pick (moa; `selectNeedCapped`); optimal minimises the total sla that ends the overload.
 */
export const COST_OBJECTIVES = ['traffic', 'downtime', 'cost', 'sla', 'relief', 'sla-per-mips', 'sla-per-relief'] as const;
export type CostObjective = (typeof COST_OBJECTIVES)[number];

/** The order in which the consolidation step tries to empty under-loaded hosts. */
export const CONSOLIDATION_ORDERS = ['utilisation', 'cost'] as const;
export type ConsolidationOrder = (typeof CONSOLIDATION_ORDERS)[number];

/** One scheduling step (and a last point at the end of the run). */
export interface TimelinePoint {
  timeSec: number;
  /** Energy of the data centre since t = 0 (kWh); the last point equals `energyKWh`. */
  energyKWhCumulative: number;
  /** Mean power since the previous point (W). */
  powerW: number;
  /** Hosts with used MIPS > 0 after the step's update. */
  activeHosts: number;
  /** Migrations started at this step. */
  migrations: number;
}

/** A physical host: identical cores, an 11-point power table (W at 0, 10, ..., 100 % CPU). */
export interface SimHostSpec {
  model: string;
  cores: number;
  coreMips: number;
  ramMb: number;
  bwKbps: number;
  powerWatts: readonly number[];
}

/** A VM with one virtual core and its CPU utilisation trace (one sample per scheduling interval, fractions). */
export interface SimVmSpec {
  name: string;
  mips: number;
  ramMb: number;
  bwKbps: number;
  /** Samples d[0..n-1] at 0, interval, 2 interval, ...; read with linear interpolation between samples. */
  utilisation: Float64Array;
  /** Workload class for migcost's pricing; read from the trace (`classifyTrace`) when absent. */
  workloadClass?: WorkloadClass;
}

export interface SimulationConfig {
  hosts: SimHostSpec[];
  vms: SimVmSpec[];
  detector: SimDetector;
  detectorParam: number;
  selection: SimSelection;
  /** Seed of the random selection (`rs`). Default 1. */
  seed?: number;
  /** Scheduling interval (s). Default 300. */
  intervalSec?: number;
  /** Simulated time limit (s); the step due at or after it does not run. Default 86,400. */
  limitSec?: number;
  /**
   * Prices every migration with migcost's model. With `migrationModel: 'cloudsim'` CloudSim's dynamics do not
   * depend on it; with 'migcost' (or a cost-aware selection) it is required and defaults to
   * `workloadClassPricer()`.
   */
  pricer?: MigrationPricer;
  /** Default 'cloudsim' (CloudSim 3.0.3's figures). 'migcost': the predicted time is the migration's duration, and the predicted downtime costs the VM all its MIPS (counted in PDM). */
  migrationModel?: MigrationModel;
  /**
   * Beloglazov and Buyya's baselines, with no migrations at all: 'npa' (non power-aware: every host draws its
   * full power all the time), 'dvfs' (power follows each host's utilisation through its table; an idle host is
   * off). Detector and selection are then ignored.
   */
  baseline?: 'npa' | 'dvfs';
  /**
   * In which order under-loaded hosts are emptied: 'utilisation' (CloudSim's, least utilised first; the
   * default) or 'cost' (least predicted SLA cost of its migrations per watt the host draws first,
   * `evacuationCostPerWatt`; prices with the pricer, which then defaults to `workloadClassPricer()`).
   */
  consolidationOrder?: ConsolidationOrder;
  /** What moa and optimal minimise. Default 'sla'. */
  costObjective?: CostObjective;
  /** optimal: exact search over all subsets up to this many candidates, greedy (moa) beyond. Default 12. */
  exactLimit?: number;
  /** Called after every scheduling step. */
  onStep?: (stepsDone: number, stepsTotal: number) => void;
  /**
   * Called once per migration the simulation starts (never for the prices a cost-aware selection asks for
   * only to rank candidates), with its predicted price when there is a pricer.
   */
  onMigration?: (m: { vmName: string; startSec: number; durationSec: number; price?: MigrationPrice }) => void;
}

/** What the migrations cost by migcost's model (CloudSim itself counts neither bytes nor downtime). */
export interface MigrationCostTotals {
  transferredBytes: number;
  downtimeSec: number;
  /** Migrations the model says would not converge. */
  nonConverged: number;
  energyJoules: number;
  /** Sum of the model's total migration times (s), to compare with CloudSim's RAM / bandwidth. */
  modelTimeSec: number;
}

/** The figures of Beloglazov and Buyya (fractions, not per cent), plus migcost's migration costs. */
export interface SimulationResult {
  hosts: number;
  vms: number;
  detector: SimDetector;
  detectorParam: number;
  selection: SimSelection;
  energyKWh: number;
  migrations: number;
  /** SLA violation time per active host: share of active time with requested > allocated MIPS. */
  slatah: number;
  /** Performance degradation due to migration: MIPS lost while migrating / MIPS requested. */
  pdm: number;
  /** SLATAH x PDM. */
  slav: number;
  /** Energy (kWh) x SLAV. */
  esv: number;
  /** (requested - allocated) / requested over all VM time. */
  overallSlaViolation: number;
  /** Mean relative shortfall over VM intervals with a shortfall. */
  averageSlaViolation: number;
  hostShutdowns: number;
  meanTimeBeforeShutdownSec: number;
  stdevTimeBeforeShutdownSec: number;
  /** Mean migration duration as CloudSim models it (RAM / half the host bandwidth). */
  meanMigrationTimeSec: number;
  /** VMs whose workload stopped (two zero samples) and were destroyed. */
  vmsFinished: number;
  /** Scheduling steps run. */
  steps: number;
  /** Last instant simulated (s). */
  endSec: number;
  migrationCost?: MigrationCostTotals;
  migrationModel: MigrationModel;
  /** Per step: cumulative energy, power, active hosts, migrations started. */
  timeline: TimelinePoint[];
}
