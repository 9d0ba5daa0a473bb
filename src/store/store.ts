/**
 * The history store: one interface, SQLite (default, a file) or PostgreSQL (a URL) behind it through
 * kysely. A migration and its per-round trace are written in one transaction, so a reader never sees a
 * migration without its rounds and a killed writer leaves none half-written.
 */
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations.js';
import type { MigrationRecord } from '../record/record.js';
import type { VmSample } from '../model/sample.js';
import type { PowerSample } from '../calibrate/fits.js';

/** A store that cannot be opened or used as asked: the message names the database and the rule. */
export class StoreError extends Error {
  override name = 'StoreError';
  readonly badInput = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

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

export interface Store {
  /** Where it is: a file path or a URL without its password. */
  readonly location: string;
  readonly backend: 'sqlite' | 'postgres';
  recordMigration(r: MigrationRecord): Promise<void>;
  /** Recorded migrations, oldest first; `vmId` keeps one VM's. */
  listMigrations(opts?: { limit?: number; vmId?: string }): Promise<MigrationRecord[]>;
  listVms(): Promise<{ id: string; migrations: number }[]>;
  countMigrations(): Promise<number>;
  /**
   * Keeps a dirty-rate sample of a VM (creating the VM if new). `id` is the caller's idempotency key: a
   * second call with the same id changes nothing and answers `created: false`.
   */
  recordSample(vmId: string, sample: VmSample, opts: { id: string; source: string }): Promise<{ created: boolean }>;
  /** A VM's samples, newest first. */
  listSamples(opts: { vmId: string; limit?: number }): Promise<StoredSample[]>;
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

const SQLITE_MAGIC = 'SQLite format 3\0';

function checkSqliteFile(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(16);
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) throw new StoreError(`--db ${file}: not a SQLite database (refusing to touch it)`);
  // Look before writing anything (even the WAL pragma changes the file): read-only.
  let ro: SqliteDatabase.Database | undefined;
  try {
    ro = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    const tables = (ro.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
    if (tables.length > 0 && !tables.includes('migcost_meta')) {
      throw new StoreError(`--db ${file}: holds tables that are not migcost's (${tables.slice(0, 5).join(', ')}); refusing to use or change it`);
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`--db ${file}: unreadable as SQLite (${(e as Error).message}); refusing to touch it`, { cause: e });
  } finally {
    ro?.close();
  }
}

/** Opens (creating if needed) the store and brings its schema up to date. */
export async function openStore(location: string = defaultDbLocation()): Promise<Store> {
  const isPg = /^postgres(ql)?:\/\//.test(location);
  let db: Kysely<Database>;
  let shown = location;
  if (isPg) {
    shown = location.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location, max: 4 }) }) });
    try {
      await sql`select 1`.execute(db);
    } catch (e) {
      await db.destroy();
      throw new StoreError(`--db ${shown}: cannot connect (${(e as Error).message})`, { cause: e });
    }
  } else {
    checkSqliteFile(location);
    mkdirSync(dirname(location), { recursive: true });
    let raw: SqliteDatabase.Database;
    try {
      raw = new SqliteDatabase(location);
      raw.pragma('journal_mode = WAL');
      raw.pragma('synchronous = FULL'); // a committed migration survives a crash of the machine too
      raw.pragma('foreign_keys = ON');
      raw.pragma('busy_timeout = 5000');
    } catch (e) {
      throw new StoreError(`--db ${location}: cannot open as SQLite (${(e as Error).message})`, { cause: e });
    }
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  }
  try {
    await checkOwnership(db, shown);
    const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error) throw new StoreError(`--db ${shown}: schema migration failed (${(error as Error).message})`, { cause: error });
    void results;
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return new KyselyStore(db, shown, isPg ? 'postgres' : 'sqlite');
}

/** A database with tables but no migcost marker belongs to someone else: never migrate or reset it. */
async function checkOwnership(db: Kysely<Database>, shown: string): Promise<void> {
  const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name);
  if (tables.length === 0) return;
  if (!tables.includes('migcost_meta')) {
    throw new StoreError(`--db ${shown}: holds tables that are not migcost's (${tables.slice(0, 5).join(', ')}); refusing to use or change it`);
  }
  const app = await db.selectFrom('migcost_meta').select('value').where('key', '=', 'app').executeTakeFirst();
  if (app?.value !== 'migcost') throw new StoreError(`--db ${shown}: its migcost_meta table is not migcost's; refusing to use it`);
}

