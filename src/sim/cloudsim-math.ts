/**
 * The statistics CloudSim's power examples use, with the same floating-point order of operations, so that
 * threshold comparisons fall on the same side: Apache Commons Math's legacy percentile, MAD, the
 * interquartile range by rounded ranks, SimpleRegression's running sums, and OLS R² through Householder QR.
 * Written from the formulas, not from CloudSim's code. Pure.
 */

import { commonsLegacyMedian, commonsLegacyPercentile, roundedRankIqr } from '../stats/quantile.js';

/** CloudSim's percentile, median and IQR: the definitions in `../stats/quantile.ts`, under the names CloudSim's rules use. */
export { commonsLegacyPercentile as legacyPercentile, commonsLegacyMedian as median, roundedRankIqr as iqr };

// Scratch buffers: these functions run ~10^6 times a simulated day; fresh typed arrays would dominate.
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
 * Median absolute deviation: median(|x - median(x)|), medians by Commons Math's legacy percentile. n = 0 gives 0.
 * @example mad([1, 2, 3, 4, 100]) // median 3, deviations 2 1 0 1 97: 1
 */
export function mad(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  const m = commonsLegacyMedian(values);
  if (devScratch.length < n) devScratch = new Float64Array(2 * n);
  const dev = devScratch.subarray(0, n);
  for (let i = 0; i < n; i++) dev[i] = Math.abs(m - values[i]);
  return commonsLegacyMedian(dev);
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
