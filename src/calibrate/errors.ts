/**
 * Error statistics for predictions held against measurements: absolute percentage errors, their median
 * and 90th percentile, and the spread of repeated identical runs (the noise floor).
 */

/** The lab's quantile and median: type 7 (as R and numpy), see `../stats/quantile.ts`. */
export { quantileR7 as quantile, medianR7 as median } from '../stats/quantile.js';
import { quantileR7 as quantile, medianR7 as median } from '../stats/quantile.js';

/** |predicted - measured| / measured, as a fraction. A measured 0 gives 0 when predicted is 0 too, else 1. */
export function absPercentError(predicted: number, measured: number): number {
  if (measured === 0) return predicted === 0 ? 0 : 1;
  return Math.abs(predicted - measured) / Math.abs(measured);
}

export interface ErrorSummary {
  n: number;
  /** Fractions: 0.05 = 5 %. */
  median: number;
  p90: number;
  /** Median absolute error in the metric's own unit (e.g. seconds for downtime). */
  medianAbs: number;
  /** Mean signed percentage error: positive = over-prediction. */
  bias: number;
}

export function summarizeErrors(pairs: readonly { predicted: number; measured: number }[]): ErrorSummary {
  const ape = pairs.map((p) => absPercentError(p.predicted, p.measured));
  const abs = pairs.map((p) => Math.abs(p.predicted - p.measured));
  let bias = 0;
  for (const p of pairs) bias += p.measured !== 0 ? (p.predicted - p.measured) / p.measured : 0;
  return { n: pairs.length, median: median(ape), p90: quantile(ape, 0.9), medianAbs: median(abs), bias: pairs.length ? bias / pairs.length : 0 };
}

/**
 * Noise floor from groups of repeated identical runs: how far each run lies from what its configuration does
 * on average, as a prediction error would be counted (relative to the run). The distance from the group's
 * mean is scaled by sqrt(n / (n - 1)), so that it estimates the distance from the true mean whatever the
 * number of repeats (a pair's own mean sits half-way and would halve its spread; of three runs one would be
 * its own median). Groups of one run carry no information and are skipped.
 * @example repeatSpread([[100, 102, 98]]).median // 2 * sqrt(1.5) / 102
 */
export function repeatSpread(groups: readonly (readonly number[])[]): ErrorSummary {
  const pairs: { predicted: number; measured: number }[] = [];
  for (const g of groups) {
    if (g.length < 2) continue;
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    const k = Math.sqrt(g.length / (g.length - 1));
    for (const v of g) pairs.push({ predicted: v + (mean - v) * k, measured: v });
  }
  return summarizeErrors(pairs);
}

/**
 * The repeat oracle: each run predicted by the median of its configuration's OTHER repeats — a predictor that
 * knew how every other identical migration went, held out like any model (a run never sees itself). Where
 * repeats disagree by more than the error targets, no predictor fed only the configuration does better on
 * average; a model scoring near it is at the limit the runs' own repeatability sets. Groups of one are skipped.
 * @example repeatOracle([[10, 11, 14]]) // 10 <- 12.5, 11 <- 12, 14 <- 10.5
 */
export function repeatOracle(groups: readonly (readonly number[])[]): ErrorSummary {
  const pairs: { predicted: number; measured: number }[] = [];
  for (const g of groups) {
    if (g.length < 2) continue;
    for (let i = 0; i < g.length; i++) pairs.push({ predicted: median(g.filter((_, j) => j !== i)), measured: g[i] });
  }
  return summarizeErrors(pairs);
}
