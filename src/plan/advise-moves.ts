/**
 * `plan --advise`: each planned move given the technique `advise` picks for its VM at the move's bandwidth and the
 * plan's downtime limit (the cheapest that meets the constraints, by advise's stated cost), the move's prediction
 * then that technique's. The VM is priced as every move is (pricing.ts: its sample through `inputFromSample`, so
 * what the sampler measured fills the techniques' settings). Pure.
 */
import { advise, type AdviseOptions } from './advise.js';
import { predictionInput } from './pricing.js';
import { techniqueFromSample } from '../model/from-sample.js';
import type { Platform, TechniqueOptions } from '../model/types.js';
import type { TechniquePrediction } from '../model/techniques.js';
import type { Cluster } from './cluster.js';
import type { Move } from './planner.js';

/** A move with its advised technique. */
export interface AdvisedMove extends Move {
  /** The technique and its settings to migrate with (what `execute` passes to the driver). */
  technique: TechniqueOptions;
  /** advise's label for it (e.g. multifd+zstd) and its cost (s, advise's rule). */
  advised: { label: string; cost: number; feasible: boolean };
  predicted: TechniquePrediction;
}

export type MoveAdviseOptions = Omit<AdviseOptions, 'bandwidthsBytesPerSec' | 'downtimeLimitsSec' | 'measured'> & {
  downtimeLimitSec: number;
  platform?: Partial<Platform>;
  /** Only techniques this accepts (e.g. those the driver runs: `execute` cannot run dirty-limit). */
  only?: (t: TechniqueOptions) => boolean;
};

/** The moves, each with the technique advised for it (moves of a VM not in the cluster are left as they are). */
export function adviseMoves(cluster: Cluster, moves: readonly Move[], o: MoveAdviseOptions): (Move | AdvisedMove)[] {
  const byId = new Map(cluster.vms.map((v) => [v.id, v]));
  return moves.map((m) => {
    const vm = byId.get(m.vm);
    if (!vm) return m;
    const input = predictionInput(vm, m.bandwidthBytesPerSec, o.downtimeLimitSec, o.platform);
    const a = advise(input, {
      ...o,
      bandwidthsBytesPerSec: [m.bandwidthBytesPerSec],
      downtimeLimitsSec: [o.downtimeLimitSec],
      measured: vm.sample ? (t) => techniqueFromSample(vm.sample!, t) : undefined,
    });
    // Options come cheapest first, those meeting the constraints first; a platform's switch to post-copy is its own
    // doing, not a technique to set, so such options are skipped.
    const usable = a.options.filter((x) => x.platformAction === undefined && (!o.only || o.only(x.technique)));
    const best = usable[0];
    if (!best) return m;
    return { ...m, technique: best.technique, predicted: best.prediction, advised: { label: best.label, cost: best.cost, feasible: best.feasible } };
  });
}

/** A plan's totals over its moves (as the planner sums them: moves run in parallel). */
export function movesTotal(moves: readonly Move[]): { transferredBytes: number; downtimeSec: number; totalTimeSec: number; energyJoules: number } {
  const total = { transferredBytes: 0, downtimeSec: 0, totalTimeSec: 0, energyJoules: 0 };
  for (const m of moves) {
    total.transferredBytes += m.predicted.transferredBytes;
    total.downtimeSec += m.predicted.downtimeSec;
    total.totalTimeSec = Math.max(total.totalTimeSec, m.predicted.totalTimeSec);
    total.energyJoules += m.predicted.energyJoules;
  }
  return total;
}

/** True for a move `adviseMoves` gave a technique. */
export function isAdvised(m: Move): m is AdvisedMove {
  return 'technique' in m && 'advised' in m;
}
