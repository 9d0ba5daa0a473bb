/**
 * Plain-data inputs and outputs of the cluster simulator. Units: MIPS, MB (CloudSim's megabytes), kbit/s for
 * host and VM bandwidth as CloudSim counts them, seconds, joules; utilisation as a fraction.
 */
import type { SimDetector } from './detectors.js';
import type { SimSelection } from './selection.js';
import type { MigrationPricer } from './pricer.js';

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
  /** Prices every migration with migcost's model; CloudSim's own dynamics do not depend on it. */
  pricer?: MigrationPricer;
  /** Called after every scheduling step. */
  onStep?: (stepsDone: number, stepsTotal: number) => void;
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
}
