/**
 * Runs a sweep's grid on every core: worker threads (piscina) each simulating one run at a time. With a store,
 * each result is written as it finishes and runs whose key is already stored are read back instead of run, so a
 * sweep stopped by a crash resumes where it was. Results come back in grid order, whatever order they finished in.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { SweepRunStore } from '../store/sweep-runs.js';
import type { SimulationResult } from '../sim/types.js';
import { runKey, type SweepRun } from './grid.js';
import { runOne, type SweepOutcome } from './run-one.js';

/** The worker file beside this one: worker.ts under tsx (tests, dev), worker.js in the build. */
const WORKER_FILE = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export interface SweepRunResult {
  run: SweepRun;
  key: string;
  result: SimulationResult;
  wallSec: number;
  /** Read from the store (an earlier sweep ran it), not run now. */
  cached: boolean;
}

export interface SweepOptions {
  /** Worker threads; 0 runs every run on this thread, one after another. Default: the cores. */
  workers?: number;
  store?: SweepRunStore;
  /** After each run finished or found stored: how many are done of how many, and how many were run now. */
  onProgress?: (done: number, total: number, computed: number) => void;
}

export const defaultWorkers = (): number => availableParallelism();

/** The runs of the grid (a run listed twice is run once), their results in grid order. */
export async function runSweep(runs: readonly SweepRun[], opts: SweepOptions = {}): Promise<SweepRunResult[]> {
  const keyed = new Map<string, SweepRun>();
  for (const r of runs) keyed.set(runKey(r), r);
  const keys = [...keyed.keys()];
  const done = new Map<string, SweepRunResult>();
  const stored = opts.store ? await opts.store.get<SweepRun, SimulationResult>(keys) : new Map();
  for (const [key, s] of stored) done.set(key, { run: keyed.get(key)!, key, result: s.result, wallSec: s.wallSec, cached: true });
  let computed = 0;
  opts.onProgress?.(done.size, keys.length, computed);
  const finish = async (key: string, o: SweepOutcome) => {
    const run = keyed.get(key)!;
    await opts.store?.put(key, { day: run.day, detector: run.detector, detectorParam: run.detectorParam, policy: run.policy, seed: run.seed, memorySource: run.memorySource }, run, o.result, o.wallSec);
    done.set(key, { run, key, result: o.result, wallSec: o.wallSec, cached: false });
    opts.onProgress?.(done.size, keys.length, ++computed);
  };
  const todo = keys.filter((k) => !done.has(k));
  const workers = Math.min(opts.workers ?? defaultWorkers(), todo.length);
  if (workers <= 0) {
    for (const k of todo) await finish(k, runOne(keyed.get(k)!));
  } else {
    const pool = new Piscina({ filename: WORKER_FILE, minThreads: workers, maxThreads: workers, idleTimeout: 1000 });
    // a run that fails rejects its own promise; answers of runs still going when the pool closes are dropped
    pool.on('error', () => undefined);
    try {
      await Promise.all(todo.map(async (k) => finish(k, (await pool.run(keyed.get(k)!)) as SweepOutcome)));
    } finally {
      await pool.destroy();
    }
  }
  return keys.map((k) => done.get(k)!);
}
