/**
 * The vocabulary of a measured VM, below every edge: what sampling a running VM tells before a migration, and
 * what a migration measured. Pure types; the hypervisor edges produce them, the model consumes them.
 */
import type { CurvePoint } from './types.js';

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
  /**
   * From a longer look (`sample --horizon`): consecutive page-sampling windows of `windowSec` spread over
   * `spanSec`, each one's distinct dirt rate (bytes/s) in time order: how the rate varies over time (phases).
   */
  phases?: { windowSec: number; spanSec: number; rates: number[] };
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
