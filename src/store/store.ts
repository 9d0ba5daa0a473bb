/**
 * The history store: one interface, SQLite (default, a file) or PostgreSQL (a URL) behind it through
 * kysely. A migration and its per-round trace are written in one transaction, so a reader never sees a
 * migration without its rounds and a killed writer leaves none half-written. Any number of processes may write
 * one store at once: every write transaction takes the write lock first and runs again while another writer holds
 * it (retry.ts), and "create if missing" is an upsert; opening checks ownership and migrates under a lock (open.ts).
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, MigrationRoundsTable } from './schema.js';
import { openDatabase } from './open.js';
import { isRetryable, withRetry } from './retry.js';
import type { MigrationRecord } from '../record/record.js';
import { insertLoggedSqlite, insertVmsSqlite, loggedFromRow, withImportCache, loggedRowValues, type SqliteConnection } from './logged-rows.js';
import { pseudoFields, pseudoJson, storedSampleFromRow } from './sample-rows.js';
import type { LoggedMigration } from '../record/logged.js';
import type { VmSample } from '../model/sample.js';
import type { PowerSample } from '../calibrate/fits.js';

export { SampleIdTaken, StoreError } from './store-error.js';
import { SampleIdTaken } from './store-error.js';

export interface FittedModelRow {
  kind: string;
  version: number;
  params: unknown;
  r2: number | null;
  createdAt: string;
}

/** A dirty-rate sample as stored: its id (the poster's idempotency key), the VM and where it came from. */
export interface StoredSample extends VmSample {
  id: string;
  vmId: string;
  source: string;
}

/** Where a page of migrations (oldest first) or of samples (newest first) goes on: past this one. */
export interface PageMark {
  /** The migration's startedAt, or the sample's sampledAt. */
  at: string;
  id: string;
}

/**
 * Which migrations `listMigrations` reads. Every option is applied in the query (an index walk), and the rounds
 * are read for the migrations returned only.
 */
export interface MigrationQuery {
  /** One VM's. */
  vmId?: string;
  /** At most this many, from the oldest (or from `after`). */
  limit?: number;
  /** Those after this one (oldest first, by startedAt then id): the next page. */
  after?: PageMark;
  /** Only the newest n (returned oldest first); `limit` and `after` are then ignored. */
  last?: number;
}

export interface Store {
  /** Where it is: a file path or a URL without its password. */
  readonly location: string;
  readonly backend: 'sqlite' | 'postgres';
  recordMigration(r: MigrationRecord): Promise<void>;
  /** Recorded migrations, oldest first (by startedAt, then id), with their rounds. */
  listMigrations(opts?: MigrationQuery): Promise<MigrationRecord[]>;
  /** VMs by id with their number of migrations; `limit` and `after` (an id) read one page. */
  listVms(opts?: { limit?: number; after?: string }): Promise<{ id: string; migrations: number }[]>;
  /** Whether the store knows this VM (sampled or migrated). */
  hasVm(id: string): Promise<boolean>;
  countMigrations(): Promise<number>;
  /**
   * Stores migrations without a sample (an operator's log, source `import`) in one transaction, creating the VMs
   * they name. An id already stored (by any source) is left as it is: importing a file twice stores nothing twice.
   * Answers how many were stored.
   */
  importMigrations(rows: readonly LoggedMigration[]): Promise<number>;
  /**
   * One transaction around `fn`, which stores rows through `insert` as it reads them (as importMigrations does, in
   * batches the caller keeps small, so memory stays flat): committed when `fn` resolves, rolled back, storing
   * nothing, when it throws. `history import`'s all-or-nothing in one read.
   */
  importMigrationsIn<T>(fn: (insert: (rows: readonly LoggedMigration[]) => Promise<number>) => Promise<T>): Promise<T>;
  /**
   * Every completed stored migration (lab, execute and imported) reduced to a log row, by id (a cancelled or failed
   * one has no totals a log could hold); `after` (an id) and `limit` read one page, so a caller can stream them all.
   */
  listLogged(opts?: { limit?: number; after?: string }): Promise<LoggedMigration[]>;
  /**
   * Keeps a dirty-rate sample of a VM (creating the VM if new). `id` is the caller's idempotency key: a
   * second call with the same id (and VM) changes nothing and answers `created: false`; the same id under another
   * VM throws SampleIdTaken and writes nothing (not even the new VM).
   */
  recordSample(vmId: string, sample: VmSample, opts: { id: string; source: string }): Promise<{ created: boolean }>;
  /** A VM's samples, newest first (by sampledAt, then id); `before` starts past that one (the next page). */
  listSamples(opts: { vmId: string; limit?: number; before?: PageMark }): Promise<StoredSample[]>;
  /**
   * Each of these VMs' newest sample by sample time, whatever stored it (an agent's or API post, `sample`, the
   * sample before a lab or `execute` migration); VMs with none are left out.
   */
  latestSamples(vmIds: readonly string[]): Promise<Map<string, StoredSample>>;
  addPowerSamples(host: string, samples: readonly PowerSample[]): Promise<number>;
  powerSamples(host: string, fromSec: number, toSec: number): Promise<PowerSample[]>;
  saveModel(kind: string, params: unknown, r2: number | null): Promise<FittedModelRow>;
  latestModel(kind: string): Promise<FittedModelRow | undefined>;
  listModels(): Promise<FittedModelRow[]>;
  close(): Promise<void>;
}

