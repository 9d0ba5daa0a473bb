/**
 * What the lab records for every real migration: the configuration, the sample taken before it, the
 * predictions every model variant made from that sample, and the measured outcome with its trace.
 */
import type { CurvePoint, Prediction, RoundTrace } from '../model/types.js';

export const WORKLOADS = ['idle', 'dirtier', 'memtester', 'stress-ng', 'dbench', 'redis'] as const;
/** `external`: a VM migcost did not start (e.g. one moved by `migcost execute`). */
export type Workload = (typeof WORKLOADS)[number] | 'external';

export interface LabConfig {
  memoryBytes: number;
  workload: Workload;
  /** Workload parameters as given on the command line (e.g. wss, rate, pattern). */
  params: Record<string, string | number>;
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  autoConverge: boolean;
  /** Give up (migrate_cancel) after this long. */
  timeoutSec: number;
}

/** What sampling a running VM tells before migrating it (Deng's pseudo-migration, QEMU's way). */
export interface VmSample {
  memoryBytes: number;
  pageSizeBytes: number;
  dirtyRateBytesPerSec: number;
  curve: CurvePoint[];
  zeroPageFraction?: number;
  /** Busy share of the vCPU threads' time while sampling (host /proc), when readable. */
  cpuUtilisation?: number;
  /** From a pseudo-migration: distinct bytes each pre-copy round's bitmap sync found dirtied, per round length. */
  bitmapCurve?: CurvePoint[];
  /** Of the pages the pseudo-migration re-sent after its first pass, the share that were zero pages (sent as flags). */
  bitmapZeroShare?: number;
  /**
   * The zero-page share QEMU itself found in the last pseudo-migration's first pass, and when (ISO time): a
   * later look than the RAM dump's `zeroPageFraction`, closer to the migration.
   */
  zeroPageFractionLate?: number;
  zeroPagesLateAt?: string;
  /** How fast the non-zero memory grew between the RAM dump and that later look (>= 0): a filling cache. */
  nonZeroGrowthBytesPerSec?: number;
  /**
   * Where memory lies in address order (the order of a first pre-copy pass), from two RAM dumps `windowSec`
   * apart: per equal slice of guest RAM, the non-zero pages and the pages that changed in between.
   */
  ramLayout?: { windowSec: number; nonZeroPages: number[]; changedPages: number[] };
  /** Derived, not measured: the zero share extrapolated to the migration's start (see `sampleAt`). */
  zeroPageFractionAtStart?: number;
  sampledAt: string;
}

/** The measured outcome, in the fields of `predict --json`. */
export interface Measured {
  status: 'completed' | 'failed' | 'cancelled';
  totalTimeSec: number;
  downtimeSec: number;
  transferredBytes: number;
  rounds: number;
  converged: boolean;
  setupSec: number;
  /** Zero pages sent as flags, and pages sent in full. */
  zeroPages?: number;
  normalPages?: number;
  dirtySyncCount?: number;
  /** Bytes sent while the guest was stopped (ram.downtime-bytes) and before (ram.precopy-bytes). */
  stopCopyBytes?: number;
  precopyBytes?: number;
  maxThrottle?: number;
  error?: string;
}

export interface LabRecord {
  id: string;
  startedAt: string;
  config: LabConfig;
  accelerator: string;
  qemuVersion: string;
  sample: VmSample;
  predicted: Record<string, Prediction>;
  measured: Measured;
  trace: RoundTrace[];
  /** When the migration itself was started (the sample and the destination's boot come before). */
  migrationStartedAt?: string;
  /** The machine both QEMU processes ran on. Absent in records made before it was recorded. */
  host?: LabHost;
}

/** A lab machine: its CPU model and logical CPUs. Its stop-and-copy rates and TCG speed are its own. */
export interface LabHost {
  cpu: string;
  cpus: number;
  /** The source's vCPU had a core of its own (`--pin`): another platform than the same machine unpinned. */
  pinned?: boolean;
}

/** Groups records by the machine they ran on; records that do not say share one group. */
export function hostKey(r: Pick<LabRecord, 'host'>): string {
  return r.host ? `${r.host.cpu} x${r.host.cpus}${r.host.pinned ? ' pinned' : ''}` : 'unrecorded';
}

/** A key shared by repeated identical configurations. */
export function configKey(c: LabConfig): string {
  const params = Object.keys(c.params).sort().map((k) => `${k}=${c.params[k]}`).join(',');
  return `${c.memoryBytes}|${c.workload}|${params}|${c.bandwidthBytesPerSec}|${c.downtimeLimitSec}|${c.autoConverge ? 'ac' : 'noac'}`;
}
