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
  /** dirty-limit: the guest's dirty rate cap once the auto-converge trigger fires (bytes/s). */
  dirtyLimitBytesPerSec?: number;
  out: QemuHookResults;
}

export interface QemuHookResults {
  /** Raw (non-zero) bytes sent in round index 1 (the second pass), and in rounds from `gainFrom` on, stop-copy included. */
  rawRound1: number;
  rawGained: number;
  /** post-copy: the state at the switch (pending non-zero bytes, the part never sent, dirty zero pages as bytes). */
  switched: boolean;
  pendingBytes: number;
  neverSentBytes: number;
  pendingZeroBytes: number;
  /** dirty-limit: when the limit came on (s of pre-copy), else -1. */
  dirtyLimitFromSec: number;
}
