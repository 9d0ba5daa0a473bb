/**
 * The runs of policy sweeps in the store (table sweep_runs, migration 0006): one row per run, keyed by the hash
 * of its inputs. A run already stored is never written again (insert ... on conflict do nothing), so a sweep
 * resumed after a crash, or two processes finishing the same run, leave one row.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { openDatabase } from './open.js';
import { defaultDbLocation } from './location.js';
import { withRetry } from './retry.js';

/** A stored run: its key, inputs and result as the sweep wrote them. */
export interface StoredSweepRun<I = unknown, R = unknown> {
  key: string;
  inputs: I;
  result: R;
  wallSec: number;
  finishedAt: string;
}

/** The columns a run is filed under besides its JSON (so a person can query them). */
export interface SweepRunColumns {
  day: string;
  detector: string;
  detectorParam: number;
  policy: string;
  seed: number;
  memorySource: string;
}

export class SweepRunStore {
  private constructor(
    private readonly db: Kysely<Database>,
    readonly location: string,
    readonly backend: 'sqlite' | 'postgres',
  ) {}

  /** Opens (creating, migrating) the store at a file path or postgres:// URL. */
  static async open(location: string = defaultDbLocation()): Promise<SweepRunStore> {
    const { db, shown, backend } = await openDatabase(location);
    return new SweepRunStore(db, shown, backend);
  }

  /** The stored runs among these keys, by key. */
  async get<I, R>(keys: readonly string[]): Promise<Map<string, StoredSweepRun<I, R>>> {
    const out = new Map<string, StoredSweepRun<I, R>>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db.selectFrom('sweep_runs').selectAll().where('key', 'in', keys.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.key, { key: r.key, inputs: JSON.parse(r.inputs_json) as I, result: JSON.parse(r.result_json) as R, wallSec: r.wall_sec, finishedAt: r.finished_at });
    }
    return out;
  }

  /** Which of these keys are stored. */
  async has(keys: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      for (const r of await this.db.selectFrom('sweep_runs').select('key').where('key', 'in', keys.slice(i, i + 500)).execute()) out.add(r.key);
    }
    return out;
  }

  /** Stores a run unless its key is there; answers whether this call stored it. */
  async put(key: string, cols: SweepRunColumns, inputs: unknown, result: unknown, wallSec: number): Promise<boolean> {
    const r = await withRetry(() =>
      this.db
        .insertInto('sweep_runs')
        .values({
          key,
          day: cols.day,
          detector: cols.detector,
          detector_param: cols.detectorParam,
          policy: cols.policy,
          seed: cols.seed,
          memory_source: cols.memorySource,
          inputs_json: JSON.stringify(inputs),
          result_json: JSON.stringify(result),
          wall_sec: wallSec,
          finished_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst(),
    );
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('sweep_runs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
