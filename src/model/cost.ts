/**
 * Liu 2011 §5: the weighted, normalised cost of migrating each candidate VM,
 *   C = a * T_down / max T_down + b * T_mig / max T_mig + c * V_mig / max V_mig + d * E_mig / max E_mig,
 * with a + b + c + d = 1. The smallest C is the cheapest VM to move.
 */
import type { Prediction } from './types.js';

export interface CostWeights {
  downtime: number;
  time: number;
  traffic: number;
  energy: number;
}

/** Equal weights; Liu leaves the choice to the operator. */
export const EQUAL_WEIGHTS: Readonly<CostWeights> = Object.freeze({ downtime: 0.25, time: 0.25, traffic: 0.25, energy: 0.25 });

export interface RankedCandidate<T> {
  candidate: T;
  cost: number;
  /** Position in the input. */
  index: number;
}

/** Checks that weights are non-negative and sum to 1 (within 1e-9). */
export function checkWeights(w: CostWeights): void {
  const values = [w.downtime, w.time, w.traffic, w.energy];
  if (!values.every((x) => Number.isFinite(x) && x >= 0)) throw new RangeError('cost weights: each must be a finite number >= 0');
  const sum = values[0] + values[1] + values[2] + values[3];
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`cost weights: must sum to 1 (got ${sum})`);
}

/**
 * Ranks candidates by Liu's C, cheapest first (ties keep input order).
 * A metric whose maximum is 0 contributes 0 for every candidate.
 * @example rankByCost([{p: a}, {p: b}], (x) => x.p) // [{candidate, cost, index}, ...]
 */
export function rankByCost<T>(candidates: readonly T[], predictionOf: (c: T) => Prediction, weights: CostWeights = EQUAL_WEIGHTS): RankedCandidate<T>[] {
  checkWeights(weights);
  const preds = candidates.map(predictionOf);
  let maxDown = 0;
  let maxTime = 0;
  let maxBytes = 0;
  let maxEnergy = 0;
  for (const p of preds) {
    if (p.downtimeSec > maxDown) maxDown = p.downtimeSec;
    if (p.totalTimeSec > maxTime) maxTime = p.totalTimeSec;
    if (p.transferredBytes > maxBytes) maxBytes = p.transferredBytes;
    if (p.energyJoules > maxEnergy) maxEnergy = p.energyJoules;
  }
  const norm = (x: number, max: number) => (max > 0 ? x / max : 0);
  const ranked = preds.map((p, index) => ({
    candidate: candidates[index],
    index,
    cost:
      weights.downtime * norm(p.downtimeSec, maxDown) +
      weights.time * norm(p.totalTimeSec, maxTime) +
      weights.traffic * norm(p.transferredBytes, maxBytes) +
      weights.energy * norm(p.energyJoules, maxEnergy),
  }));
  ranked.sort((x, y) => x.cost - y.cost || x.index - y.index);
  return ranked;
}
