/**
 * The statistics CloudSim's power examples use, with the same floating-point order of operations, so that
 * threshold comparisons fall on the same side: Apache Commons Math's legacy percentile, MAD, the
 * interquartile range by rounded ranks, SimpleRegression's running sums, and OLS R² through Householder QR.
 * Written from the formulas, not from CloudSim's code. Pure.
 */

// Scratch buffers: these functions run ~10^6 times a simulated day; fresh typed arrays would dominate.
let sortScratch = [new Float64Array(64), new Float64Array(64)];
function sortedCopy(values: ArrayLike<number>, slot: 0 | 1): Float64Array {
  const n = values.length;
  if (sortScratch[slot].length < n) sortScratch[slot] = new Float64Array(2 * n);
  const s = sortScratch[slot].subarray(0, n);
  for (let i = 0; i < n; i++) s[i] = values[i];
  return s.sort();
}
let devScratch = new Float64Array(64);
let qrScratch = new Float64Array(1024);

/** Length of `data` once trailing exact zeros are dropped, but at least 1 (an all-zero array keeps one 0). */
export function countNonZeroBeginning(data: ArrayLike<number>): number {
  let i = data.length - 1;
  while (i >= 0) {
    if (data[i--] !== 0) break;
  }
  return i + 2;
}

/**
 * Commons Math's legacy percentile of `values` (0 < p <= 100): position pos = p/100 (n + 1) in the sorted
 * values; below 1 the minimum, at or past n the maximum, else lower + (pos - floor pos)(upper - lower).
 * n = 0 gives NaN. `values` is not modified.
 * @example legacyPercentile([1, 2, 3, 4], 50) // pos 2.5: 2 + 0.5 x (3 - 2) = 2.5
 */
export function legacyPercentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = sortedCopy(values, 0);
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
export function median(values: ArrayLike<number>): number {
  return legacyPercentile(values, 50);
}

/**
 * Median absolute deviation: median(|x - median(x)|). n = 0 gives 0.
 * @example mad([1, 2, 3, 4, 100]) // median 3, deviations 2 1 0 1 97: 1
 */
export function mad(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const m = median(values);
  if (devScratch.length < n) devScratch = new Float64Array(2 * n);
  const dev = devScratch.subarray(0, n);
  for (let i = 0; i < n; i++) dev[i] = Math.abs(m - values[i]);
  return median(dev);
}

/**
 * Interquartile range by rounded ranks: sort, q1 = x[round(0.25 (n + 1)) - 1], q3 = x[round(0.75 (n + 1)) - 1],
 * halves rounded up (Java's Math.round). Needs n >= 1.
 * @example iqr([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) // ranks round(3.25) = 3 and round(9.75) = 10: 10 - 3 = 7
 */
export function iqr(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new RangeError('iqr: needs at least one value');
  const s = sortedCopy(values, 0);
  const q1 = Math.floor(0.25 * (n + 1) + 0.5) - 1;
  const q3 = Math.floor(0.75 * (n + 1) + 0.5) - 1;
  return s[q3] - s[q1];
}

/**
 * Least-squares line y = a + b x through (x_i, y_i) with SimpleRegression's running updates
 * (mean-centred sums, added one point at a time). Returns [a, b]; fewer than 3 points or all x equal give NaNs.
 * @example simpleRegression([1, 2, 3], [2, 4, 6]) // [0, 2]
 */
export function simpleRegression(x: ArrayLike<number>, y: ArrayLike<number>): [number, number] {
  const n = x.length;
  if (n !== y.length) throw new RangeError('simpleRegression: x and y must have the same length');
  if (n < 3) return [NaN, NaN];
  let xbar = x[0];
  let ybar = y[0];
  let sumXX = 0;
  let sumXY = 0;
  let sumX = x[0];
  let sumY = y[0];
  for (let i = 1; i < n; i++) {
    const fact1 = 1 + i;
    const fact2 = i / (1 + i);
    const dx = x[i] - xbar;
    const dy = y[i] - ybar;
    sumXX += dx * dx * fact2;
    sumXY += dx * dy * fact2;
    xbar += dx / fact1;
    ybar += dy / fact1;
    sumX += x[i];
    sumY += y[i];
  }
  if (Math.abs(sumXX) < 10 * Number.MIN_VALUE) return [sumY / n, NaN];
  const slope = sumXY / sumXX;
  return [(sumY - slope * sumX) / n, slope];
}

