/** The hooks through which a technique (src/model/techniques.ts) changes the qemu pre-copy rounds (precopy.ts), and the gain they give a round. */

/**
 * What a technique other than plain pre-copy changes in the qemu rounds (src/model/techniques.ts); plain
 * pre-copy passes none. `out` is written by the simulation.
 */
export interface QemuHooks {
  /** Raw page bytes per wire byte from round index `gainFrom` on (XBZRLE deltas, multifd compression). */
  gain: number;
  gainFrom: number;
  /** Ceiling on the raw bytes moved per second (multifd: the channels' compression throughput). */
  cpuRawBytesPerSec: number;
  /** Wire bytes/s the rounds send past the cap (multifd: what each rate window overshoots its budget by). */
  capBonusBytesPerSec: number;
  /** post-copy: switch after this many pre-copy rounds, or this many seconds of pre-copy (Infinity: never). */
  switchAfterRounds: number;
  switchAfterSec: number;
  /**
   * XBZRLE: the gain from `gainFrom` on follows the cache instead of `gain`. A page hits only if the cache holds it,
   * that is if it was sent after the first pass had ended (ram.c turns XBZRLE on when the scan first wraps, and
   * only pages sent since are inserted; page_cache.c): a round's hit share is hitRatio x the share of the pool sent
   * since then (at most 1), and a hit goes as hitWireShare of a page.
   */
  cache?: { hitRatio: number; hitWireShare: number; poolBytes: number };
  /**
   * multifd: the gain and CPU ceiling of pages re-sent after the first pass, where they compress unlike memory
   * as a whole (the sampler's rewritten pages). Absent: every round at `gain` and `cpuRawBytesPerSec`.
   */
  rewritten?: { gain: number; cpuRawBytesPerSec: number };
  /** multifd: the channels' rate at the stop-and-copy over their live rate (Platform.multifdStopCopyChannelSpeedup). Absent: 1. */
  stopCpuFactor?: number;
  /** dirty-limit: the guest's dirty rate cap once the auto-converge trigger fires (bytes/s). */
  dirtyLimitBytesPerSec?: number;
  out: QemuHookResults;
}

export interface QemuHookResults {
  /** Raw (non-zero) bytes sent in round index 1 (the second pass), and in rounds from `gainFrom` on, stop-copy included. */
  rawRound1: number;
  rawGained: number;
  /** XBZRLE (hooks.cache): raw bytes that hit the cache, stop-copy included; the last round's hit share. */
  hitRawBytes: number;
  hitShare: number;
  /** post-copy: the state at the switch (pending non-zero bytes, the part never sent, dirty zero pages as bytes). */
  switched: boolean;
  pendingBytes: number;
  neverSentBytes: number;
  pendingZeroBytes: number;
  /** dirty-limit: when the limit came on (s of pre-copy), else -1. */
  dirtyLimitFromSec: number;
}

/**
 * Raw page bytes per wire byte in round index `round` (1 before `gainFrom`): `gain`, or with `cache` (XBZRLE) the
 * hit share hitRatio x min(1, cachedBytes / poolBytes), a hit costing hitWireShare of a page; writes that share
 * to `out.hitShare`. Pure but for that.
 * @example roundGain({ ...hooks, gainFrom: 2, cache: { hitRatio: 0.25, hitWireShare: 0, poolBytes: 64 } }, 2, 44.8) // 1 / (1 - 0.175)
 */
export function roundGain(h: QemuHooks | undefined, round: number, cachedBytes: number): number {
  if (h === undefined || round < h.gainFrom) return 1;
  const c = h.cache;
  if (!c) return h.gain;
  const hits = c.hitRatio * (c.poolBytes > 0 ? Math.min(1, cachedBytes / c.poolBytes) : 1);
  h.out.hitShare = hits;
  return 1 / (1 - hits + hits * c.hitWireShare);
}

/**
 * With `rewritten` (multifd): a round's gain and CPU ceiling once the first pass is done, its pending bytes a mix
 * of the first pass's never-sent pages (at `g`, `cpu`) and pages re-dirtied since (at the rewritten ones): wire
 * and channel seconds per raw byte add up by share. Without, or in round 0: `g`, `cpu` unchanged. Pure.
 * @example mixedRates({ gain: 100, cpuRawBytesPerSec: 4e8 }, 1, 5, 2e8, 100, 50) // [1 / (0.5 / 5 + 0.5 / 100), 1 / (0.5 / 2e8 + 0.5 / 4e8)]
 */
export function mixedRates(rw: QemuHooks['rewritten'], round: number, g: number, cpu: number, pending: number, neverSent: number): [number, number] {
  if (rw === undefined || round < 1 || !(pending > 0)) return [g, cpu];
  const first = Math.min(1, Math.max(0, neverSent / pending));
  return [1 / (first / g + (1 - first) / rw.gain), 1 / (first / cpu + (1 - first) / rw.cpuRawBytesPerSec)];
}

/** Counts `raw` bytes sent from `gainFrom` on, and (XBZRLE) the share of them that hit at the last round's share. */
export function countGained(h: QemuHooks, raw: number): void {
  h.out.rawGained += raw;
  if (h.cache) h.out.hitRawBytes += raw * h.out.hitShare;
}
