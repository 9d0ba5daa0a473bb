/**
 * One run of a sweep: its cluster (kept while the next runs share it) and the simulation, priced with migcost's
 * workload classes as `simulate --compare` always was. Worker threads and the sequential path both call this, so
 * a sweep's results are the sequential ones.
 */
import { simulateCluster } from '../sim/engine.js';
import { parsePolicy } from '../sim/compare.js';
import { workloadClassPricer } from '../sim/pricer.js';
import type { SimulationResult } from '../sim/types.js';
import { loadCluster, type SimCluster } from './cluster.js';
import { canonicalJson, type SweepRun } from './grid.js';

/** A run's result as stored: the simulation's figures (JSON-safe: what a stored run reads back) and its wall time. */
export interface SweepOutcome {
  result: SimulationResult;
  wallSec: number;
}

const clusters = new Map<string, SimCluster>();
const CLUSTERS_KEPT = 2;

/** The cluster of a run: only the source, day, memory and (when they draw) the seed make it. */
function clusterOf(run: SweepRun): SimCluster {
  const src = run.source;
  const seedMatters = run.memorySource === 'bitbrains' || (src.kind === 'planetlab' && src.scale > 1);
  const key = canonicalJson({ src, day: run.day, mem: run.memorySource, bitbrains: run.bitbrains, seed: seedMatters ? run.seed : 0, stamp: run.stamp });
  let c = clusters.get(key);
  if (c) return c;
  c = loadCluster(
    src.kind === 'planetlab'
      ? { traces: src.traces, fileOrder: src.fileOrder, scale: src.scale, seed: run.seed, memorySource: run.memorySource, bitbrains: run.bitbrains ?? '' }
      : { traces: '', traceDir: src.dir, fileOrder: 'tar', scale: 1, seed: run.seed, memorySource: run.memorySource, bitbrains: run.bitbrains ?? '' },
    run.day,
  );
  if (clusters.size >= CLUSTERS_KEPT) clusters.delete(clusters.keys().next().value as string);
  clusters.set(key, c);
  return c;
}

/** Simulates one run. The result goes through JSON (NaN becomes null) so a fresh run and a stored one read alike. */
export function runOne(run: SweepRun): SweepOutcome {
  const cluster = clusterOf(run);
  const { selection, objective, consolidationOrder } = parsePolicy(run.policy);
  const t0 = performance.now();
  const r = simulateCluster({
    ...cluster,
    detector: run.detector,
    detectorParam: run.detectorParam,
    selection,
    seed: run.seed,
    migrationModel: run.migrationModel,
    ...(objective ? { costObjective: objective } : {}),
    ...(consolidationOrder ? { consolidationOrder } : {}),
    pricer: workloadClassPricer(),
  });
  return { result: JSON.parse(JSON.stringify(r)) as SimulationResult, wallSec: (performance.now() - t0) / 1000 };
}
