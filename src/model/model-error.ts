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
 * read from the mix's piecewise-linear CDF (`mixedQuantiles`). No randomness. Pure (the caches and scratch arrays
 * below change no answer). A table's factors are computed once (`errorQuadrature`), and one converged time reads
 * its quantiles off kept anchors (`mixWith`): the same numbers as the per-call mix, at a fraction of its cost.
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
  return mixCells([...weights.keys()], [...weights.values()], giveUps, giveUpSec, factors, levels);
}

/** Scratch for `mixCells` (atoms' times and weights, the sort order, the CDF's anchors), grown as needed: no allocation per call. */
let V = new Float64Array(256);
let W = new Float64Array(256);
let AT = new Float64Array(258);
let VAL = new Float64Array(258);
let ORDER = new Uint32Array(256);
let HEAD = new Int32Array(16);

/**
 * `mixOutlook` over the sync distribution given as cells: distinct converged `times` (in the order first seen)
 * with their node `counts`, and `giveUps` nodes not converged (each node of weight 1 / (sum of counts +
 * giveUps)). The same arithmetic in the same order as mixOutlook, so the same numbers to the last bit; the atoms
 * are sorted only when they are not in order already (one sync time: they are, the factors are non-decreasing).
 * @example mixCells([10], [1], 0, Infinity, [0.9, 1.1], [0.5]).quantiles // [10]
 */
export function mixCells(times: readonly number[], counts: readonly number[], giveUps: number, giveUpSec: number, factors: readonly number[], levels: readonly number[]): { quantiles: number[]; stillConverged: number } {
  const F = factors.length;
  const n = times.length * F;
  if (V.length < n) {
    V = new Float64Array(n);
    W = new Float64Array(n);
    AT = new Float64Array(n + 2);
    VAL = new Float64Array(n + 2);
    ORDER = new Uint32Array(n);
  }
  let nodes = giveUps;
  for (let i = 0; i < counts.length; i++) nodes += counts[i];
  const wf = 1 / (nodes * F);
  let converged = 0;
  let capped = 0;
  // sorted: the atoms in order as they come; runs: each time's atoms in order (the factors are, usually)
  let sorted = true;
  let runs = true;
  let a = 0;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    const w = counts[i] * wf;
    // a converged migration that the error would carry past the time-out's cost costs that (it would not converge)
    for (let j = 0; j < F; j++) {
      converged += w;
      const tf = t * factors[j];
      if (tf >= giveUpSec) capped += w;
      const v = Math.min(tf, giveUpSec);
      if (a > 0 && v < V[a - 1]) {
        sorted = false;
        if (j > 0) runs = false;
      }
      V[a] = v;
      W[a] = w;
      a++;
    }
  }
  // a stable sort by time (ties keep the order they came in): none, a merge of the times' runs, or a sort
  if (runs && !sorted) mergeRuns(times.length, F);
  else {
    for (let i = 0; i < n; i++) ORDER[i] = i;
    if (!sorted) ORDER.subarray(0, n).sort((x, y) => V[x] - V[y] || x - y);
  }
  // anchors (cumulative level, time) of the piecewise-linear inverse CDF
  let m = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const k = ORDER[i];
    AT[m] = c + W[k] / 2;
    VAL[m++] = V[k];
    c += W[k];
  }
  if (giveUps > 0) {
    AT[m] = c;
    VAL[m++] = giveUpSec;
    AT[m] = 1;
    VAL[m++] = giveUpSec;
  }
  const quantiles = new Array<number>(levels.length);
  for (let l = 0; l < levels.length; l++) quantiles[l] = readInverse(m, levels[l]);
  return { quantiles, stillConverged: converged > 0 ? 1 - capped / converged : 1 };
}

/** ORDER := the stable sort of V's first runs x F atoms, each run of F in order: a merge, ties to the earlier run. */
function mergeRuns(runs: number, F: number): void {
  if (HEAD.length < runs) HEAD = new Int32Array(runs);
  for (let r = 0; r < runs; r++) HEAD[r] = r * F;
  const n = runs * F;
  for (let o = 0; o < n; o++) {
    let best = -1;
    let bestV = 0;
    for (let r = 0; r < runs; r++) {
      const h = HEAD[r];
      if (h < (r + 1) * F && (best < 0 || V[h] < bestV)) {
        best = r;
        bestV = V[h];
      }
    }
    ORDER[o] = HEAD[best]++;
  }
}

/** The piecewise-linear inverse CDF through the first `m` anchors, at `level`. */
function readInverse(m: number, level: number): number {
  if (level <= AT[0]) return VAL[0];
  for (let i = 1; i < m; i++) {
    if (level <= AT[i]) return AT[i] > AT[i - 1] ? VAL[i - 1] + ((VAL[i] - VAL[i - 1]) * (level - AT[i - 1])) / (AT[i] - AT[i - 1]) : VAL[i];
  }
  return VAL[m - 1];
}