class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    readonly location: string,
    readonly backend: 'sqlite' | 'postgres',
  ) {}

  async recordMigration(r: MigrationRecord): Promise<void> {
    // A VM moved by `migcost execute` keeps its own id; a lab guest is named by its workload and size.
    const vmId = typeof r.config.params.vm === 'string' && r.config.params.vm ? r.config.params.vm : `lab-${r.config.workload}-${Math.round(r.config.memoryBytes / 2 ** 20)}M`;
    const sampleId = `${r.id}-sample`;
    await this.db.transaction().execute(async (tx) => {
      const vm = await tx.selectFrom('vms').select('id').where('id', '=', vmId).executeTakeFirst();
      if (!vm) await tx.insertInto('vms').values({ id: vmId, name: vmId, memory_bytes: r.config.memoryBytes, created_at: r.startedAt }).execute();
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

  async listMigrations(opts: { limit?: number; vmId?: string } = {}): Promise<MigrationRecord[]> {
    let q = this.db
      .selectFrom('migrations')
      .innerJoin('samples', 'samples.id', 'migrations.sample_id')
      .select([
        'migrations.id', 'migrations.started_at', 'migrations.migration_started_at', 'migrations.config_json', 'migrations.measured_json', 'migrations.predicted_json',
        'migrations.qemu_version', 'migrations.accelerator', 'migrations.host_json', 'samples.taken_at', 'samples.memory_bytes', 'samples.dirty_rate_bytes_per_sec',
        'samples.zero_page_fraction', 'samples.cpu_utilisation', 'samples.curve_json', 'samples.pseudo_json',
      ])
      .orderBy('migrations.started_at')
      .orderBy('migrations.id');
    if (opts.vmId !== undefined) q = q.where('migrations.vm_id', '=', opts.vmId);
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    const rows = await q.execute();
    const rounds = await this.db.selectFrom('migration_rounds').selectAll().orderBy('migration_id').orderBy('round').execute();
    const byMigration = new Map<string, typeof rounds>();
    for (const r of rounds) byMigration.set(r.migration_id, [...(byMigration.get(r.migration_id) ?? []), r]);
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

  async listVms(): Promise<{ id: string; migrations: number }[]> {
    const rows = await this.db.selectFrom('vms').leftJoin('migrations', 'migrations.vm_id', 'vms.id').select(['vms.id', (e) => e.fn.count<number>('migrations.id').as('n')]).groupBy('vms.id').orderBy('vms.id').execute();
    return rows.map((r) => ({ id: r.id, migrations: Number(r.n) }));
  }

  async countMigrations(): Promise<number> {
    const r = await this.db.selectFrom('migrations').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async recordSample(vmId: string, sample: VmSample, opts: { id: string; source: string }): Promise<{ created: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      const vm = await tx.selectFrom('vms').select('id').where('id', '=', vmId).executeTakeFirst();
      if (!vm) await tx.insertInto('vms').values({ id: vmId, name: vmId, memory_bytes: sample.memoryBytes, created_at: sample.sampledAt }).execute();
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
      return { created: Number(r.numInsertedOrUpdatedRows ?? 0) > 0 };
    });
  }

  async listSamples(opts: { vmId: string; limit?: number }): Promise<StoredSample[]> {
    let q = this.db.selectFrom('samples').selectAll().where('vm_id', '=', opts.vmId).orderBy('taken_at', 'desc').orderBy('id', 'desc');
    if (opts.limit !== undefined) q = q.limit(opts.limit);
    return (await q.execute()).map((s) => ({
      id: s.id,
      vmId: s.vm_id,
      source: s.source,
      memoryBytes: Number(s.memory_bytes),
      pageSizeBytes: 4096,
      dirtyRateBytesPerSec: Number(s.dirty_rate_bytes_per_sec),
      curve: JSON.parse(s.curve_json),
      zeroPageFraction: s.zero_page_fraction ?? undefined,
      cpuUtilisation: s.cpu_utilisation ?? undefined,
      sampledAt: s.taken_at,
      ...pseudoFields(s.pseudo_json),
    }));
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
        out.set(s.vm_id, {
          id: s.id,
          vmId: s.vm_id,
          source: s.source,
          memoryBytes: Number(s.memory_bytes),
          pageSizeBytes: 4096,
          dirtyRateBytesPerSec: Number(s.dirty_rate_bytes_per_sec),
          curve: JSON.parse(s.curve_json),
          zeroPageFraction: s.zero_page_fraction ?? undefined,
          cpuUtilisation: s.cpu_utilisation ?? undefined,
          sampledAt: s.taken_at,
          ...pseudoFields(s.pseudo_json),
        });
      }
    }
    return out;
  }

  async addPowerSamples(host: string, samples: readonly PowerSample[]): Promise<number> {
    if (samples.length === 0) return 0;
    await this.db.transaction().execute(async (tx) => {
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
    return this.db.transaction().execute(async (tx) => {
      const last = await tx.selectFrom('models').select((e) => e.fn.max('version').as('v')).where('kind', '=', kind).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      const createdAt = new Date().toISOString();
      await tx.insertInto('models').values({ kind, version, params_json: JSON.stringify(params), r2, created_at: createdAt }).execute();
      return { kind, version, params, r2, createdAt };
    });
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

/** The pseudo-migration's part of a sample, as stored (null when the sample has none). */
const PSEUDO_FIELDS = ['bitmapCurve', 'bitmapZeroShare', 'zeroPageFractionLate', 'zeroPagesLateAt', 'nonZeroGrowthBytesPerSec', 'ramLayout'] as const;
type PseudoFields = Pick<VmSample, (typeof PSEUDO_FIELDS)[number]>;

function pseudoJson(s: VmSample): string | null {
  const o: Record<string, unknown> = {};
  for (const k of PSEUDO_FIELDS) if (s[k] !== undefined) o[k] = s[k];
  return Object.keys(o).length > 0 ? JSON.stringify(o) : null;
}

function pseudoFields(json: string | null | undefined): PseudoFields {
  if (!json) return {};
  const o = JSON.parse(json) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of PSEUDO_FIELDS) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out as PseudoFields;
}
