/**
 * Prediction intervals. Two sources of spread, combined:
 * 1. the VM's dirty rate is uncertain: predict at the low and high quantiles of its observed rates
 *    (repeated samples, past migrations' realised rates), scaled around the rate actually used;
 * 2. the model itself errs: widen by the quantiles of past relative errors (measured / predicted - 1);
 * 3. (qemu) whether and when it converges is itself uncertain: the total time's range takes in the convergence
 *    outlook's percentiles at the same levels (model/convergence.ts), before the error widening.
 * The result is a [lo, hi] range per metric at a stated nominal level (default 10th-90th percentile).
 * `modelErrorFromHistory` turns the same past errors into the convergence outlook's model error (model/model-error.ts).
 */
import { simulate } from '../model/precopy.js';
import { convergenceOutlook } from '../model/convergence.js';
import type { Prediction, PredictInput } from '../model/types.js';
import { quantile } from './errors.js';
import { MODEL_ERROR_LEVELS, type ModelError } from '../model/model-error.js';

/** Past migrations a fitted model error needs (fewer: the prior, model/model-error.ts `MODEL_ERROR_PRIOR`). */
export const MIN_ERROR_HISTORY = 20;

/**
 * The model's own error fitted from a store's history, in the shape of the outlook's prior (model/model-error.ts):
 * the quantiles of log(1 + e) at MODEL_ERROR_LEVELS of the past relative errors e = measured / predicted - 1 (the
 * same errors `predictInterval` widens by). Undefined with fewer than MIN_ERROR_HISTORY time errors; bytes fall back
 * to the time's table with fewer than that. Pure.
 * @example modelErrorFromHistory({ totalTimeSec: errs }) // { logTime: quantiles of log(1 + e), ... } or undefined
 */
export function modelErrorFromHistory(relativeErrors: Partial<Record<IntervalMetric, readonly number[]>>, minRuns = MIN_ERROR_HISTORY): ModelError | undefined {
  const logs = (e: readonly number[] | undefined) => (e ?? []).filter((x) => x > -1 && Number.isFinite(x)).map((x) => Math.log1p(x));
  const time = logs(relativeErrors.totalTimeSec);
  if (time.length < minRuns) return undefined;
  const bytes = logs(relativeErrors.transferredBytes);
  const q = (a: number[]) => MODEL_ERROR_LEVELS.map((l) => quantile(a, l));
  return { logTime: q(time), logBytes: bytes.length >= minRuns ? q(bytes) : q(time), source: `fitted on ${time.length} past migrations` };
}

export const INTERVAL_METRICS = ['totalTimeSec', 'downtimeSec', 'transferredBytes', 'energyJoules'] as const;
export type IntervalMetric = (typeof INTERVAL_METRICS)[number];
export type Range = Record<IntervalMetric, number>;

export interface IntervalOptions {
  /** Lower and upper quantile, default 0.1 and 0.9. */
  lowQ?: number;
  highQ?: number;
  /** Dirty rates seen for this VM (bytes/s). Fewer than 2: no rate spread. */
  observedRates?: readonly number[];
  /** Past relative errors per metric: measured / predicted - 1. Fewer than 2: no model spread. */
  relativeErrors?: Partial<Record<IntervalMetric, readonly number[]>>;
}

export interface PredictionInterval {
  point: Prediction;
  lo: Range;
  hi: Range;
  lowQ: number;
  highQ: number;
  /** At the high-quantile rate, or at the high quantile of its convergence outlook, the migration would not converge: `hi` is then the time-out's cost. */
  mayNotConverge: boolean;
  /** P(converging before the time-out) at the point's inputs (convergence.ts). */
  convergenceProbability: number;
}

function pick(p: Prediction): Range {
  return { totalTimeSec: p.totalTimeSec, downtimeSec: p.downtimeSec, transferredBytes: p.transferredBytes, energyJoules: p.energyJoules };
}

/**
 * @example predictInterval(input, { observedRates: [40e6, 50e6, 60e6] }) // lo/hi at the 10th/90th percentile rates
 */
export function predictInterval(input: PredictInput, opts: IntervalOptions = {}): PredictionInterval {
  const lowQ = opts.lowQ ?? 0.1;
  const highQ = opts.highQ ?? 0.9;
  if (!(lowQ >= 0 && lowQ < highQ && highQ <= 1)) throw new RangeError('predictInterval: need 0 <= lowQ < highQ <= 1');
  const outlook = convergenceOutlook({ ...input, trace: false });
  const point = input.trace ? simulate(input) : outlook.point;
  let lo = pick(point);
  let hi = pick(point);
  let mayNotConverge = !point.converged || outlook.convergenceProbability < highQ;
  const rates = opts.observedRates ?? [];
  if (rates.length >= 2) {
    const rate = input.vm.dirtyRateBytesPerSec;
    const scale = (r: number) => (rate > 0 ? r / rate : 0);
    const atRate = (r: number): Range => {
      const p = simulateAt(r);
      if (!p.converged) mayNotConverge = true;
      return pick(p);
    };
    const simulateAt = (r: number): Prediction => {
      const vm = { ...input.vm, dirtyRateBytesPerSec: r };
      // A curve model is scaled in proportion to the rate.
      if (vm.dirtyModel?.kind === 'curve') {
        const k = scale(r);
        vm.dirtyModel = { kind: 'curve', points: vm.dirtyModel.points.map((p) => ({ windowSec: p.windowSec, dirtiedBytes: p.dirtiedBytes * k })) };
      }
      return simulate({ ...input, vm, trace: false });
    };
    const a = atRate(quantile(rates, lowQ));
    const b = atRate(quantile(rates, highQ));
    lo = { ...lo };
    hi = { ...hi };
    for (const m of Object.keys(lo) as IntervalMetric[]) {
      lo[m] = Math.min(lo[m], a[m], b[m]);
      hi[m] = Math.max(hi[m], a[m], b[m]);
    }
  }
  // The outlook's percentiles, where the levels are its own (10th-90th); other levels keep the rate spread alone.
  if (lowQ === 0.1 && highQ === 0.9) {
    lo.totalTimeSec = Math.min(lo.totalTimeSec, outlook.timeP10Sec);
    hi.totalTimeSec = Math.max(hi.totalTimeSec, outlook.timeP90Sec);
  }
  const errs = opts.relativeErrors ?? {};
  for (const m of Object.keys(lo) as IntervalMetric[]) {
    const e = errs[m];
    if (!e || e.length < 2) continue;
    lo[m] = Math.max(0, lo[m] * (1 + Math.min(0, quantile(e, lowQ))));
    hi[m] = hi[m] * (1 + Math.max(0, quantile(e, highQ)));
  }
  return { point, lo, hi, lowQ, highQ, mayNotConverge, convergenceProbability: outlook.convergenceProbability };
}

/** Share of (interval, measured) pairs whose measured value falls inside, per metric. */
export function coverage(pairs: readonly { interval: PredictionInterval; measured: Partial<Range> }[]): Partial<Record<IntervalMetric, number>> {
  const out: Partial<Record<IntervalMetric, number>> = {};
  for (const m of INTERVAL_METRICS) {
    let n = 0;
    let inside = 0;
    for (const { interval, measured } of pairs) {
      const v = measured[m];
      if (v === undefined) continue;
      n++;
      if (v >= interval.lo[m] && v <= interval.hi[m]) inside++;
    }
    if (n > 0) out[m] = inside / n;
  }
  return out;
}
