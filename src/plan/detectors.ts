/**
 * Overload detectors of Beloglazov and Buyya (CCPE 2012) over a host's CPU utilisation history (fractions,
 * oldest first): a static threshold, and adaptive thresholds from the median absolute deviation (MAD) and the
 * interquartile range (IQR), and local regression (LR) that predicts the next value. Pure.
 */
import { quantile, median } from '../calibrate/errors.js';
import { ols } from '../calibrate/ols.js';

export const DETECTORS = ['thr', 'mad', 'iqr', 'lr'] as const;
export type Detector = (typeof DETECTORS)[number];

/** Default parameters as in the paper's best runs: THR 0.8, MAD 2.5, IQR 1.5, LR 1.2. */
export const DETECTOR_DEFAULTS: Record<Detector, number> = { thr: 0.8, mad: 2.5, iqr: 1.5, lr: 1.2 };

/** Fewer points than this and the adaptive detectors fall back to a static threshold of 0.7 (as CloudSim). */
export const MIN_HISTORY = 10;

/**
 * Is the host overloaded now? `current` is its utilisation now (may exceed 1), `history` its past values.
 * - thr s: current > s
 * - mad s: current > 1 - s * MAD(history)
 * - iqr s: current > 1 - s * IQR(history)
 * - lr s: s * (predicted next utilisation from an OLS line through the last 10 values) >= 1
 * @example overloaded('mad', 2.5, 0.9, [0.5, 0.52, 0.48, ...]) // threshold 1 - 2.5 x MAD
 */
export function overloaded(detector: Detector, param: number, current: number, history: readonly number[]): boolean {
  if (!Number.isFinite(param) || param < 0) throw new RangeError(`overloaded: param must be a finite number >= 0 (got ${param})`);
  if (detector === 'thr') return current > param;
  if (history.length < MIN_HISTORY) return current > 0.7;
  if (detector === 'mad') {
    const m = median(history);
    const mad = median(history.map((x) => Math.abs(x - m)));
    return current > 1 - param * mad;
  }
  if (detector === 'iqr') return current > 1 - param * (quantile(history, 0.75) - quantile(history, 0.25));
  const last = history.slice(-10);
  const fit = ols(last.map((_, i) => [1, i + 1]), last);
  const next = fit.coefficients[0] + fit.coefficients[1] * (last.length + 1);
  return param * next >= 1;
}
