/**
 * The worker-thread pool (piscina) that runs the CPU-heavy requests (plan, simulate, batch predictions) off the
 * event loop, so health checks and light routes answer while they run. The queue is bounded (a full one answers
 * 503 with Retry-After) and each task has a time budget (past it the worker is stopped and the answer is 503
 * with Retry-After too: the server was too busy or the request too big for the budget).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { HttpError } from './errors.js';
import type { HeavyResult, HeavyTask } from './workers/tasks.js';

/** Limits of the pool, all optional (AppOptions.heavy). */
export interface HeavyPoolConfig {
  /** Worker threads. Default: the cores less one, at least 1, at most 4. */
  threads?: number;
  /** Tasks waiting for a thread beyond those running; one more answers 503. Default 8. */
  maxQueue?: number;
  /** Most milliseconds one task may take, waiting included. Default 30,000. */
  budgetMs?: number;
}

/** A task's answer: its value, or the error body to send with its status. */
export type HeavyAnswer = HeavyResult;

/** The worker file beside this one: tasks.ts under tsx (tests, dev), tasks.js in the build (dist/). */
const WORKER_FILE = new URL(`./workers/tasks${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;

export const HEAVY_DEFAULTS = { maxQueue: 8, budgetMs: 30_000 } as const;

export class HeavyPool {
  private pool: Piscina | undefined;
  readonly threads: number;
  readonly maxQueue: number;
  readonly budgetMs: number;

  constructor(cfg: HeavyPoolConfig = {}) {
    this.threads = cfg.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
    this.maxQueue = cfg.maxQueue ?? HEAVY_DEFAULTS.maxQueue;
    this.budgetMs = cfg.budgetMs ?? HEAVY_DEFAULTS.budgetMs;
  }

  /** Seconds a client should wait before trying again. */
  get retryAfterSec(): number {
    return Math.max(1, Math.ceil(this.budgetMs / 1000 / 2));
  }

  /** Runs one task in a worker thread; throws HttpError 503 when the queue is full or the budget runs out. */
  async run(task: HeavyTask): Promise<HeavyAnswer> {
    // started on first use: an app that never plans or simulates starts no threads
    this.pool ??= new Piscina({ filename: WORKER_FILE, minThreads: 0, maxThreads: this.threads, maxQueue: this.maxQueue, idleTimeout: 30_000 });
    const pool = this.pool;
    if (pool.queueSize >= this.maxQueue) throw this.busy();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.budgetMs);
    try {
      return (await pool.run(task, { signal: ac.signal })) as HeavyAnswer;
    } catch (e) {
      if (ac.signal.aborted) {
        throw new HttpError(503, `request: ran past this server's time budget of ${this.budgetMs / 1000} s (queued and running); try again later or ask for less (fewer hosts, VMs or rows)`, 'request', { cause: e, retryAfterSec: this.retryAfterSec });
      }
      if ((e as Error).message === 'Task queue is at limit') throw this.busy(e);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private busy(cause?: unknown): HttpError {
    return new HttpError(503, `request: the server is busy (${this.threads} running, ${this.maxQueue} waiting); try again in ${this.retryAfterSec} s`, 'request', { cause, retryAfterSec: this.retryAfterSec });
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    await p?.destroy();
  }
}
