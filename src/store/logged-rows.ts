/**
 * A migration without a sample (an imported log row) as its row of the migrations table, and any migration's row
 * back as a log row: the configuration and outcome from its JSON, the rate from its own column or its sample's.
 */
import type { Insertable } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { MigrationsTable } from './schema.js';
import { MIGRATION_SOURCES, oneSecondRate, type LoggedMigration, type MigrationSource } from '../record/logged.js';

/** The configuration an imported migration keeps in config_json (written by loggedConfigJson). */
interface LoggedConfig {
  memoryBytes: number;
  bandwidthBytesPerSec: number;
  downtimeLimitSec?: number;
  workload?: string;
  technique?: string;
  /** An imported row's zero-page share (the log's `zeroPages`). */
  zeroPageFraction?: number;
  /** A lab or execute record's: QEMU's auto-converge, and the VM `execute` moved. */
  autoConverge?: boolean;
  params?: Record<string, unknown>;
}

/**
 * An imported row's config_json: JSON.stringify of its LoggedConfig, written by hand (the import's hot path; every
 * number is finite, checked by parseLogRow): memoryBytes, bandwidthBytesPerSec, then the optional keys present.
 */
export function loggedConfigJson(m: LoggedMigration): string {
  let s = `{"memoryBytes":${m.memoryBytes},"bandwidthBytesPerSec":${m.bandwidthBytesPerSec}`;
  if (m.downtimeLimitSec !== undefined) s += `,"downtimeLimitSec":${m.downtimeLimitSec}`;
  if (m.workload !== undefined) s += `,"workload":${JSON.stringify(m.workload)}`;
  if (m.technique !== undefined) s += `,"technique":${JSON.stringify(m.technique)}`;
  if (m.zeroPageFraction !== undefined) s += `,"zeroPageFraction":${m.zeroPageFraction}`;
  return `${s}}`;
}

/** An imported row's measured_json (by hand, as loggedConfigJson). */
export function loggedMeasuredJson(m: LoggedMigration): string {
  return `{"totalTimeSec":${m.totalTimeSec},"downtimeSec":${m.downtimeSec},"transferredBytes":${m.transferredBytes}}`;
}

/** The migrations row of a log row stored at `at` (its started_at: a log row carries no time). */
export function loggedRowValues(m: LoggedMigration, at: string): Insertable<MigrationsTable> {
  return {
    id: m.id,
    vm_id: m.vmId ?? null,
    sample_id: null,
    started_at: at,
    config_json: loggedConfigJson(m),
    status: 'completed',
    total_time_sec: m.totalTimeSec,
    downtime_sec: m.downtimeSec,
    transferred_bytes: m.transferredBytes,
    rounds: 0,
    trace_rows: 0,
    measured_json: loggedMeasuredJson(m),
    predicted_json: '{}',
    qemu_version: '',
    accelerator: '',
    migration_started_at: null,
    host_json: null,
    source: m.source,
    dirty_rate_bytes_per_sec: m.dirtyRateBytesPerSec,
  };
}

export interface LoggedRowRead {
  id: string;
  vm_id: string | null;
  source: string | null;
  config_json: string;
  measured_json: string;
  dirty_rate_bytes_per_sec: number | null;
  sample_rate: number | null;
  sample_curve: string | null;
}

