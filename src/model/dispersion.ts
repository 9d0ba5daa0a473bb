/**
 * How much a guest's dirt varies from one pre-copy round to the next, from the pseudo-migration's bitmap rounds:
 * the spread that makes convergence near the threshold a matter of probability (`convergence.ts`). Pure.
 */
import { curveDirtiedBytes } from './dirty.js';
import type { VmSample } from './sample.js';

/**
 * The dispersion used when a sample has no bitmap rounds to measure it from (a VM given by flags, a sample without
 * a pseudo-migration, bitmap rounds too few or all of different lengths): a coefficient of variation of 0.01 for
 * a 1 s round's dirt (0.03 for a 100 ms round, 0.1 for a 10 ms one). Why that: over the lab's 428 samples that do
 * measure it (`node --import tsx bench/dispersion.bench.ts` prints them), the paced writers (sequential and random
 * dirtier, memtester, stress-ng) measure a median 0.001-0.006 and the request-driven ones (dbench, redis)
 * 0.03-0.05; 0.01 sits between them (the pooled median is 0.002, the 75th percentile 0.03). Smaller would make a
 * knife-edge migration look certain; larger would let a migration whose mean pending dirt is well above the
 * threshold converge by chance.
 */
export const DEFAULT_DIRT_DISPERSION = 0.01;

/** Rounds whose lengths are within this share of a bin's first round are compared with each other. */
const BIN_WIDTH = 0.1;
/** Normal-consistency factor of the median absolute deviation. */
const MAD_TO_SD = 1.4826;

export interface DirtDispersion {
  /** Coefficient of variation of a 1 s round's distinct dirt (>= 0). */
  cvAt1Sec: number;
  /** Bitmap rounds it was measured from (0: the default). */
  rounds: number;
  source: 'bitmap' | 'default';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The round-to-round dispersion of a sampled VM's dirt. The pseudo-migration's bitmap rounds are grouped by
 * length (within 10 %); within a group, each round's dirt is brought to the group's mean length along the sampled
 * curve's local slope (log-log, in [0, 1]), and the group's spread is its robust coefficient of variation (1.4826
 * x the median absolute deviation over the median: a round that caught dirt accumulated over the first pass does
 * not count). Groups of >= 3 rounds count; a group of rounds of mean length w with coefficient c tells c^2 x w as
 * the variance of a 1 s round (variance of independent increments falls as 1 / length); they are pooled weighted
 * by rounds - 1. No usable group: `DEFAULT_DIRT_DISPERSION`. Pure.
 * @example dirtDispersionFromSample({ ...s, bitmapCurve: [1, 1, 1].map((_, i) => ({ windowSec: 1, dirtiedBytes: [90, 100, 110][i] })) })
 *   // cvAt1Sec = 1.4826 x 10 / 100 = 0.148
 */
export function dirtDispersionFromSample(sample: Pick<VmSample, 'bitmapCurve' | 'curve'>): DirtDispersion {
  const rounds = (sample.bitmapCurve ?? []).filter((p) => p.windowSec > 0 && p.dirtiedBytes > 0).sort((a, b) => a.windowSec - b.windowSec);
  const bins: { windowSec: number; dirtiedBytes: number }[][] = [];
  for (const p of rounds) {
    const last = bins[bins.length - 1];
    if (last && p.windowSec <= last[0].windowSec * (1 + BIN_WIDTH)) last.push(p);
    else bins.push([p]);
  }
  let num = 0;
  let den = 0;
  let used = 0;
  for (const bin of bins) {
    if (bin.length < 3) continue;
    const w = bin.reduce((a, p) => a + p.windowSec, 0) / bin.length;
    const e = localExponent(sample.curve, w);
    const xs = bin.map((p) => p.dirtiedBytes * (w / p.windowSec) ** e);
    const mid = median(xs);
    if (!(mid > 0)) continue;
    const cv = (MAD_TO_SD * median(xs.map((x) => Math.abs(x - mid)))) / mid;
    num += (bin.length - 1) * cv * cv * w;
    den += bin.length - 1;
    used += bin.length;
  }
  if (den === 0) return { cvAt1Sec: DEFAULT_DIRT_DISPERSION, rounds: 0, source: 'default' };
  return { cvAt1Sec: Math.min(10, Math.sqrt(num / den)), rounds: used, source: 'bitmap' };
}

/** d log D / d log w of the sampled curve around w, in [0, 1]; 1 (dirt in proportion to time) without a curve. */
function localExponent(curve: VmSample['curve'] | undefined, w: number): number {
  if (!curve || curve.length === 0) return 1;
  const lo = curveDirtiedBytes(curve, w / 1.1);
  const hi = curveDirtiedBytes(curve, w * 1.1);
  if (!(lo > 0 && hi > 0)) return 1;
  const e = Math.log(hi / lo) / Math.log(1.21);
  return e < 0 ? 0 : e > 1 ? 1 : e;
}
