/**
 * The dirt rate's own uncertainty in the convergence outlook. A sample measures a guest's dirt before the
 * migration; the migration meets the guest minutes later, loaded differently and sharing its host with the
 * migration itself, and the rate it then dirties at differs from the sampled one run to run. Where a migration's
 * cost hangs on that rate (many rounds, the pending dirt near the switch-over threshold), the outlook should be
 * wide; where it does not (one pass and a short stop), narrow. The model's own error (model-error.ts) is one
 * factor for every migration and cannot tell the two apart.
 *
 * So the outlook is taken over three rates: the sampled one and the sampled one sped up and slowed down, the
 * writer's time scaled by exp(+-sqrt(3) sigma) (its curve reached sooner or later, its working set unchanged):
 * the 3-point Gauss-Hermite rule for a log-normal rate factor of log-sd sigma, weights 1/6, 2/3, 1/6. The
 * probability of converging is the weighted mean of the three runs'; the total time's distribution their
 * weighted mix. The plain prediction (`simulate`, techniques.ts `predict`) is the sampled rate's alone; the
 * outlook's point is the outcome at its median (outlook.ts). Pure.
 */
import { mixCells, type ErrorQuadrature } from './model-error.js';
import type { Prediction, PredictInput } from './types.js';

/**
 * The log-sd of the rate a guest dirties at during its migration around the rate its sample measured, when the VM
 * does not say (`vm.dirtRateSpread`). LAB-FITTED on our standard passes 1-13 (lab/results/standard-pass1..13.jsonl;
 * none of the held-out workloads), read two ways:
 * - repeats: the same configuration sampled in repeated runs minutes apart, |log D(0.25 s)| differences over 86
 *   pairs: one sample's robust sd 0.123, so a sample and the guest minutes later differ with sd 0.175;
 * - rounds: each run's unthrottled pre-copy rounds, the dirt QEMU counted over the sampled curve at the round's
 *   length, per run the median; the robust sd of its log over 217 runs is 0.139.
 * 0.16 lies between them. Regenerate: `node --import tsx bench/rate-spread.bench.ts
 * lab/results/standard-pass{1,...,13}.jsonl`. Per workload the readings run from 0.08 (paced writers) to 0.37
 * (redis): another platform's guests stray by their own amount; pass `vm.dirtRateSpread`.
 */
export const DIRT_RATE_SPREAD = 0.16;

/** The 3-point Gauss-Hermite rule for a standard normal: nodes -sqrt(3), 0, sqrt(3); weights 1/6, 2/3, 1/6. */
export const RATE_SPREAD_NODES: readonly number[] = [-Math.sqrt(3), 0, Math.sqrt(3)];
/** The weights, as node counts out of 6 (the outlook's cells are counted in whole nodes). */
export const RATE_SPREAD_COUNTS: readonly number[] = [1, 4, 1];

/**
 * The input with the guest's dirt sped up by `factor` (> 0): its mean rate times it, its measured curve reached
 * in 1 / factor of the time (the same working set, dirtied faster). Other inputs are shared, not copied.
 * @example withDirtRate({ vm: { memoryBytes: 1, dirtyRateBytesPerSec: 10, dirtyModel: { kind: 'curve', points: [{ windowSec: 1, dirtiedBytes: 5 }] } }, ... }, 2)
 *   // dirtyRateBytesPerSec 20, points [{ windowSec: 0.5, dirtiedBytes: 5 }]
 */
export function withDirtRate(input: PredictInput, factor: number): PredictInput {
  const vm = input.vm;
  const m = vm.dirtyModel;
  const dirtyModel = m && m.kind === 'curve' ? { kind: 'curve' as const, points: m.points.map((p) => ({ windowSec: p.windowSec / factor, dirtiedBytes: p.dirtiedBytes })) } : m;
  return { ...input, vm: { ...vm, dirtyRateBytesPerSec: vm.dirtyRateBytesPerSec * factor, ...(dirtyModel ? { dirtyModel } : {}) } };
}

/** The rate spread an input asks for: its own, else the default; 0 (no spread) for a guest that dirties nothing. */
export function rateSpreadOf(input: PredictInput): number {
  if (!(input.vm.dirtyRateBytesPerSec > 0)) return 0;
  return input.vm.dirtRateSpread ?? DIRT_RATE_SPREAD;
}

/**
 * An outlook's time distribution as cells: distinct converged times in the order first met with their node counts
 * (the midpoints of equal-probability cells), and the nodes not converged, which cost `giveUpSec`. `probability`
 * is P(converged before the time-out).
 */
