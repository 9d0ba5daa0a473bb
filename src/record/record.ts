/**
 * A migration record: what migcost stores for every real migration, whatever ran it (the lab, `execute`, an
 * import): the configuration, the sample taken before it, the predictions made from that sample, and the
 * measured outcome with its per-round trace.
 */
import type { Prediction, RoundTrace, TechniqueOptions } from '../model/types.js';
import type { Measured, VmSample } from '../model/sample.js';
import type { InFlight } from '../model/in-flight.js';

/**
 * The lab guest's workloads. `scatter` (a second random writer) and `redis-load` (redis under a load that follows a
 * sine or steps) are held-out workloads, like the dirtier's `pace=clock` and `phases=` modes: built unlike the
 * workloads the model was tuned on (docs/lab.md, "Held-out workloads").
 */
export const WORKLOADS = ['idle', 'dirtier', 'memtester', 'stress-ng', 'dbench', 'redis', 'scatter', 'redis-load'] as const;
/** `external`: a VM migcost did not start (e.g. one moved by `migcost execute`). */
export type Workload = (typeof WORKLOADS)[number] | 'external';

export interface MigrationConfig {
  memoryBytes: number;
  workload: Workload;
  /** Workload parameters as given on the command line (e.g. wss, rate, pattern). */
  params: Record<string, string | number>;
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  autoConverge: boolean;
  /** Give up (migrate_cancel) after this long. */
  timeoutSec: number;
  /**
   * The QEMU technique the migration ran with, and its settings (docs/techniques.md); absent: plain pre-copy as
   * `autoConverge` says (every record from before techniques).
   */
  technique?: TechniqueOptions;
  /**
   * The lab decision group the run belongs to (`lab matrix --preset techniques-groups`: one VM configuration
   * migrated with every technique, `<name> r<round>`); not part of `configKey` (the rounds are repeats).
   */
  group?: string;
}

export interface MigrationRecord {
  id: string;
  startedAt: string;
  config: MigrationConfig;
  accelerator: string;
  qemuVersion: string;
  sample: VmSample;
  predicted: Record<string, Prediction>;
  measured: Measured;
  trace: RoundTrace[];
  /** When the migration itself was started (the sample and the destination's boot come before). */
  migrationStartedAt?: string;
  /**
   * What `watch` would have said during the migration: its re-prediction at each poll (model/in-flight.ts), for
   * scoring how early and how right it is. Recorded by libvirt-driven lab runs.
   */
  inFlight?: InFlightPoint[];
  /** What drove the migration: libvirt (`virsh migrate`); absent for migcost's own QMP driver. */
  driver?: 'libvirt';
  /** The machine both QEMU processes ran on. Absent in records made before it was recorded. */
  host?: MigrationHost;
}

/** One re-prediction during a migration: when, and the total time it predicted (null: will not converge). */
export interface InFlightPoint {
  elapsedSec: number;
  totalTimeSec: number | null;
  rateKnown: boolean;
  /** Where its dirt came from (the sample's curve or QEMU's rate). Absent in records from before it was kept. */
  dirtFrom?: 'sample' | 'qemu' | 'none';
  /** Whether watch warned here (once per run) that it would not end before the time-out. Absent in older records. */
  warning?: boolean;
  /** What watch read at this poll, so that another model can be replayed on it offline. Absent in older records. */
  input?: InFlightInput;
}

/** The statistics of one poll: model/in-flight.ts's InFlight less what the record's config says. */
export type InFlightInput = Omit<InFlight, 'elapsedSec' | 'downtimeLimitSec' | 'autoConverge'>;

/** A lab machine: its CPU model and logical CPUs. Its stop-and-copy rates and TCG speed are its own. */
export interface MigrationHost {
  cpu: string;
  cpus: number;
  /** The source's vCPU had a core of its own (`--pin`): another platform than the same machine unpinned. */
  pinned?: boolean;
}

/**
 * Groups records by the platform they ran on: the machine, pinned or not, and what drove the migration — a
 * libvirt-driven record's times are libvirt's job times (from before the destination QEMU starts), so its setup
 * and rates are fitted apart from the QMP driver's. Records that do not say share one group.
 */
export function hostKey(r: Pick<MigrationRecord, 'host'> & { driver?: MigrationRecord['driver'] }): string {
  const via = r.driver === 'libvirt' ? ' via libvirt' : '';
  return r.host ? `${r.host.cpu} x${r.host.cpus}${r.host.pinned ? ' pinned' : ''}${via}` : `unrecorded${via}`;
}

/** A key shared by repeated identical configurations. */
export function configKey(c: MigrationConfig): string {
  const params = Object.keys(c.params).sort().map((k) => `${k}=${c.params[k]}`).join(',');
  const base = `${c.memoryBytes}|${c.workload}|${params}|${c.bandwidthBytesPerSec}|${c.downtimeLimitSec}|${c.autoConverge ? 'ac' : 'noac'}`;
  return c.technique ? `${base}|${techniqueKey(c.technique)}` : base;
}

/** A technique and its settings as a short stable key ("multifd channels=2 compression=zstd"). */
export function techniqueKey(t: TechniqueOptions): string {
  const rest = Object.keys(t).filter((k) => k !== 'name').sort().map((k) => `${k}=${(t as unknown as Record<string, unknown>)[k]}`);
  return [t.name, ...rest].join(' ');
}
