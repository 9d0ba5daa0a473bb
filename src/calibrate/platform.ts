/**
 * QEMU platform constants, fitted from recorded migrations (pure):
 * - setupSec: the median measured setup time;
 * - resumeSec, firstTouchRateBytesPerSec and stopCopyRateBytesPerSec: OLS of downtime = resume +
 *   stop-copy bytes / rate, with one rate for switch-overs right after the first pass and one for later;
 * - lineRateBytesPerSec: the median pre-copy throughput of migrations whose cap did not bind
 *   (throughput below half the cap: under TCG a busy guest alone can hold the throughput 10-15 % under a
 *   cap that still binds), else none; multifd runs left out (their channels, not the line, set the rate);
 * - multifd's per-channel zlib / zstd rates: from the multifd runs with compression (calibrate/multifd-rate.ts).
 */
import { ols } from './ols.js';
import { median } from './errors.js';
import type { Platform } from '../model/types.js';
import { fitMultifdRates, type MultifdObservation } from './multifd-rate.js';

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
  /** A multifd run: its channels and what they moved (compression none: no compression figures). */
  multifd?: { compression: 'none' } | MultifdObservation;
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
  let downtimeR2: number | undefined;
  const dt = obs.filter((o) => o.stopCopyBytes > 0 && o.downtimeSec > 0);
  // A switch-over right after the first pass copies pages the destination has never seen (slower);
  // later ones mostly re-send pages. Fit both rates when both kinds are there, else one.
  const first = dt.filter((o) => o.rounds === 1);
  const later = dt.filter((o) => o.rounds !== 1);
  const fits: [number[][], number[], 'two' | 'one'][] = [];
  if (first.length >= 2 && later.length >= 2) fits.push([dt.map((o) => [1, o.rounds === 1 ? o.stopCopyBytes : 0, o.rounds === 1 ? 0 : o.stopCopyBytes]), dt.map((o) => o.downtimeSec), 'two']);
  if (dt.length >= 3) fits.push([dt.map((o) => [1, o.stopCopyBytes]), dt.map((o) => o.downtimeSec), 'one']);
  for (const [X, y, kind] of fits) {
    try {
      const f = ols(X, y);
      const [resume, a, b] = f.coefficients;
      if (!(a > 0) || (kind === 'two' && !(b > 0))) continue;
      platform.resumeSec = Math.max(0, resume);
      if (kind === 'two') {
        platform.firstTouchRateBytesPerSec = 1 / a;
        platform.stopCopyRateBytesPerSec = 1 / b;
      } else platform.stopCopyRateBytesPerSec = 1 / a;
      downtimeR2 = f.r2;
      break;
    } catch {
      /* collinear: try the simpler fit */
    }
  }
  if (platform.resumeSec === undefined) platform.resumeSec = median(obs.map((o) => o.downtimeSec));
  const free = obs.filter((o) => !o.multifd && o.precopySec > 0.2 && o.precopyBytes / o.precopySec < 0.5 * o.capBytesPerSec).map((o) => o.precopyBytes / o.precopySec);
  if (free.length > 0) platform.lineRateBytesPerSec = median(free);
  Object.assign(platform, fitMultifdRates(obs.flatMap((o) => (o.multifd && o.multifd.compression !== 'none' ? [o.multifd as MultifdObservation] : []))));
  return { platform, n: obs.length, downtimeR2 };
}
