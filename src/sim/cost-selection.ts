/**
 * Cost-aware VM selection for an overloaded host, with migcost's predicted prices (Deng 2013's MOA and an
 * exact minimum-cost set). Pure: the caller says what each candidate costs and whether the host is still
 * overloaded without a set of them.
 * - moa: candidates in ascending cost (ties: input order), taken one by one until the host is no longer
 *   overloaded (or none is left).
 * - optimal: the set of least total cost whose removal ends the overload, over every subset when there are at
 *   most `exactLimit` candidates (ties: fewer VMs, then the earlier subset); moa's set beyond that, or when
 *   no subset ends the overload.
 */
import { rankByCost } from '../model/cost.js';
import { cheapestSubset } from '../plan/search.js';
import type { CostObjective } from './types.js';
import type { MigrationPrice } from './pricer.js';

/** Whether the host stays overloaded once the candidates at these indices are gone. */
export type StillOverloaded = (removed: readonly number[]) => boolean;

/** Indices in ascending cost, stable. */
export function ascendingCostOrder(costs: readonly number[]): number[] {
  return costs.map((_, i) => i).sort((a, b) => costs[a] - costs[b] || a - b);
}

/**
 * MOA: cheapest first until the overload ends.
 * @example selectMoa([5, 1, 3], (r) => r.length < 2) // [1, 2]
 */
export function selectMoa(costs: readonly number[], stillOverloaded: StillOverloaded): number[] {
  const picked: number[] = [];
  for (const i of ascendingCostOrder(costs)) {
    picked.push(i);
    if (!stillOverloaded(picked)) break;
  }
  return picked;
}

/**
 * Cheapest relief first, relief capped at what is still needed: repeatedly takes the VM with the least
 * cost / min(relief, need left) (need left = need - the relief already taken; ties: input order), until the
 * host is no longer overloaded. A VM that relieves more than is needed is priced as if it relieved only
 * what is needed (over-relief earns nothing); once the estimate says enough but the host is still
 * overloaded, or no VM left relieves anything, the cheapest VM left.
 * @example selectNeedCapped([10, 4, 3], [5, 1, 2], 4, (r) => r.length < 2) // [2, 1]: 3 / 2 = 1.5 first, then 4 / 1 = 4 < 10 / min(5, 2) = 5
 */
export function selectNeedCapped(costs: readonly number[], reliefs: readonly number[], need: number, stillOverloaded: StillOverloaded): number[] {
  const picked: number[] = [];
  const taken = new Uint8Array(costs.length);
  let left = need;
  while (picked.length < costs.length) {
    let best = -1;
    let bestRatio = Infinity;
    if (left > 0) {
      for (let i = 0; i < costs.length; i++) {
        if (taken[i] || !(reliefs[i] > 0)) continue;
        const r = costs[i] / Math.min(reliefs[i], left);
        if (r < bestRatio) {
          bestRatio = r;
          best = i;
        }
      }
    }
    if (best < 0) {
      for (let i = 0; i < costs.length; i++) if (!taken[i] && (best < 0 || costs[i] < costs[best])) best = i;
    }
    taken[best] = 1;
    picked.push(best);
    left -= Math.max(0, reliefs[best]);
    if (!stillOverloaded(picked)) break;
  }
  return picked;
}

/** Default size up to which `selectOptimal` searches every subset (2^12 = 4,096 overload tests at most). */
export const OPTIMAL_EXACT_LIMIT = 12;

/**
 * The minimum-total-cost set that ends the overload (exact for n <= exactLimit; moa's set otherwise), by
 * `plan`'s exhaustive search with ties to fewer VMs (`cheapestSubset(..., 'fewer-vms')`).
 * @example selectOptimal([5, 1, 3], (r) => !r.includes(0) && r.length < 2) // [1, 2] (cost 4 < 5)
 */
export function selectOptimal(costs: readonly number[], stillOverloaded: StillOverloaded, exactLimit = OPTIMAL_EXACT_LIMIT): number[] {
  const n = costs.length;
  if (n === 0) return [];
  if (n > exactLimit || n > 30) return selectMoa(costs, stillOverloaded);
  return cheapestSubset(costs, stillOverloaded, 'fewer-vms') ?? selectMoa(costs, stillOverloaded);
}

/**
 * Each candidate's cost under `objective` (see CostObjective): `requestedMips[i]` is what the VM asks of
 * the CPU now, `migratingShareLost` the share of it lost while migrating (CloudSim: 0.1).
 * @example objectiveCosts([{ transferredBytes: 1, downtimeSec: 0.2, totalTimeSec: 10, converged: true, energyJoules: 20 }], [1000], 'sla') // [1000 x (0.1 x 10 + 0.2)] = [1200]
 */
export function objectiveCosts(prices: readonly MigrationPrice[], requestedMips: readonly number[], objective: CostObjective, migratingShareLost = 0.1): number[] {
  switch (objective) {
    case 'traffic':
      return prices.map((p) => p.transferredBytes);
    case 'downtime':
      return prices.map((p) => p.downtimeSec);
    case 'relief':
      return prices.map((p, i) => p.transferredBytes / Math.max(1, requestedMips[i]));
    case 'sla-per-mips':
      return prices.map((p) => migratingShareLost * p.totalTimeSec + p.downtimeSec);
    case 'sla':
    case 'sla-per-relief': // its per-VM cost is sla's; the relief is divided in by selectNeedCapped
      return prices.map((p, i) => requestedMips[i] * (migratingShareLost * p.totalTimeSec + p.downtimeSec));
    case 'cost': {
      const out = new Array<number>(prices.length);
      for (const r of rankByCost(prices, (p) => ({ ...p, rounds: 0, reason: 'fits-downtime-limit', setupSec: 0, precopySec: 0, stopCopySec: 0, stopCopyBytes: 0, resumeSec: 0, maxThrottle: 0 }))) out[r.index] = r.cost;
      return out;
    }
    default:
      throw new RangeError(`objectiveCosts: unknown objective ${String(objective)}`);
  }
}

/**
 * What emptying an under-loaded host costs per watt it saves: the SLA its migrations are predicted to cost
 * (sum over its VMs of requested MIPS x (0.1 x predicted time + downtime), MIPS x s, as `sla`) over the
 * power the host draws now. The cost-ordered consolidation empties hosts in ascending order of it.
 * @example evacuationCostPerWatt([{ totalTimeSec: 20, downtimeSec: 0.3, ... }, { totalTimeSec: 10, downtimeSec: 0.1, ... }], [500, 1000], 100) // (500 x 2.3 + 1000 x 1.1) / 100 = 22.5
 */
export function evacuationCostPerWatt(prices: readonly MigrationPrice[], requestedMips: readonly number[], powerW: number, migratingShareLost = 0.1): number {
  let c = 0;
  for (let i = 0; i < prices.length; i++) c += requestedMips[i] * (migratingShareLost * prices[i].totalTimeSec + prices[i].downtimeSec);
  return c / powerW;
}