/**
 * A checked model error's quadrature: its factors (`errorFactors(logTime)`, non-decreasing) and, kept from the
 * first call that needs it, the mix's CDF for one converged sync time and no give-up (the anchors depend only on
 * the node count then, not on the time): what most outlooks are.
 */
export interface ErrorQuadrature {
  factors: readonly number[];
  /** Whether the factors are in order (checked, not assumed: the one-cell CDF needs it). */
  sorted: boolean;
  /** For `count` nodes and `levels`: per level, the anchor index i it reads between (i - 1 and i) and the interpolation's numerator and denominator; i = 0: the first atom, i = -1: the last. */
  oneCell?: { count: number; levels: readonly number[]; at: Int32Array; num: Float64Array; den: Float64Array };
}

/**
 * `mixCells` with a quadrature: one converged time that no factor carries to the time-out's cost reads its
 * quantiles off the kept CDF (a handful of multiplications), the same arithmetic as mixCells and so the same
 * numbers to the last bit; anything else is mixCells.
 */
export function mixWith(qd: ErrorQuadrature, times: readonly number[], counts: readonly number[], giveUps: number, giveUpSec: number, levels: readonly number[]): { quantiles: number[]; stillConverged: number } {
  const f = qd.factors;
  const F = f.length;
  // the factors are non-decreasing, so t x the last is the largest atom: under the cost, none is capped
  if (!qd.sorted || times.length !== 1 || giveUps !== 0 || F === 0 || !(times[0] * f[F - 1] < giveUpSec)) return mixCells(times, counts, giveUps, giveUpSec, f, levels);
  let plan = qd.oneCell;
  if (!plan || plan.count !== counts[0] || plan.levels !== levels) plan = qd.oneCell = oneCellPlan(f, counts[0], levels);
  const t = times[0];
  const quantiles = new Array<number>(levels.length);
  for (let l = 0; l < levels.length; l++) {
    const i = plan.at[l];
    if (i === 0) quantiles[l] = t * f[0];
    else if (i < 0) quantiles[l] = t * f[F - 1];
    else if (plan.den[l] > 0) quantiles[l] = t * f[i - 1] + ((t * f[i] - t * f[i - 1]) * plan.num[l]) / plan.den[l];
    else quantiles[l] = t * f[i];
  }
  // nothing capped: 1 - 0 / converged
  return { quantiles, stillConverged: 1 };
}

/** The anchors mixCells lays for one time of `count` nodes over `factors`, read at `levels` (see ErrorQuadrature). */
function oneCellPlan(factors: readonly number[], count: number, levels: readonly number[]): NonNullable<ErrorQuadrature['oneCell']> {
  const F = factors.length;
  const w = count * (1 / (count * F));
  const anchors: number[] = [];
  let c = 0;
  for (let j = 0; j < F; j++) {
    anchors.push(c + w / 2);
    c += w;
  }
  const at = new Int32Array(levels.length);
  const num = new Float64Array(levels.length);
  const den = new Float64Array(levels.length);
  for (let l = 0; l < levels.length; l++) {
    const level = levels[l];
    at[l] = -1;
    if (level <= anchors[0]) at[l] = 0;
    else {
      for (let i = 1; i < F; i++) {
        if (level <= anchors[i]) {
          at[l] = i;
          num[l] = level - anchors[i - 1];
          den[l] = anchors[i] > anchors[i - 1] ? anchors[i] - anchors[i - 1] : 0;
          break;
        }
      }
    }
  }
  return { count, levels, at, num, den };
}

/** Checked tables and their quadratures, the last few seen (compared by value, so a table changed in place is read again). */
const seenTables: { time: number[]; bytes: number[]; qd: ErrorQuadrature | undefined }[] = [];
const SEEN_TABLES = 4;

/**
 * The model error's quadrature (`errorFactors(e.logTime)`), undefined for no error (`isNoModelError`); the table
 * checked (`checkModelError`, which throws) the first time it is seen, and both kept for the next call with the
 * same numbers: what `predictWithOutlook` pays once per table, not per prediction.
 */
export function errorQuadrature(e: ModelError): ErrorQuadrature | undefined {
  const time = e.logTime;
  const bytes = e.logBytes;
  for (let s = 0; s < seenTables.length; s++) {
    const t = seenTables[s];
    if (sameNumbers(t.time, time) && sameNumbers(t.bytes, bytes)) return t.qd;
  }
  const none = isNoModelError(e);
  if (!none) checkModelError(e);
  const factors = none ? [] : errorFactors(time);
  const qd = none ? undefined : { factors, sorted: factors.every((x, j) => j === 0 || x >= factors[j - 1]) };
  if (seenTables.length >= SEEN_TABLES) seenTables.shift();
  seenTables.push({ time: [...time], bytes: [...(bytes ?? [])], qd });
  return qd;
}

function sameNumbers(a: readonly number[], b: readonly number[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
