/** The hooks through which a technique (src/model/techniques.ts) changes the qemu pre-copy rounds (precopy.ts). */

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
