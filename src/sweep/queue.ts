/**
 * A sweep across machines over PostgreSQL, on pg-boss (no scheduler of our own): `sweep --queue URL` enqueues each
 * run not yet stored as a job keyed by its run key (a 'stately' queue: one queued and one running job per key at
 * most), `worker --queue URL` on any number of machines runs jobs on its worker threads and writes each result into
 * the same database's sweep_runs (insert once per key), and `sweep --wait` follows the stored count. A worker that
 * dies leaves its job active until the job's expiry; pg-boss then fails it and retries it on another worker.
 */
import { availableParallelism } from 'node:os';
import PgBoss from 'pg-boss';
import { Piscina } from 'piscina';
import { SweepRunStore } from '../store/sweep-runs.js';
import { PGBOSS_SCHEMA } from '../store/open.js';
import { runKey, type SweepRun } from './grid.js';
import type { SweepOutcome } from './run-one.js';

export const SWEEP_QUEUE = 'migcost-sweep';
const WORKER_FILE = new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export interface QueueTiming {
  /** A job running longer is failed and retried (a dead worker's job too). Default 900 s. */
  jobTimeoutSec?: number;
  /** How often pg-boss looks for expired jobs. Default 10 s. */
  maintenanceSec?: number;
}

function boss(url: string, t: QueueTiming = {}): PgBoss {
  const b = new PgBoss({ connectionString: url, schema: PGBOSS_SCHEMA, max: 4, maintenanceIntervalSeconds: t.maintenanceSec ?? 10, monitorStateIntervalSeconds: 60, schedule: false });
  b.on('error', () => undefined); // a dropped connection: pg-boss reconnects on its next poll
  return b;
}

async function started(url: string, t: QueueTiming): Promise<PgBoss> {
  const b = boss(url, t);
  await b.start();
  if (!(await b.getQueue(SWEEP_QUEUE))) {
    try {
      await b.createQueue(SWEEP_QUEUE, { name: SWEEP_QUEUE, policy: 'stately', retryLimit: 5, retryDelay: 1, expireInSeconds: Math.ceil(t.jobTimeoutSec ?? 900) });
    } catch (e) {
      if (!(await b.getQueue(SWEEP_QUEUE))) throw e; // another process created it meanwhile
    }
  }
  return b;
}

/** Enqueues the runs not yet stored; answers how many were enqueued and how many were stored already. */
export async function enqueueSweep(url: string, runs: readonly SweepRun[], store: SweepRunStore, t: QueueTiming = {}): Promise<{ enqueued: number; stored: number }> {
  const keyed = new Map(runs.map((r) => [runKey(r), r]));
  const have = await store.has([...keyed.keys()]);
  const b = await started(url, t);
  let enqueued = 0;
  try {
    for (const [key, run] of keyed) {
      if (have.has(key)) continue;
      const id = await b.send(SWEEP_QUEUE, { key, run }, { singletonKey: key, retryLimit: 5, retryDelay: 1, expireInSeconds: Math.ceil(t.jobTimeoutSec ?? 900) });
      if (id) enqueued++;
    }
  } finally {
    await b.stop({ graceful: false, wait: true });
  }
  return { enqueued, stored: have.size };
}

export interface QueueWorker {
  /** Runs finished and stored by this worker. */
  readonly done: number;
  stop(): Promise<void>;
}

/** Works the queue with `threads` worker threads until stopped; each result is stored once per key. */
export async function startQueueWorker(url: string, opts: QueueTiming & { threads?: number; onRun?: (key: string, stored: boolean) => void } = {}): Promise<QueueWorker> {
  const threads = opts.threads ?? availableParallelism();
  const store = await SweepRunStore.open(url);
  const pool = new Piscina({ filename: WORKER_FILE, minThreads: threads, maxThreads: threads });
  pool.on('error', () => undefined);
  const b = await started(url, opts);
  let done = 0;
  const handler = async ([job]: PgBoss.Job<{ key: string; run: SweepRun }>[]) => {
    const { key, run } = job.data;
    if ((await store.has([key])).has(key)) return; // an earlier attempt stored it before its worker died
    const o = (await pool.run(run)) as SweepOutcome;
    const stored = await store.put(key, { day: run.day, detector: run.detector, detectorParam: run.detectorParam, policy: run.policy, seed: run.seed, memorySource: run.memorySource }, run, o.result, o.wallSec);
    done++;
    opts.onRun?.(key, stored);
  };
  for (let i = 0; i < threads; i++) await b.work(SWEEP_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, handler);
  return {
    get done() {
      return done;
    },
    async stop() {
      await b.stop({ graceful: true, wait: true });
      await pool.destroy();
      await store.close();
    },
  };
}

/** Polls the store until every run is stored, reporting how many are; answers the stored count. */
export async function waitForSweep(store: SweepRunStore, runs: readonly SweepRun[], onProgress: (done: number, total: number) => void, pollMs = 1000): Promise<number> {
  const keys = [...new Set(runs.map(runKey))];
  for (;;) {
    const n = (await store.has(keys)).size;
    onProgress(n, keys.length);
    if (n >= keys.length) return n;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