export { defaultDbLocation } from './location.js';
import { defaultDbLocation } from './location.js';

/**
 * Opens (creating if needed) the store and brings its schema up to date. A database that is not migcost's is
 * refused with a StoreError and left unchanged.
 */
export async function openStore(location: string = defaultDbLocation()): Promise<Store> {
  const { db, shown, backend, sqlite } = await openDatabase(location);
  return new KyselyStore(db, shown, backend, sqlite);
}

class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    readonly location: string,
    readonly backend: 'sqlite' | 'postgres',
    private readonly sqlite?: SqliteConnection,
  ) {}

  /** One write transaction, run again (bounded) while another writer holds the database. */
  private write<T>(fn: (tx: Transaction<Database>) => Promise<T>, retryable?: (e: unknown) => boolean): Promise<T> {
    return withRetry(() => this.db.transaction().execute(fn), retryable);
  }

  async recordMigration(r: MigrationRecord): Promise<void> {
    // A VM moved by `migcost execute` keeps its own id; a lab guest is named by its workload and size.
    const vmId = typeof r.config.params.vm === 'string' && r.config.params.vm ? r.config.params.vm : `lab-${r.config.workload}-${Math.round(r.config.memoryBytes / 2 ** 20)}M`;
    const sampleId = `${r.id}-sample`;
    await this.write(async (tx) => {
      await tx.insertInto('vms').values({ id: vmId, name: vmId, memory_bytes: r.config.memoryBytes, created_at: r.startedAt }).onConflict((oc) => oc.column('id').doNothing()).execute();
      await tx
        .insertInto('samples')
        .values({
          id: sampleId,
          vm_id: vmId,
          taken_at: r.sample.sampledAt,
          memory_bytes: r.sample.memoryBytes,
          dirty_rate_bytes_per_sec: r.sample.dirtyRateBytesPerSec,
          zero_page_fraction: r.sample.zeroPageFraction ?? null,
          cpu_utilisation: r.sample.cpuUtilisation ?? null,
          curve_json: JSON.stringify(r.sample.curve),
          pseudo_json: pseudoJson(r.sample),
          source: 'calc-dirty-rate',
        })
        .execute();
      await tx
        .insertInto('migrations')
        .values({
          id: r.id,
          vm_id: vmId,
          sample_id: sampleId,
          started_at: r.startedAt,
          migration_started_at: r.migrationStartedAt ?? null,
          host_json: r.host ? JSON.stringify(r.host) : null,
          config_json: JSON.stringify(r.config),
          status: r.measured.status,
          total_time_sec: r.measured.totalTimeSec,
          downtime_sec: r.measured.downtimeSec,
          transferred_bytes: r.measured.transferredBytes,
          rounds: r.measured.rounds,
          trace_rows: r.trace.length,
          measured_json: JSON.stringify(r.measured),
          predicted_json: JSON.stringify(r.predicted),
          qemu_version: r.qemuVersion,
          accelerator: r.accelerator,
          source: typeof r.config.params.vm === 'string' && r.config.params.vm ? 'execute' : 'lab',
          dirty_rate_bytes_per_sec: null,
        })
        .execute();
      if (r.trace.length > 0) {
        await tx
          .insertInto('migration_rounds')
          .values(
            r.trace.map((t, i) => ({
              migration_id: r.id,
              round: i,
              kind: t.kind,
              sent_bytes: t.sentBytes,
              duration_sec: t.durationSec,
              rate_bytes_per_sec: t.rateBytesPerSec,
              dirtied_bytes: t.dirtiedBytes,
              skipped_bytes: t.skippedBytes,
              remaining_bytes: t.remainingBytes,
              throttle: t.throttle,
            })),
          )
          .execute();
      }
    });
  }

  async listMigrations(opts: MigrationQuery = {}): Promise<MigrationRecord[]> {
    const newestFirst = opts.last !== undefined;
    let q = this.db
      .selectFrom('migrations')
      .innerJoin('samples', 'samples.id', 'migrations.sample_id')
      .select([
        'migrations.id', 'migrations.started_at', 'migrations.migration_started_at', 'migrations.config_json', 'migrations.measured_json', 'migrations.predicted_json',
        'migrations.qemu_version', 'migrations.accelerator', 'migrations.host_json', 'samples.taken_at', 'samples.memory_bytes', 'samples.dirty_rate_bytes_per_sec',
        'samples.zero_page_fraction', 'samples.cpu_utilisation', 'samples.curve_json', 'samples.pseudo_json',
      ])
      .orderBy('migrations.started_at', newestFirst ? 'desc' : 'asc')
      .orderBy('migrations.id', newestFirst ? 'desc' : 'asc');
    if (opts.vmId !== undefined) q = q.where('migrations.vm_id', '=', opts.vmId);
    if (newestFirst) q = q.limit(opts.last as number);
    else {
      const after = opts.after;
      if (after !== undefined) q = q.where((eb) => eb(eb.refTuple('migrations.started_at', 'migrations.id'), '>', eb.tuple(after.at, after.id)));
      if (opts.limit !== undefined) q = q.limit(opts.limit);
    }
    const rows = await q.execute();
    if (newestFirst) rows.reverse();
    const byMigration = new Map<string, RoundRow[]>();
    for (let i = 0; i < rows.length; i += 500) {
      const ids = rows.slice(i, i + 500).map((m) => m.id);
      const rounds = await this.db.selectFrom('migration_rounds').selectAll().where('migration_id', 'in', ids).orderBy('migration_id').orderBy('round').execute();
      for (const r of rounds) {
        const list = byMigration.get(r.migration_id);
        if (list) list.push(r);
        else byMigration.set(r.migration_id, [r]);
      }
    }
    return rows.map((m) => ({
      id: m.id,
      startedAt: m.started_at,
      config: JSON.parse(m.config_json),
      accelerator: m.accelerator,
      qemuVersion: m.qemu_version,
      sample: {
        memoryBytes: Number(m.memory_bytes),
        pageSizeBytes: 4096,
        dirtyRateBytesPerSec: Number(m.dirty_rate_bytes_per_sec),
        curve: JSON.parse(m.curve_json),
        zeroPageFraction: m.zero_page_fraction ?? undefined,
        cpuUtilisation: m.cpu_utilisation ?? undefined,
        sampledAt: m.taken_at,
        ...pseudoFields(m.pseudo_json),
      },
      predicted: JSON.parse(m.predicted_json),
      measured: JSON.parse(m.measured_json),
      ...(m.migration_started_at ? { migrationStartedAt: m.migration_started_at } : {}),
      ...(m.host_json ? { host: JSON.parse(m.host_json) } : {}),
      trace: (byMigration.get(m.id) ?? []).map((t) => ({
        round: t.round,
        kind: t.kind as 'pre-copy' | 'stop-copy',
        sentBytes: Number(t.sent_bytes),
        durationSec: Number(t.duration_sec),
        rateBytesPerSec: Number(t.rate_bytes_per_sec),
        dirtiedBytes: Number(t.dirtied_bytes),
        skippedBytes: Number(t.skipped_bytes),
        remainingBytes: Number(t.remaining_bytes),
        throttle: Number(t.throttle),
      })),
    }));
  }

  async listVms(opts: { limit?: number; after?: string } = {}): Promise<{ id: string; migrations: number }[]> {
    let q = this.db.selectFrom('vms').select('id').orderBy('id');
    if (opts.after !== undefined) q = q.where('id', '>', opts.after);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    const ids = (await q.execute()).map((r) => r.id);
    const counts = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const rows = await this.db.selectFrom('migrations').select(['vm_id', (e) => e.fn.countAll<number>().as('n')]).where('vm_id', 'in', part).groupBy('vm_id').execute();
      for (const r of rows) if (r.vm_id !== null) counts.set(r.vm_id, Number(r.n));
    }
    return ids.map((id) => ({ id, migrations: counts.get(id) ?? 0 }));
  }

  async hasVm(id: string): Promise<boolean> {
    return (await this.db.selectFrom('vms').select('id').where('id', '=', id).limit(1).executeTakeFirst()) !== undefined;
  }

  async countMigrations(): Promise<number> {
    const r = await this.db.selectFrom('migrations').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async importMigrations(rows: readonly LoggedMigration[]): Promise<number> {
    if (rows.length === 0) return 0;
    const at = new Date().toISOString();
    return this.write(async (tx) => this.insertLogged(tx, rows, at, new Set()));
  }

  async importMigrationsIn<T>(fn: (insert: (rows: readonly LoggedMigration[]) => Promise<number>) => Promise<T>): Promise<T> {
    const at = new Date().toISOString();
    const vmsSeen = new Set<string>();
    // Not retried as `write` is: the rows are a stream, read once.
    const run = () => this.db.transaction().execute((tx) => fn((rows) => this.insertLogged(tx, rows, at, vmsSeen)));
    return this.sqlite ? withImportCache(this.sqlite, run) : run();
  }

  /** Log rows into the migrations table inside `tx`, creating the VMs they name (those not in `vmsSeen` yet). */
  private async insertLogged(tx: Transaction<Database>, rows: readonly LoggedMigration[], at: string, vmsSeen: Set<string>): Promise<number> {
    if (rows.length === 0) return 0;
    const vms = new Map<string, number>();
    for (const r of rows) if (r.vmId !== undefined && !vmsSeen.has(r.vmId) && !vms.has(r.vmId)) vms.set(r.vmId, r.memoryBytes);
    for (const id of vms.keys()) vmsSeen.add(id);
    // SQLite: one prepared statement run per row on the transaction's own connection, 3x faster than kysely's
    // multi-row inserts (measured); PostgreSQL: 500 rows a statement (19 values each, under its 65,535).
    if (this.sqlite) {
      insertVmsSqlite(this.sqlite, vms, at);
      return insertLoggedSqlite(this.sqlite, rows, at);
    }
    const vmRows = [...vms].map(([id, memory]) => ({ id, name: id, memory_bytes: memory, created_at: at }));
    for (let i = 0; i < vmRows.length; i += 1000) {
      await tx.insertInto('vms').values(vmRows.slice(i, i + 1000)).onConflict((oc) => oc.column('id').doNothing()).execute();
    }
    const values = rows.map((m) => loggedRowValues(m, at));
    let stored = 0;
    for (let i = 0; i < values.length; i += 500) {
      const r = await tx.insertInto('migrations').values(values.slice(i, i + 500)).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      stored += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    return stored;
  }

  async listLogged(opts: { limit?: number; after?: string } = {}): Promise<LoggedMigration[]> {
    let q = this.db
      .selectFrom('migrations')
      .leftJoin('samples', 'samples.id', 'migrations.sample_id')
      .select(['migrations.id', 'migrations.vm_id', 'migrations.source', 'migrations.config_json', 'migrations.measured_json', 'migrations.dirty_rate_bytes_per_sec', 'samples.dirty_rate_bytes_per_sec as sample_rate', 'samples.curve_json as sample_curve'])
      .where('migrations.status', '=', 'completed')
      .orderBy('migrations.id');
    if (opts.after !== undefined) q = q.where('migrations.id', '>', opts.after);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return (await q.execute()).map(loggedFromRow);
  }

  async recordSample(vmId: string, sample: VmSample, opts: { id: string; source: string }): Promise<{ created: boolean }> {
    return this.write(async (tx) => {
      const holder = async () => (await tx.selectFrom('samples').select('vm_id').where('id', '=', opts.id).executeTakeFirst())?.vm_id;
      const held = await holder();
      if (held !== undefined && held !== vmId) throw new SampleIdTaken(opts.id, held);
      if (held !== undefined) return { created: false };
      await tx.insertInto('vms').values({ id: vmId, name: vmId, memory_bytes: sample.memoryBytes, created_at: sample.sampledAt }).onConflict((oc) => oc.column('id').doNothing()).execute();
      const r = await tx
        .insertInto('samples')
        .values({
          id: opts.id,
          vm_id: vmId,
          taken_at: sample.sampledAt,
          memory_bytes: sample.memoryBytes,
          dirty_rate_bytes_per_sec: sample.dirtyRateBytesPerSec,
          zero_page_fraction: sample.zeroPageFraction ?? null,
          cpu_utilisation: sample.cpuUtilisation ?? null,
          curve_json: JSON.stringify(sample.curve),
          pseudo_json: pseudoJson(sample),
          source: opts.source,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      const created = Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      // A concurrent writer stored the id first (PostgreSQL): under another VM, throwing rolls the new VM back.
      const now = created ? vmId : await holder();
      if (now !== undefined && now !== vmId) throw new SampleIdTaken(opts.id, now);
      return { created };
    });
  }

  async listSamples(opts: { vmId: string; limit?: number; before?: PageMark }): Promise<StoredSample[]> {
    let q = this.db.selectFrom('samples').selectAll().where('vm_id', '=', opts.vmId).orderBy('taken_at', 'desc').orderBy('id', 'desc');
    const before = opts.before;
    if (before !== undefined) q = q.where((eb) => eb(eb.refTuple('taken_at', 'id'), '<', eb.tuple(before.at, before.id)));
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return (await q.execute()).map(storedSampleFromRow);
  }

  async latestSamples(vmIds: readonly string[]): Promise<Map<string, StoredSample>> {
    // Sample times compared as times (posted times may carry offsets), on ids and times only; then the winners.
    const newest = new Map<string, { id: string; at: number }>();
    const ids = [...new Set(vmIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db.selectFrom('samples').select(['id', 'vm_id', 'taken_at']).where('vm_id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) {
        const at = Date.parse(r.taken_at);
        const best = newest.get(r.vm_id);
        if (!best || at > best.at || (at === best.at && r.id > best.id) || Number.isNaN(best.at)) newest.set(r.vm_id, { id: r.id, at });
      }
    }
    const out = new Map<string, StoredSample>();
    const winners = [...newest.values()].map((w) => w.id);
    for (let i = 0; i < winners.length; i += 500) {
      for (const s of await this.db.selectFrom('samples').selectAll().where('id', 'in', winners.slice(i, i + 500)).execute()) {
        out.set(s.vm_id, storedSampleFromRow(s));
      }
    }
    return out;
  }

  async addPowerSamples(host: string, samples: readonly PowerSample[]): Promise<number> {
    if (samples.length === 0) return 0;
    await this.write(async (tx) => {
      for (let i = 0; i < samples.length; i += 500) {
        await tx
          .insertInto('power_samples')
          .values(samples.slice(i, i + 500).map((s) => ({ host, timestamp_sec: s.timestampSec, watts: s.watts })))
          .onConflict((oc) => oc.columns(['host', 'timestamp_sec']).doUpdateSet((eb) => ({ watts: eb.ref('excluded.watts') })))
          .execute();
      }
    });
    return samples.length;
  }

  async powerSamples(host: string, fromSec: number, toSec: number): Promise<PowerSample[]> {
    const rows = await this.db.selectFrom('power_samples').select(['timestamp_sec', 'watts']).where('host', '=', host).where('timestamp_sec', '>=', fromSec).where('timestamp_sec', '<=', toSec).orderBy('timestamp_sec').execute();
    return rows.map((r) => ({ timestampSec: Number(r.timestamp_sec), watts: Number(r.watts) }));
  }

  async saveModel(kind: string, params: unknown, r2: number | null): Promise<FittedModelRow> {
    // Two writers may pick the same next version (PostgreSQL): the second's insert fails on the key and runs again.
    return this.write(async (tx) => {
      const last = await tx.selectFrom('models').select((e) => e.fn.max('version').as('v')).where('kind', '=', kind).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      const createdAt = new Date().toISOString();
      await tx.insertInto('models').values({ kind, version, params_json: JSON.stringify(params), r2, created_at: createdAt }).execute();
      return { kind, version, params, r2, createdAt };
    }, (e) => isRetryable(e) || (e as { code?: unknown })?.code === '23505');
  }

  async latestModel(kind: string): Promise<FittedModelRow | undefined> {
    const r = await this.db.selectFrom('models').selectAll().where('kind', '=', kind).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return r ? { kind: r.kind, version: Number(r.version), params: JSON.parse(r.params_json), r2: r.r2 === null ? null : Number(r.r2), createdAt: r.created_at } : undefined;
  }

  async listModels(): Promise<FittedModelRow[]> {
    const rows = await this.db.selectFrom('models').selectAll().orderBy('kind').orderBy('version').execute();
    return rows.map((r) => ({ kind: r.kind, version: Number(r.version), params: JSON.parse(r.params_json), r2: r.r2 === null ? null : Number(r.r2), createdAt: r.created_at }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

type RoundRow = Selectable<MigrationRoundsTable>;
