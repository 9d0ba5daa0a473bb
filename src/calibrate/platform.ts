/**
 * QEMU platform constants, fitted from recorded migrations (pure):
 * - setupSec: the median measured setup time;
 * - resumeSec, firstTouchRateBytesPerSec, stopCopyRateBytesPerSec and stopCopyBufferedBytes: OLS of downtime =
 *   resume + max(0, stop-copy bytes - buffered) / rate, with one rate for switch-overs right after the first pass
 *   and one for later, the buffered bytes (what the socket buffers take without waiting) the value of a grid that
 *   fits best (calibrate/downtime-fit.ts);
 * - lineRateBytesPerSec: the median pre-copy throughput of migrations whose cap did not bind
 *   (throughput below half the cap: under TCG a busy guest alone can hold the throughput 10-15 % under a
 *   cap that still binds), else none; multifd runs left out (their channels, not the line, set the rate), and
 *   post-copy runs that switched (their time after the switch is the post-copy push, under its own cap);
 * - postcopySwitchSec: the median downtime of post-copy runs that switched (their downtime is the switch's);
 * - postcopyPushRateBytesPerSec: the median rate (post-copy bytes / phase) of the post-copy phases whose cap did not
 *   bind (rate below 0.8 x `max-postcopy-bandwidth`, or no cap) and whose timing is good to 10 %: timed by QEMU's
 *   events, or polled and at least ten polls long (POSTCOPY_POLLED_MIN_SEC);
 * - postcopyFaultLatencySec: the median stall per remote fault (the destination's postcopy-blocktime / page requests);
 * - multifd's per-channel zlib / zstd rates: from the multifd runs with compression (calibrate/multifd-rate.ts).
 */
import { median } from './errors.js';
import type { Platform } from '../model/types.js';
import { fitMultifdRates, type MultifdObservation } from './multifd-rate.js';
import { fitDowntime } from './downtime-fit.js';

export interface PlatformObservation {
  setupSec: number;
  downtimeSec: number;
  /** Bytes sent while the guest was stopped (QEMU's ram.downtime-bytes). */
  stopCopyBytes: number;
  precopyBytes: number;
  precopySec: number;
  capBytesPerSec: number;
  /** Pre-copy rounds before the switch-over. */
  rounds: number;
  /** XBZRLE, multifd and switched post-copy runs are left out of the downtime fit (calibrate/downtime-fit.ts). */
  technique?: 'xbzrle' | 'multifd' | 'postcopy';
  /** A post-copy run that switched: what its phase pushed, how long it took, its cap, and how it was timed. */
  postcopyPush?: PostcopyPushObservation;
  /** A multifd run: its channels and what they moved (compression none: no compression figures). */
  multifd?: { compression: 'none' } | MultifdObservation;
}

/** Post-copy runs that switched needed to fit postcopySwitchSec (their median); with fewer, the prior stays. */
export const POSTCOPY_SWITCH_MIN_RUNS = 3;

export interface PostcopyPushObservation {
  /** Wire bytes of the phase (ram.postcopy-bytes). */
  bytes: number;
  sec: number;
  /** `max-postcopy-bandwidth` (Infinity: none). */
  capBytesPerSec: number;
  timedBy?: 'events' | 'poll';
  /** The destination's page requests (remote faults) and its measured stall (`postcopy-blocktime`), where read. */
  faults?: number;
  blocktimeSec?: number;
}

/**
 * The post-copy fault latency: the median of blocktime / faults over the phases whose destination reported its stall
 * and took at least one fault; undefined with fewer than POSTCOPY_SWITCH_MIN_RUNS. Any cap: a requested page
 * bypasses it (options.c), so the wait is the request's round trip and the source's queue either way.
 * @example fitPostcopyFaultLatency([2, 4, 8].map((ms) => ({ bytes: 1, sec: 1, capBytesPerSec: Infinity, faults: 10, blocktimeSec: ms * 10 / 1000 }))) // 0.004
 */
export function fitPostcopyFaultLatency(obs: readonly PostcopyPushObservation[]): number | undefined {
  const per = obs.filter((o) => o.blocktimeSec !== undefined && o.blocktimeSec >= 0 && (o.faults ?? 0) >= 1).map((o) => o.blocktimeSec! / o.faults!);
  return per.length >= POSTCOPY_SWITCH_MIN_RUNS ? median(per) : undefined;
}

/** At or above this share of `max-postcopy-bandwidth`, a phase's rate was the cap's. */
export const POSTCOPY_CAP_BOUND_SHARE = 0.8;

/** A polled phase this long is timed to 10 % by 20 ms polls. */
export const POSTCOPY_POLLED_MIN_SEC = 0.2;

/**
 * The post-copy push rate: the median of bytes / phase over the phases the platform, not a cap, bounded and that were
 * timed well; undefined with fewer than POSTCOPY_SWITCH_MIN_RUNS.
 * @example fitPostcopyPushRate([60e6, 70e6, 80e6].map((bytes) => ({ bytes, sec: 0.1, capBytesPerSec: Infinity, timedBy: 'events' }))) // 700e6
 */
export function fitPostcopyPushRate(obs: readonly PostcopyPushObservation[]): number | undefined {
  const rates = obs
    .filter((o) => o.bytes > 0 && o.sec > 0 && (o.timedBy === 'events' || o.sec >= POSTCOPY_POLLED_MIN_SEC))
    .map((o) => ({ rate: o.bytes / o.sec, cap: o.capBytesPerSec }))
    .filter((o) => o.rate < POSTCOPY_CAP_BOUND_SHARE * o.cap)
    .map((o) => o.rate);
  return rates.length >= POSTCOPY_SWITCH_MIN_RUNS ? median(rates) : undefined;
}

export interface PlatformFit {
  platform: Partial<Platform>;
  n: number;
  /** R^2 of the downtime fit, when there was one. */
  downtimeR2?: number;
}

export function fitPlatform(obs: readonly PlatformObservation[]): PlatformFit {
  const platform: Partial<Platform> = {};
  if (obs.length === 0) return { platform, n: 0 };
  platform.setupSec = median(obs.map((o) => o.setupSec));
  const d = fitDowntime(obs);
  let downtimeR2: number | undefined;
  if (d) {
    Object.assign(platform, d.platform);
    downtimeR2 = d.r2;
  }
  if (platform.resumeSec === undefined) platform.resumeSec = median(obs.map((o) => o.downtimeSec));
  const free = obs.filter((o) => !o.multifd && o.technique !== 'postcopy' && o.precopySec > 0.2 && o.precopyBytes / o.precopySec < 0.5 * o.capBytesPerSec).map((o) => o.precopyBytes / o.precopySec);
  if (free.length > 0) platform.lineRateBytesPerSec = median(free);
  const switches = obs.filter((o) => o.technique === 'postcopy' && o.downtimeSec > 0).map((o) => o.downtimeSec);
  if (switches.length >= POSTCOPY_SWITCH_MIN_RUNS) platform.postcopySwitchSec = median(switches);
  const pushes = obs.flatMap((o) => (o.postcopyPush ? [o.postcopyPush] : []));
  const push = fitPostcopyPushRate(pushes);
  if (push !== undefined) platform.postcopyPushRateBytesPerSec = push;
  const latency = fitPostcopyFaultLatency(pushes);
  if (latency !== undefined) platform.postcopyFaultLatencySec = latency;
  Object.assign(platform, fitMultifdRates(obs.flatMap((o) => (o.multifd && o.multifd.compression !== 'none' ? [o.multifd as MultifdObservation] : []))));
  return { platform, n: obs.length, downtimeR2 };
}
