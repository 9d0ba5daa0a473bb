/**
 * Overload detectors of Beloglazov and Buyya (CCPE 2012) over a host's CPU utilisation history (fractions):
 * a static threshold, and adaptive thresholds from the median absolute deviation (MAD) and the interquartile
 * range (IQR), and local regression (LR) that predicts the next value. Pure.
 *
 * The rules are shared with the simulator (`src/sim/detectors.ts`), which runs them as CloudSim 3.0.3 does;
 * where CloudSim differs, the difference is a parameter (`SpreadRules`): its minimum history for MAD and IQR
 * (12 against 10 here) and its IQR (order statistics at rounded ranks against the type-7 quantile here).
 * LR differs in more than a parameter (CloudSim's horizon is the longest migration, its line SimpleRegression's
 * running sums), so the simulator keeps its own LR.
 */
import { medianR7, quantileR7 } from '../stats/quantile.js';
import { ols } from '../calibrate/ols.js';

export const DETECTORS = ['thr', 'mad', 'iqr', 'lr'] as const;
export type Detector = (typeof DETECTORS)[number];

/** Default parameters as in the paper's best runs: THR 0.8, MAD 2.5, IQR 1.5, LR 1.2. */
export const DETECTOR_DEFAULTS: Record<Detector, number> = { thr: 0.8, mad: 2.5, iqr: 1.5, lr: 1.2 };

/** Fewer points than this and the adaptive detectors fall back to a static threshold of 0.7 (as CloudSim's LR). */
export const MIN_HISTORY = 10;

/** The static threshold the adaptive detectors fall back to while the history is short. */
export const FALLBACK_THRESHOLD = 0.7;

/** How the MAD and IQR detectors read a history: the spreads, and the history they need before they apply. */
export interface SpreadRules {
  /** Fewer values than this and the detector falls back to `current > FALLBACK_THRESHOLD`. */
  minHistory: number;
  /** Median absolute deviation of the history. */
  mad(history: ArrayLike<number>): number;
  /** Interquartile range of the history. */
  iqr(history: ArrayLike<number>): number;
}

/** `plan`'s rules: 10 values, MAD and IQR by the type-7 quantile (as R and numpy). */
export const PLAN_SPREAD_RULES: Readonly<SpreadRules> = Object.freeze({
  minHistory: MIN_HISTORY,
  mad: (history: ArrayLike<number>): number => {
    const h = Array.from(history);
    const m = medianR7(h);
    return medianR7(h.map((x) => Math.abs(x - m)));
  },
  iqr: (history: ArrayLike<number>): number => {
    const h = Array.from(history);
    return quantileR7(h, 0.75) - quantileR7(h, 0.25);
  },
});

/**
 * The MAD / IQR test: current > 1 - s x spread(history), or current > 0.7 with fewer than `rules.minHistory`
 * values. The history's order does not matter.
 * @example spreadOverloaded('mad', 2.5, 0.99, steadyHistory, PLAN_SPREAD_RULES) // MAD 0.005: 0.99 > 0.9875
 */
export function spreadOverloaded(detector: 'mad' | 'iqr', param: number, current: number, history: ArrayLike<number>, rules: Readonly<SpreadRules>): boolean {
  if (history.length < rules.minHistory) return current > FALLBACK_THRESHOLD;
  return current > 1 - param * (detector === 'iqr' ? rules.iqr(history) : rules.mad(history));
}

/**
 * Is the host overloaded now? `current` is its utilisation now (may exceed 1), `history` its past values,
 * oldest first.
 * - thr s: current > s
 * - mad s: current > 1 - s * MAD(history)
 * - iqr s: current > 1 - s * IQR(history)
 * - lr s: s * (predicted next utilisation from an OLS line through the last 10 values) >= 1
 * With fewer than `MIN_HISTORY` values, the adaptive ones test current > 0.7.
 * @example overloaded('mad', 2.5, 0.9, [0.5, 0.52, 0.48, ...]) // threshold 1 - 2.5 x MAD
 */
export function overloaded(detector: Detector, param: number, current: number, history: readonly number[]): boolean {
  if (!Number.isFinite(param) || param < 0) throw new RangeError(`overloaded: param must be a finite number >= 0 (got ${param})`);
  if (detector === 'thr') return current > param;
  if (detector === 'mad' || detector === 'iqr') return spreadOverloaded(detector, param, current, history, PLAN_SPREAD_RULES);
  if (history.length < MIN_HISTORY) return current > FALLBACK_THRESHOLD;
  const last = history.slice(-10);
  const fit = ols(last.map((_, i) => [1, i + 1]), last);
  const next = fit.coefficients[0] + fit.coefficients[1] * (last.length + 1);
  return param * next >= 1;
}

/** How many history values a detector needs before its own rule applies (thr: none; below it, the others test current > 0.7). */
export function historyNeeded(detector: Detector): number {
  if (detector === 'thr') return 0;
  return detector === 'lr' ? MIN_HISTORY : PLAN_SPREAD_RULES.minHistory;
}

/** Where `historyNeeded` comes from, for the error that refuses a short history. */
export const HISTORY_SOURCE: Record<Detector, string> = {
  thr: 'none',
  lr: "CloudSim's minimum for LR: an OLS line through the last 10 values",
  mad: "the median of 10 values at least; CloudSim's MAD asks 12",
  iqr: "the quartiles of 10 values at least; CloudSim's IQR asks 12",
};

/** A detector's verdict on a host and the figures behind it, e.g. "mad: 0.91 > 1 - 2.5 x MAD 0.024 = 0.94"). */
export interface Verdict {
  hot: boolean;
  reason: string;
}

/** Up to 3 decimals, trailing zeros dropped: 0.9875 -> 0.988, 0.8 -> 0.8. */
const f2 = (x: number): string => String(Number(x.toFixed(3)));

/**
 * `overloaded` with its figures: the same test (a test asserts they agree), and a sentence saying which
 * comparison decided it. Not for hot loops (it formats strings).
 */
export function explainOverload(detector: Detector, param: number, current: number, history: readonly number[]): Verdict {
  const hot = overloaded(detector, param, current, history);
  const sign = hot ? '>' : '<=';
  if (detector === 'thr') return { hot, reason: `thr: ${f2(current)} ${sign} ${f2(param)}` };
  if (history.length < historyNeeded(detector)) return { hot, reason: `${detector}: ${history.length} history values (< ${historyNeeded(detector)}), so ${f2(current)} ${sign} ${FALLBACK_THRESHOLD}` };
  if (detector === 'mad' || detector === 'iqr') {
    const spread = detector === 'iqr' ? PLAN_SPREAD_RULES.iqr(history) : PLAN_SPREAD_RULES.mad(history);
    return { hot, reason: `${detector}: ${f2(current)} ${sign} 1 - ${param} x ${detector.toUpperCase()} ${f2(spread)} = ${f2(1 - param * spread)}` };
  }
  const last = history.slice(-10);
  const fit = ols(last.map((_, i) => [1, i + 1]), last);
  const next = fit.coefficients[0] + fit.coefficients[1] * (last.length + 1);
  return { hot, reason: `lr: predicted ${f2(next)} at the next step ${hot ? '>=' : '<'} 1/${param} = ${param > 0 ? f2(1 / param) : 'infinity'}` };
}
