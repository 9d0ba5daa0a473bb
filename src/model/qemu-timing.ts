/**
 * Two rules of QEMU's pre-copy rounds that need no simulator state: how much of the working set the first pass
 * has scanned (from the RAM layout), and how often auto-converge (and dirty-limit) judge the dirty ratio. Pure.
 */
import type { MemoryLayout } from './types.js';

/**
 * The share of the working set (`poolBytes`) a layout's hot pages show: a layout sees the pages written within its
 * short window, and a working set swept more slowly than that shows only where the sweep was then — a different
 * part in every sample. What it did not see is taken to lie anywhere, as without a layout (`hotShareScanned`'s
 * `seen`). 1 without a layout or a pool. Pure.
 * @example layoutSeenShare({ nonZeroPages: [100, 100], hotPages: [50, 0] }, 4096, 100 * 4096) // 0.5
 */
export function layoutSeenShare(layout: MemoryLayout | undefined, pageBytes: number, poolBytes: number): number {
  if (!layout || !(poolBytes > 0)) return 1;
  let hot = 0;
  for (let i = 0; i < layout.hotPages.length; i++) hot += layout.hotPages[i];
  return hot > 0 ? Math.min(1, (hot * pageBytes) / poolBytes) : 1;
}

/**
 * Of the hot pages, the share a first pass has scanned once it has sent `fraction` of the non-zero bytes (zero
 * pages cost next to nothing, so the scan's progress is its share of non-zero pages). Uniform (`fraction`)
 * without a layout or with no hot page; with `seen` < 1 (layoutSeenShare), that share of the hot pages as the layout
 * places them and the rest uniform. Pure.
 */
export function hotShareScanned(layout: MemoryLayout | undefined, fraction: number, seen = 1): number {
  const f = Math.min(1, Math.max(0, fraction));
  if (!layout || f >= 1) return f;
  if (seen < 1) return seen * hotShareScanned(layout, f) + (1 - seen) * f;
  let totalNz = 0;
  let totalHot = 0;
  for (let i = 0; i < layout.nonZeroPages.length; i++) {
    totalNz += layout.nonZeroPages[i];
    totalHot += layout.hotPages[i];
  }
  if (totalHot <= 0 || totalNz <= 0) return f;
  const target = f * totalNz;
  let cum = 0;
  let hot = 0;
  for (let i = 0; i < layout.nonZeroPages.length; i++) {
    const nz = layout.nonZeroPages[i];
    if (cum + nz <= target) {
      if (nz === 0 && cum >= target) break;
      hot += layout.hotPages[i];
      cum += nz;
    } else {
      hot += (layout.hotPages[i] * (target - cum)) / nz;
      break;
    }
  }
  return Math.min(1, hot / totalHot);
}

/** How far real round lengths stray from the modelled ones, either way (the lab measured 0.7-1.0 s rounds where the model has 1.0 s). */
const ROUND_JITTER = 0.2;

/**
 * The mean time between auto-converge checks when rounds last about `roundSec`. QEMU checks at the first bitmap
 * sync more than 1 s after the last check, so with rounds of exactly r the interval is (floor(1/r) + 1) x r:
 * rounds of 1.0 s check every 2 s, rounds of 1.001 s every 1.001 s — a knife-edge no real migration has, since
 * real rounds jitter. So this is that interval averaged over r uniform in roundSec x [0.8, 1.2] (exactly,
 * piece by piece; 1 + r/2 when the rounds are so short that the piece count explodes). The lab measured a
 * throttle step (two checks) every 3-3.5 s for rounds of about 1 s; this gives 2.9 s. Pure.
 * @example expectedCheckIntervalSec(1) // 1.45
 */
export function expectedCheckIntervalSec(roundSec: number): number {
  const a = roundSec * (1 - ROUND_JITTER);
  const b = roundSec * (1 + ROUND_JITTER);
  if (!(a > 0) || b <= a) return (Math.floor(1 / roundSec) + 1) * roundSec;
  const kLo = Math.floor(1 / b);
  const kHi = Math.floor(1 / a);
  if (kHi - kLo > 64) return 1 + roundSec / 2;
  // On r in (1/(k+1), 1/k], floor(1/r) = k and the interval is (k + 1) r.
  let integral = 0;
  for (let k = kLo; k <= kHi; k++) {
    const lo = Math.max(a, 1 / (k + 1));
    const hi = k === 0 ? b : Math.min(b, 1 / k);
    if (hi > lo) integral += ((k + 1) * (hi * hi - lo * lo)) / 2;
  }
  return integral / (b - a);
}

