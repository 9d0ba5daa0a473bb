/**
 * Quantiles, each definition under its own name: they differ, and each caller needs the one it was
 * measured or specified with. Pure.
 * - `quantileR7` / `medianR7`: linear interpolation between order statistics at (n - 1) q (Hyndman and Fan's
 *   type 7, the default of R and numpy). The lab's error statistics and `plan`'s detectors.
 * - `commonsLegacyPercentile` / `commonsLegacyMedian`: Apache Commons Math's legacy percentile, position
 *   p/100 (n + 1) (close to type 6), as CloudSim's MAD detector computes its medians.
 * - `roundedRankIqr`: CloudSim's interquartile range, the order statistics at rounded ranks.
 */

// Scratch buffers for the CloudSim statistics: they run ~10^6 times a simulated day; fresh arrays would dominate.
let sortScratch = new Float64Array(64);
function sortedCopy(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  if (sortScratch.length < n) sortScratch = new Float64Array(2 * n);
  const s = sortScratch.subarray(0, n);
  for (let i = 0; i < n; i++) s[i] = values[i];
  return s.sort();
}

/**
 * The q-quantile (0..1) of values by linear interpolation between order statistics (type 7, as R and numpy):
 * h = (n - 1) q, s[floor h] + (h - floor h)(s[floor h + 1] - s[floor h]). An empty input gives 0 (the caller
 * reports n = 0). `values` is not modified.
 * @example quantileR7([1, 2, 3, 4], 0.5) // h = 1.5: 2 + 0.5 x (3 - 2) = 2.5
 */
export function quantileR7(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1] (got ${q})`);
  const n = values.length;
  if (n === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** The median by `quantileR7` (mean of the middle pair when n is even); 0 for no values. */
export const medianR7 = (values: readonly number[]): number => quantileR7(values, 0.5);

/**
 * Commons Math's legacy percentile of `values` (0 < p <= 100): position pos = p/100 (n + 1) in the sorted
 * values; below 1 the minimum, at or past n the maximum, else lower + (pos - floor pos)(upper - lower).
 * n = 0 gives NaN. `values` is not modified.
 * @example commonsLegacyPercentile([1, 2, 3, 4], 50) // pos 2.5: 2 + 0.5 x (3 - 2) = 2.5
 */
export function commonsLegacyPercentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = sortedCopy(values);
  if (n === 1) return s[0];
  const pos = (p / 100) * (n + 1);
  const fpos = Math.floor(pos);
  const dif = pos - fpos;
  if (pos < 1) return s[0];
  if (pos >= n) return s[n - 1];
  const lower = s[fpos - 1];
  const upper = s[fpos];
  return lower + dif * (upper - lower);
}

/** The median as Commons Math's legacy percentile computes it (mean of the middle pair when n is even). */
export function commonsLegacyMedian(values: ArrayLike<number>): number {
  return commonsLegacyPercentile(values, 50);
}

/**
 * Interquartile range by rounded ranks (CloudSim's): sort, q1 = x[round(0.25 (n + 1)) - 1],
 * q3 = x[round(0.75 (n + 1)) - 1], halves rounded up (Java's Math.round). Needs n >= 1.
 * @example roundedRankIqr([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) // ranks round(3.25) = 3 and round(9.75) = 10: 10 - 3 = 7
 */
export function roundedRankIqr(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new RangeError('iqr: needs at least one value');
  const s = sortedCopy(values);
  const q1 = Math.floor(0.25 * (n + 1) + 0.5) - 1;
  const q3 = Math.floor(0.75 * (n + 1) + 0.5) - 1;
  return s[q3] - s[q1];
}