/** Any stored migration as a log row. A lab or execute record's technique is pre-copy, with auto-converge or not. */
export function loggedFromRow(r: LoggedRowRead): LoggedMigration {
  const c = JSON.parse(r.config_json) as LoggedConfig;
  const m = JSON.parse(r.measured_json) as { totalTimeSec: number; downtimeSec: number; transferredBytes: number };
  const vm = typeof c.params?.vm === 'string' && c.params.vm ? c.params.vm : undefined;
  const source: MigrationSource = (MIGRATION_SOURCES as readonly string[]).includes(r.source ?? '') ? (r.source as MigrationSource) : vm ? 'execute' : 'lab';
  const vmId = source === 'import' ? (r.vm_id ?? undefined) : vm;
  const technique = c.technique ?? (source === 'import' ? undefined : c.autoConverge ? 'auto-converge' : 'precopy');
  return {
    id: r.id,
    source,
    ...(vmId !== undefined ? { vmId } : {}),
    ...(c.workload !== undefined ? { workload: c.workload } : {}),
    ...(technique !== undefined ? { technique } : {}),
    memoryBytes: Number(c.memoryBytes),
    dirtyRateBytesPerSec: r.dirty_rate_bytes_per_sec !== null ? Number(r.dirty_rate_bytes_per_sec) : r.sample_rate !== null ? oneSecondRate({ curve: JSON.parse(r.sample_curve ?? '[]'), dirtyRateBytesPerSec: Number(r.sample_rate) }) : 0,
    bandwidthBytesPerSec: Number(c.bandwidthBytesPerSec),
    ...(c.downtimeLimitSec !== undefined ? { downtimeLimitSec: Number(c.downtimeLimitSec) } : {}),
    ...(source === 'import' && c.zeroPageFraction !== undefined ? { zeroPageFraction: Number(c.zeroPageFraction) } : {}),
    totalTimeSec: Number(m.totalTimeSec),
    downtimeSec: Number(m.downtimeSec),
    transferredBytes: Number(m.transferredBytes),
  };
}

export type SqliteConnection = SqliteDatabase.Database;

interface Prepared {
  migration: SqliteDatabase.Statement;
  vm: SqliteDatabase.Statement;
}
const prepared = new WeakMap<SqliteConnection, Prepared>();

/** The two statements an import runs per row, prepared once per connection. */
function statements(db: SqliteConnection): Prepared {
  let p = prepared.get(db);
  if (!p) {
    p = {
      // The columns of loggedRowValues, the constant ones inline.
      migration: db.prepare(
        `insert into migrations (id, vm_id, sample_id, started_at, config_json, status, total_time_sec, downtime_sec, transferred_bytes, rounds, trace_rows, measured_json, predicted_json, qemu_version, accelerator, migration_started_at, host_json, source, dirty_rate_bytes_per_sec)
         values (?, ?, null, ?, ?, 'completed', ?, ?, ?, 0, 0, ?, '{}', '', '', null, null, ?, ?) on conflict (id) do nothing`,
      ),
      vm: db.prepare('insert into vms (id, name, memory_bytes, created_at) values (?, ?, ?, ?) on conflict (id) do nothing'),
    };
    prepared.set(db, p);
  }
  return p;
}

/** Creates the VMs (id -> memory) on an SQLite connection inside the caller's transaction; one already there is kept. */
export function insertVmsSqlite(db: SqliteConnection, vms: ReadonlyMap<string, number>, at: string): void {
  if (vms.size === 0) return;
  const { vm } = statements(db);
  for (const [id, memory] of vms) vm.run(id, id, memory, at);
}

/**
 * Inserts log rows as migrations rows (loggedRowValues' columns, bound straight from the row: no row object) on an
 * SQLite connection inside the caller's transaction, one prepared statement (kept per connection) run per row; an
 * id already there is left as it is. Answers how many were inserted.
 */
export function insertLoggedSqlite(db: SqliteConnection, rows: readonly LoggedMigration[], at: string): number {
  if (rows.length === 0) return 0;
  const { migration } = statements(db);
  let stored = 0;
  for (let i = 0; i < rows.length; i++) {
    const m = rows[i];
    stored += migration.run(m.id, m.vmId ?? null, at, loggedConfigJson(m), m.totalTimeSec, m.downtimeSec, m.transferredBytes, loggedMeasuredJson(m), m.source, m.dirtyRateBytesPerSec).changes;
  }
  return stored;
}

/** SQLite's page cache during an import (negative: KiB), 64 MiB. */
const IMPORT_CACHE_KIB = -65536;

/**
 * Runs an import with a 64 MiB page cache on the connection, then puts the old size back: the default 2 MiB spills
 * one long transaction's dirty index pages to the write-ahead log again and again. Bounded, so memory stays flat.
 */
export async function withImportCache<T>(db: SqliteConnection, run: () => Promise<T>): Promise<T> {
  const before = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${IMPORT_CACHE_KIB}`);
  try {
    return await run();
  } finally {
    db.pragma(`cache_size = ${before}`);
  }
}
