/**
 * QEMU platform constants, fitted from recorded migrations (pure):
 * - setupSec: the median measured setup time;
 * - resumeSec and stopCopyRateBytesPerSec: OLS of downtime = resume + stop-copy bytes / rate;
 * - lineRateBytesPerSec: the median pre-copy throughput of migrations whose cap did not bind
 *   (throughput below 90 % of the cap), else none.
 */
import { ols } from './ols.js';
import { median } from './errors.js';
import type { Platform } from '../model/types.js';

export interface PlatformObservation {
  setupSec: number;
  downtimeSec: number;
  /** Bytes sent while the guest was stopped (QEMU's ram.downtime-bytes). */
  stopCopyBytes: number;
  precopyBytes: number;
  precopySec: number;
  capBytesPerSec: number;
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
  if (dt.length >= 3 && new Set(dt.map((o) => o.stopCopyBytes)).size >= 2) {
    try {
      const f = ols(dt.map((o) => [1, o.stopCopyBytes]), dt.map((o) => o.downtimeSec));
      const [resume, perByte] = f.coefficients;
      if (perByte > 0) platform.stopCopyRateBytesPerSec = 1 / perByte;
      platform.resumeSec = Math.max(0, resume);
      downtimeR2 = f.r2;
    } catch {
      /* collinear: leave the defaults */
    }
  }
  if (platform.resumeSec === undefined) platform.resumeSec = median(obs.map((o) => o.downtimeSec));
  const free = obs.filter((o) => o.precopySec > 0.2 && o.precopyBytes / o.precopySec < 0.9 * o.capBytesPerSec).map((o) => o.precopyBytes / o.precopySec);
  if (free.length > 0) platform.lineRateBytesPerSec = median(free);
  return { platform, n: obs.length, downtimeR2 };
}
