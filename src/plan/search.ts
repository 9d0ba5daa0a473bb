/**
 * The searches for the cheapest set of VMs whose removal ends a host's overload, shared by `plan` and the
 * simulator's `optimal` selection. Pure: the caller says what each VM costs and whether the host is still
 * overloaded without a set of them.
 * - `cheapestSubset`: every subset in mask order (exponential: small hosts only); the two callers break ties
 *   differently, so the rule is a parameter.
 * - `optimalSubset`: `plan`'s exhaustive search over its VMs (`cheapestSubset`, ties to the first found).
 * - `boundedSubset`: `plan`'s O(n^2) search for hosts too big to search exhaustively.
 */
import type { Host, Vm } from './cluster.js';

/**
 * How `cheapestSubset` breaks a tie in total cost: `first` keeps the subset found first (in mask order) and
 * tests only subsets strictly cheaper than the best so far (`plan`); `fewer-vms` prefers a subset of fewer
 * VMs at equal cost, then the first, and tests every subset not dearer (the simulator's `optimal`).
 */
export type SubsetTieBreak = 'first' | 'fewer-vms';

/**
 * The subset (indices, ascending) of least total cost for which `stillOverloaded` is false, over all
 * 2^n - 1 non-empty subsets in mask order (bit i = candidate i), the costs summed in index order. Subsets
 * that cannot beat the best so far are skipped untested. `undefined` when no subset ends the overload.
 * Needs n <= 30.
 * @example cheapestSubset([5, 1, 3], (r) => !r.includes(0) && r.length < 2) // [1, 2] (cost 4 < 5)
 */
export function cheapestSubset(costs: readonly number[], stillOverloaded: (removed: readonly number[]) => boolean, ties: SubsetTieBreak = 'first'): number[] | undefined {
  const n = costs.length;
  if (n > 30) throw new RangeError(`cheapestSubset: at most 30 candidates (got ${n})`);
  let best: number[] | undefined;
  let bestCost = Infinity;
  const full = 2 ** n;
  for (let mask = 1; mask < full; mask++) {
    let c = 0;
    const set: number[] = [];
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        c += costs[i];
        set.push(i);
      }
    }
    if (ties === 'first') {
      if (!(c < bestCost)) continue;
    } else if (c > bestCost || (c === bestCost && best !== undefined && set.length >= best.length)) continue;
    if (stillOverloaded(set)) continue;
    best = set;
    bestCost = c;
  }
  return best;
}

/**
 * The subset of least total cost whose removal cools the host (exhaustive; small hosts only; ties to the
 * first in mask order), in ascending cost.
 */
export function optimalSubset(vms: Vm[], cost: (v: Vm) => number, stillHot: (chosen: Vm[]) => boolean): Vm[] | undefined {
  const costs = vms.map(cost);
  const best = cheapestSubset(costs, (set) => stillHot(set.map((i) => vms[i])), 'first');
  return best?.map((i) => vms[i]).sort((a, b) => cost(a) - cost(b));
}

/**
 * The bounded search for hosts too big to search exhaustively: greedy by cost per unit of relief (the share
 * of the host's CPU and memory overload a VM removes), then drop, dearest first, every pick the host can do
 * without, then try swapping each pick for a cheaper unpicked VM that keeps the host cool; the same from
 * moa's order (so never dearer than moa), and the cheaper of the two. O(n^2) at worst.
 */
export function boundedSubset(vms: Vm[], load: { cpu: number; mem: number }, host: Host, cost: (v: Vm) => number, stillHot: (chosen: Vm[]) => boolean): Vm[] | undefined {
  const overCpu = Math.max(1e-9, load.cpu - host.cpu);
  const overMem = Math.max(1e-9, load.mem - host.memoryBytes);
  const relief = (v: Vm) => Math.min(1, v.cpu / overCpu) + Math.min(1, v.memoryBytes / overMem);
  const total = (set: Vm[]) => set.reduce((a, v) => a + cost(v), 0);
  const byCost = [...vms].sort((a, b) => cost(a) - cost(b) || a.id.localeCompare(b.id));
  const byRatio = [...vms].sort((a, b) => cost(a) / Math.max(1e-12, relief(a)) - cost(b) / Math.max(1e-12, relief(b)) || a.id.localeCompare(b.id));
  let best: Vm[] | undefined;
  for (const order of [byRatio, byCost]) {
    let chosen: Vm[] = [];
    for (const v of order) {
      if (!stillHot(chosen)) break;
      chosen.push(v);
    }
    if (stillHot(chosen)) continue;
    for (const v of [...chosen].sort((a, b) => cost(b) - cost(a))) {
      const without = chosen.filter((x) => x !== v);
      if (!stillHot(without)) chosen = without;
    }
    for (let i = 0; i < chosen.length; i++) {
      for (const r of byCost) {
        if (cost(r) >= cost(chosen[i])) break;
        if (chosen.includes(r)) continue;
        const swapped = chosen.map((x, j) => (j === i ? r : x));
        if (!stillHot(swapped)) {
          chosen = swapped;
          break;
        }
      }
    }
    if (!best || total(chosen) < total(best)) best = chosen;
  }
  return best?.sort((a, b) => cost(a) - cost(b));
}
