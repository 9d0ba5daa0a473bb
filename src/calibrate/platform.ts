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
  /** A multifd run: its channels and what they moved (compression none: no compression figures). */
  multifd?: { compression: 'none' } | MultifdObservation;
}

/** Post-copy runs that switched needed to fit postcopySwitchSec (their median); with fewer, the prior stays. */
export const POSTCOPY_SWITCH_MIN_RUNS = 3;

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
  Object.assign(platform, fitMultifdRates(obs.flatMap((o) => (o.multifd && o.multifd.compression !== 'none' ? [o.multifd as MultifdObservation] : []))));
  return { platform, n: obs.length, downtimeR2 };
}