export interface Cells {
  probability: number;
  times: number[];
  counts: number[];
  giveUps: number;
  giveUpSec: number;
}

/**
 * Cells of the three rates merged with their weights: counts and give-ups times the node's weight count, equal
 * times one cell, the probability the weighted mean. A not-converged node costs what the heaviest part with
 * not-converged nodes says (the sampled rate's, when it has any: its point's cost; they differ only by the final
 * copy of what is left pending). Pure.
 */
export function mergeRateCells(parts: readonly Cells[], weights: readonly number[] = RATE_SPREAD_COUNTS): Cells {
  const times: number[] = [];
  const counts: number[] = [];
  const index = new Map<number, number>();
  let giveUps = 0;
  let giveUpSec = Infinity;
  let heaviest = 0;
  let p = 0;
  let w = 0;
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i];
    const k = weights[i];
    p += k * c.probability;
    w += k;
    giveUps += k * c.giveUps;
    if (c.giveUps > 0 && Number.isFinite(c.giveUpSec) && k > heaviest) (giveUpSec = c.giveUpSec), (heaviest = k);
    for (let j = 0; j < c.times.length; j++) {
      const at = index.get(c.times[j]);
      if (at !== undefined) counts[at] += k * c.counts[j];
      else index.set(c.times[j], times.length), times.push(c.times[j]), counts.push(k * c.counts[j]);
    }
  }
  return { probability: w > 0 ? p / w : 0, times, counts, giveUps, giveUpSec };
}

/** One rate's part of an outlook: its point, its cells and its weight (a node count out of 6). */
export interface RatePart<P> {
  point: P;
  cells: Cells;
  weight: number;
}

/**
 * `cellsAt` at the sampled rate and, for the qemu policy with a spread, at the two other rates, merged
 * (mergeRateCells); the point is the sampled rate's, `parts` each rate's (the sampled one first). The one place
 * the three rates are built.
 */
export function overRateSpread<P>(input: PredictInput, cellsAt: (input: PredictInput) => { point: P; cells: Cells }): { point: P; cells: Cells; parts: RatePart<P>[] } {
  const mid = cellsAt(input);
  const s = input.policy.name === 'qemu' ? rateSpreadOf(input) : 0;
  if (!(s > 0)) return { point: mid.point, cells: mid.cells, parts: [{ ...mid, weight: 1 }] };
  const lo = cellsAt(withDirtRate(input, Math.exp(RATE_SPREAD_NODES[0] * s)));
  const hi = cellsAt(withDirtRate(input, Math.exp(RATE_SPREAD_NODES[2] * s)));
  const parts = [
    { ...mid, weight: RATE_SPREAD_COUNTS[1] },
    { ...lo, weight: RATE_SPREAD_COUNTS[0] },
    { ...hi, weight: RATE_SPREAD_COUNTS[2] },
  ];
  return { point: mid.point, cells: mergeRateCells([lo.cells, mid.cells, hi.cells]), parts };
}

/** One deterministic prediction as cells of one node: converged at its time, or not at its cost. */
function oneCell(p: Prediction): Cells {
  return p.converged ? { probability: 1, times: [p.totalTimeSec], counts: [1], giveUps: 0, giveUpSec: Infinity } : { probability: 0, times: [], counts: [], giveUps: 1, giveUpSec: p.totalTimeSec };
}

/**
 * The outlook of a technique the model predicts deterministically (post-copy, XBZRLE, multifd, dirty-limit): its
 * prediction at the sampled rate and at the rate spread's two other rates (`predictAt`, e.g. techniques.ts
 * `predict`), weights 1/6, 2/3, 1/6; P(converged) the weighted share that converges, taking in the converging
 * outcomes the model's error (`qd`; none: undefined) carries past the time-out's cost; the percentiles (`levels`)
 * of the weighted mix times the error. The point is the sampled rate's prediction, `points` each rate's (the
 * sampled one first). Pure.
 */
export function deterministicOutlook<P extends Prediction>(predictAt: (input: PredictInput) => P, input: PredictInput, qd: ErrorQuadrature | undefined, levels: readonly number[]): { point: P; points: P[]; probability: number; quantiles: number[] } {
  const { point, cells, parts } = overRateSpread(input, (i) => {
    const p = predictAt(i);
    return { point: p, cells: oneCell(p) };
  });
  const mix = mixCells(cells.times, cells.counts, cells.giveUps, cells.giveUpSec, qd ? qd.factors : [1], levels);
  return { point, points: parts.map((q) => q.point), probability: cells.probability * mix.stillConverged, quantiles: mix.quantiles };
}