/** Why `olsRSquared` could not fit: too few rows for the predictors, no predictor, or a singular design. */
export type OlsFailure = 'not-enough-data' | 'no-data' | 'singular';

/**
 * R² of the OLS regression (with intercept) of `y` on the columns `predictors` (each of y's length), solved by
 * Householder QR exactly as Commons Math's OLSMultipleLinearRegression (threshold 0: singular only when a
 * diagonal of R is exactly 0), and 1 - SSR/SST with SST from the running second moment.
 * Returns a failure string instead of throwing: the caller falls back.
 * @example olsRSquared([1, 2, 3, 5], [[1, 2, 3, 4]]) // 1 - 0.3/8.75 = 0.9657...
 */
export function olsRSquared(y: ArrayLike<number>, predictors: ArrayLike<number>[]): number | OlsFailure {
  const m = y.length;
  const p = predictors.length;
  if (p === 0 || m === 0) return 'no-data';
  if (p + 1 > m) return 'not-enough-data';
  const cols = p + 1;
  const need = cols * m + 2 * cols + m;
  if (qrScratch.length < need) qrScratch = new Float64Array(2 * need);
  const buf = qrScratch;
  // buf[c*m + row] is column c of the design matrix (intercept first), i.e. the transposed matrix.
  for (let row = 0; row < m; row++) buf[row] = 1;
  for (let c = 0; c < p; c++) {
    const col = predictors[c];
    const base = (c + 1) * m;
    for (let row = 0; row < m; row++) buf[base + row] = col[row];
  }
  const nDiag = Math.min(m, cols);
  const rd = cols * m; // rDiag
  const yo = rd + cols; // y, then solved in place
  const bo = yo + m; // beta
  for (let minor = 0; minor < nDiag; minor++) {
    const qm = minor * m;
    let xNormSqr = 0;
    for (let row = minor; row < m; row++) xNormSqr += buf[qm + row] * buf[qm + row];
    const a = buf[qm + minor] > 0 ? -Math.sqrt(xNormSqr) : Math.sqrt(xNormSqr);
    buf[rd + minor] = a;
    if (a !== 0) {
      buf[qm + minor] -= a;
      for (let col = minor + 1; col < cols; col++) {
        const qc = col * m;
        let alpha = 0;
        for (let row = minor; row < m; row++) alpha -= buf[qc + row] * buf[qm + row];
        alpha /= a * buf[qm + minor];
        for (let row = minor; row < m; row++) buf[qc + row] -= alpha * buf[qm + row];
      }
    }
  }
  for (let i = 0; i < nDiag; i++) if (Math.abs(buf[rd + i]) <= 0) return 'singular';
  // solve: apply the reflections to y, then back-substitute R b = Q^T y
  for (let row = 0; row < m; row++) buf[yo + row] = y[row];
  for (let minor = 0; minor < nDiag; minor++) {
    const qm = minor * m;
    let dot = 0;
    for (let row = minor; row < m; row++) dot += buf[yo + row] * buf[qm + row];
    dot /= buf[rd + minor] * buf[qm + minor];
    for (let row = minor; row < m; row++) buf[yo + row] += dot * buf[qm + row];
  }
  for (let row = nDiag - 1; row >= 0; row--) {
    buf[yo + row] /= buf[rd + row];
    const yRow = buf[yo + row];
    const qr = row * m;
    buf[bo + row] = yRow;
    for (let i = 0; i < row; i++) buf[yo + i] -= yRow * buf[qr + i];
  }
  const beta = buf.subarray(bo, bo + cols);
  // residuals y - X b (row by row, intercept first)
  let ssr = 0;
  for (let i = 0; i < m; i++) {
    let fit = beta[0];
    for (let c = 0; c < p; c++) fit += predictors[c][i] * beta[c + 1];
    const r = y[i] - fit;
    ssr += r * r;
  }
  // SST by the running second moment
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < m; i++) {
    const k = i + 1;
    const dev = y[i] - m1;
    const nDev = dev / k;
    m1 += nDev;
    m2 += (k - 1) * dev * nDev;
  }
  return 1 - ssr / m2;
}
