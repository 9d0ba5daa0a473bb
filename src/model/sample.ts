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
  /**
   * From the same two dumps: how well memory compresses (hypervisor/qemu/compressibility.ts). Of a sample of the
   * pages that changed between the dumps (`rewrittenPages` of them), QEMU's XBZRLE delta of the new page against
   * the old: the share that overflowed, and the mean encoded size of the others over the page size; and the
   * compressed over raw bytes of the new pages (zlib and zstd at level 1). Of a sample of all non-zero pages
   * (`nonZeroPages`), the same with zlib and zstd. `packetPages` set: the pages were compressed as multifd does, in
   * runs of that many pages a stream (model/packet-compression.ts); absent (records before issue 19): each page
   * alone, at most a page. zstd is absent where the sampler had none. Every share is in (0, 1].
   */
  compressibility?: {
    rewrittenPages: number;
    xbzrleDeltaRatio?: number;
    xbzrleOverflowShare: number;
    zlibShareRewritten?: number;
    zstdShareRewritten?: number;
    nonZeroPages: number;
    zlibShare?: number;
    zstdShare?: number;
    packetPages?: number;
    /**
     * How many times faster the sampler compressed the rewritten pages' packets than the first pass's (raw bytes
     * per second, same compressor, same run): a channel's speed on the pages later rounds re-send, relative to
     * memory as a whole. Absent where too few rewritten bytes were timed (under 1 MiB) or on older samples.
     */
    zlibSpeedupRewritten?: number;
    zstdSpeedupRewritten?: number;
  };
  /**
   * Distinct pages the guest wrote per second between the two dumps (pages changed over the window): the rate
   * at which a post-copy phase's guest touches pages, the ones it would fault on among them (writes only: a
   * lower bound for a guest that reads what it has not written).
   */
  touchedPagesPerSec?: number;
  /**
   * How the guest's dirt answers auto-converge's throttle (`sample --throttle-probe`, opt-in): during a
   * pseudo-migration QEMU throttled the vCPUs at `throttle` (0-1) and page-sampling windows of `windowSec` measured
   * the distinct dirt rate (bytes/s) without (`rateUnthrottled`, `unthrottledWindows` of them) and with it
   * (`rateThrottled`, `throttledWindows`). `exponent` a in rate(p) = rate(0) (1 - p)^a at the probed throttle,
   * in [0, 1]: 1 = proportional (the writer loses what it cannot write), 0 = full catch-up (paced by the clock, it
   * writes everything it owes), between = capped catch-up. model/throttle-response.ts reads it.
   */
  throttleResponse?: ThrottleResponseSample;
  /** Derived, not measured: the zero share extrapolated to the migration's start (see `sampleAt`). */
  zeroPageFractionAtStart?: number;
  sampledAt: string;
}

/** A throttle probe's measurement (see `VmSample.throttleResponse`). */
export interface ThrottleResponseSample {
  throttle: number;
  windowSec: number;
  rateUnthrottled: number;
  rateThrottled: number;
  unthrottledWindows: number;
  throttledWindows: number;
  exponent: number;
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
  /**
   * libvirt-driven runs: how `setupSec` (libvirt's job start to the first pass) was measured — QEMU's first
   * migration-iteration event, or the first domjobinfo poll with data (hypervisor/libvirt/first-pass.ts).
   */
  setupMeasuredBy?: 'event' | 'jobinfo' | 'none';
  /** Zero pages sent as flags, and pages sent in full. */
  zeroPages?: number;
  normalPages?: number;
  dirtySyncCount?: number;
  /** Bytes sent while the guest was stopped (ram.downtime-bytes) and before (ram.precopy-bytes). */
  stopCopyBytes?: number;
  precopyBytes?: number;
  maxThrottle?: number;
  /** The technique migrated with (a record's config says it too); absent for plain pre-copy. */
  technique?: string;
  /** post-copy: when the guest stopped for the switch (s from the start), the phase after it (s), what it pulled
   * (ram.postcopy-bytes) and the destination's page requests (ram.postcopy-requests: the remote faults). */
  switchoverSec?: number;
  postcopyPhaseSec?: number;
  /** post-copy: how the switch and the phase were timed — by QEMU's MIGRATION events (their host-clock stamps), or by
   * the driver's polls (20 ms apart here: a phase of tens of ms is then read to +-20 ms). Absent in older records. */
  postcopyTimedBy?: 'events' | 'poll';
  postcopyBytes?: number;
  remoteFaults?: number;
  /** post-copy: the destination's `postcopy-blocktime` (s): how long every vCPU waited for pages. The lab reads it. */
  postcopyBlocktimeSec?: number;
  /** xbzrle (query-migrate xbzrle-cache): hits encoded (overflows included), misses, overflows (pages), encoded bytes. */
  xbzrleCacheHits?: number;
  xbzrleCacheMisses?: number;
  xbzrleOverflows?: number;
  xbzrleEncodedBytes?: number;
  /** multifd: bytes the channels put on the wire (ram.multifd-bytes, compressed), and raw over wire of the pages sent. */
  multifdBytes?: number;
  compressionRatio?: number;
  error?: string;
}
