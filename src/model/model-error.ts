/**
 * The model's own error, as the convergence outlook's time distribution takes it in. The outlook (convergence.ts)
 * spreads the total time over the sync at which the migration converges; on its own that is no 80 % interval, for
 * the deterministic run's rates, first pass and platform constants err too (`lab report --outlook`: [p10, p90]
 * covered 11.7 % of held-out runs at zero median width). Here that error is a multiplicative factor on the time of a
 * converged migration, measured / predicted, given by the quantiles of its log at `MODEL_ERROR_LEVELS`, and
 * independent of the sync. The total time is then the convergence-sync distribution combined with it: a fixed
 * deterministic quadrature (`OUTLOOK_SYNC_NODES` equal-probability quantiles of the sync distribution x
 * `MODEL_ERROR_NODES` of the error, each the quantile at its cell's midpoint), the time-out's cost kept as it is for
 * a migration not converged (and a converged time the error would carry past it capped there), and p10/p50/p90
 * read from the mix's piecewise-linear CDF (`mixedQuantiles`). No randomness. Pure.
 */

/** Levels at which a model error is given: quantiles of log(measured / predicted). */
export const MODEL_ERROR_LEVELS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];

/** The model's relative error of total time and bytes: quantiles of log(measured / predicted) at MODEL_ERROR_LEVELS. */
export interface ModelError {
  logTime: readonly number[];
  logBytes: readonly number[];
  /** Where it comes from (the prior's source, or how many past migrations a fit read). */
  source: string;
}

/**
 * The prior, used when nothing better is known: LAB-FITTED, on our own standard passes 1-11 (lab/results/
 * standard-pass1..11.jsonl: of 561 records, the 479 completed migrations the default model — deng-bitmap from each sample, constants
 * fitted out of fold, 5 folds — predicts to converge): the quantiles of log(measured / predicted).
 * Regenerate: `node --import tsx bench/model-error.bench.ts lab/results/standard-pass{1,...,11}.jsonl`. Our lab's
 * guests, host and link; another platform's error is its own (fit it from the store: calibrate/interval.ts
 * `modelErrorFromHistory`).
 */
export const MODEL_ERROR_PRIOR: ModelError = {
  logTime: [-0.2189, -0.0863, -0.014, -0.0002, 0.0282, 0.0833, 0.1219],
  logBytes: [-0.2087, -0.0709, -0.0122, 0.0052, 0.0206, 0.0532, 0.089],
  source: 'lab-fitted prior: standard passes 1-11, 479 completed migrations predicted to converge',
};

/** No model error: the outlook spreads over the convergence sync only. */
export const NO_MODEL_ERROR: ModelError = { logTime: [0, 0, 0, 0, 0, 0, 0], logBytes: [0, 0, 0, 0, 0, 0, 0], source: 'none' };

/** Quadrature nodes of the error, and of the convergence-sync distribution. */
export const MODEL_ERROR_NODES = 50;
export const OUTLOOK_SYNC_NODES = 100;

/** Whether an error is no error at all (every quantile 0). */
export function isNoModelError(e: ModelError): boolean {
  return e.logTime.every((x) => x === 0);
}

/** The error table's checked shape: MODEL_ERROR_LEVELS.length finite, non-decreasing quantiles. */
export function checkModelError(e: ModelError, field = 'modelError'): void {
  for (const k of ['logTime', 'logBytes'] as const) {
    const a = e[k];
    if (a.length !== MODEL_ERROR_LEVELS.length || !a.every((x, i) => Number.isFinite(x) && (i === 0 || x >= a[i - 1]))) {
      throw new RangeError(`${field}.${k}: needs ${MODEL_ERROR_LEVELS.length} finite non-decreasing quantiles (levels ${MODEL_ERROR_LEVELS.join(', ')})`);
    }
  }
}

/** The quantile of a table at `level`: linear between the table's levels, flat past its ends. */
export function errorQuantile(table: readonly number[], level: number): number {
  const L = MODEL_ERROR_LEVELS;
  if (level <= L[0]) return table[0];
  for (let i = 1; i < L.length; i++) {
    if (level <= L[i]) return table[i - 1] + ((table[i] - table[i - 1]) * (level - L[i - 1])) / (L[i] - L[i - 1]);
  }
  return table[L.length - 1];
}

/**
 * The multiplicative factors measured / predicted at the midpoints of `nodes` equal-probability cells.
 * @example errorFactors([-0.1, -0.1, 0, 0, 0, 0.1, 0.1], 2) // [exp(-0.05), exp(0.05)]: levels 0.25 and 0.75
 */
export function errorFactors(table: readonly number[], nodes = MODEL_ERROR_NODES): number[] {
  return Array.from({ length: nodes }, (_, j) => Math.exp(errorQuantile(table, (j + 0.5) / nodes)));
}

/**
 * The levels' quantiles of a mix: each of `times` (equal weights; `undefined` a migration not converged, costing
 * `giveUpSec` unscaled, and no converged time costs more) times each factor, equal weights. The mix's CDF is read
 * piecewise linear: a converged atom stands at the middle of its weight, the time-out's cost is a point mass (a
 * level inside it reads that cost); below the first atom's middle, the first; above the last, the last.
 * @example mixedQuantiles([10], Infinity, [0.9, 1.1], [0.5]) // [10]: halfway between 9 (at 0.25) and 11 (at 0.75)
 */
export function mixedQuantiles(times: readonly (number | undefined)[], giveUpSec: number, factors: readonly number[], levels: readonly number[]): number[] {
  return mixOutlook(times, giveUpSec, factors, levels).quantiles;
}

/**
 * `mixedQuantiles`, and the share of the converged times that the error leaves before the time-out's cost (1
 * without any converged time): P(converged) taking in the model's error is P(converged) x that share.
 */
export function mixOutlook(times: readonly (number | undefined)[], giveUpSec: number, factors: readonly number[], levels: readonly number[]): { quantiles: number[]; stillConverged: number } {
  // equal sync times are one atom of their summed weight
  const weights = new Map<number, number>();
  let giveUps = 0;
  for (const t of times) {
    if (t === undefined) giveUps++;
    else weights.set(t, (weights.get(t) ?? 0) + 1);
  }
  const atoms: { v: number; w: number }[] = [];
  const wf = 1 / (times.length * factors.length);
  let converged = 0;
  let capped = 0;
  for (const [t, n] of weights) {
    // a converged migration that the error would carry past the time-out's cost costs that (it would not converge)
    for (const f of factors) {
      converged += n * wf;
      if (t * f >= giveUpSec) capped += n * wf;
      atoms.push({ v: Math.min(t * f, giveUpSec), w: n * wf });
    }
  }
  atoms.sort((a, b) => a.v - b.v);
  // anchors (cumulative level, time) of the piecewise-linear inverse CDF
  const at: number[] = [];
  const val: number[] = [];
  let c = 0;
  for (const a of atoms) {
    at.push(c + a.w / 2);
    val.push(a.v);
    c += a.w;
  }
  if (giveUps > 0) {
    at.push(c, 1);
    val.push(giveUpSec, giveUpSec);
  }
  const quantiles = levels.map((level) => {
    if (level <= at[0]) return val[0];
    for (let i = 1; i < at.length; i++) {
      if (level <= at[i]) return at[i] > at[i - 1] ? val[i - 1] + ((val[i] - val[i - 1]) * (level - at[i - 1])) / (at[i] - at[i - 1]) : val[i];
    }
    return val[val.length - 1];
  });
  return { quantiles, stillConverged: converged > 0 ? 1 - capped / converged : 1 };
}
