/**
 * Opening a store: look, decide whether it is migcost's, and bring its schema up to date, all in one write
 * transaction that every other opener waits for (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock). Two
 * processes opening a new database at once: the second finds the first's finished schema. A database that is
 * refused is left byte-for-byte as it was: nothing is written before the verdict, and the transaction that read
 * it is rolled back (an SQLite file's WAL mode is set only after it was found to be migcost's or empty).
 */
import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { STORE_TABLES, type Database } from './schema.js';
import { migrationProvider } from './migrations.js';
import { StoreError, passwordRedactor, redactedError, shownLocation } from './store-error.js';
import { ImmediateSqliteDialect, SQLITE_BUSY_TIMEOUT_MS, withRetry } from './retry.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  /** The location as it may be shown (no password). */
  shown: string;
  backend: 'sqlite' | 'postgres';
  /** SQLite: the connection itself, for bulk writes through prepared statements (kysely prepares every query anew). */
  sqlite?: SqliteDatabase.Database;
}

/** Opens (creating if needed) the database at a file path or a postgres:// URL, schema up to date. */
export function openDatabase(location: string): Promise<OpenedDatabase> {
  return /^postgres(ql)?:\/\//.test(location) ? openPostgres(location) : openSqlite(location);
}

const KNOWN_TABLES: ReadonlySet<string> = new Set(STORE_TABLES);
const SQLITE_MAGIC = 'SQLite format 3\0';
/** The advisory lock every migcost process takes on PostgreSQL while it checks and migrates the schema. */
const PG_SCHEMA_LOCK = 0x6d6967636f7374n; // "migcost"
/** The PostgreSQL schema pg-boss keeps its jobs in (src/sweep/queue.ts): not a migcost table, not a stranger's. */
export const PGBOSS_SCHEMA = 'pgboss';

/**
 * Whether a database is empty (new) or migcost's; throws a StoreError otherwise. Read only. A database is
 * migcost's when its tables are all migcost's (no views, nothing else), its migcost_meta says app = migcost
 * and its schema history (kysely_migration) is there.
 */
async function judge(db: Kysely<Database>, shown: string): Promise<'empty' | 'ours'> {
  // pg-boss's schema (the sweep queue, `sweep --queue`) shares the database and is pg-boss's own business
  const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).filter((t) => t.schema !== PGBOSS_SCHEMA);
  if (tables.length === 0) return 'empty';
  const names = tables.map((t) => t.name);
  const foreign = tables.filter((t) => t.isView || !KNOWN_TABLES.has(t.name)).map((t) => t.name);
  if (!names.includes('migcost_meta') || foreign.length > 0) {
    const list = foreign.length > 0 ? foreign : names;
    throw new StoreError(`--db ${shown}: holds tables that are not migcost's (${list.slice(0, 5).join(', ')}); refusing to use or change it`);
  }
  let app: string | undefined;
  try {
    app = (await db.selectFrom('migcost_meta').select('value').where('key', '=', 'app').executeTakeFirst())?.value;
  } catch {
    app = undefined; // another application's migcost_meta, with other columns
  }
  if (app !== 'migcost') throw new StoreError(`--db ${shown}: its migcost_meta table is not migcost's; refusing to use it`);
  if (!names.includes('kysely_migration')) throw new StoreError(`--db ${shown}: has migcost_meta but no schema history (kysely_migration); refusing to change it`);
  return 'ours';
}

/** Runs the pending schema migrations inside the caller's transaction. */
async function migrate(db: Kysely<Database>, shown: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: migrationProvider, disableTransactions: true }).migrateToLatest();
  if (error) throw new StoreError(`--db ${shown}: schema migration failed (${(error as Error).message})`, { cause: error });
}

/** Refuses a non-empty file that is not SQLite, from its first 16 bytes (read without opening it as a database). */
function checkSqliteHeader(file: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new StoreError(`--db ${file}: is a folder; give a database file in it (e.g. ${file.replace(/\/+$/, '')}/migcost.sqlite) or a postgres:// URL`);
  if (!existsSync(file) || statSync(file).size === 0) return;
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(16);
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) throw new StoreError(`--db ${file}: not a SQLite database (refusing to touch it)`);
}

async function openSqlite(file: string): Promise<OpenedDatabase> {
  checkSqliteHeader(file);
  mkdirSync(dirname(file), { recursive: true });
  let raw: SqliteDatabase.Database;
  try {
    raw = new SqliteDatabase(file);
    // Settings of this connection only: none of them writes to the file.
    raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    raw.pragma('synchronous = FULL'); // a committed migration survives a crash of the machine too
    raw.pragma('foreign_keys = ON');
  } catch (e) {
    throw new StoreError(`--db ${file}: cannot open as SQLite (${(e as Error).message})`, { cause: e });
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
  try {
    await withRetry(async () => {
      raw.exec('begin immediate');
      try {
        await judge(db, file);
        await migrate(db, file);
        raw.exec('commit');
      } catch (e) {
        if (raw.inTransaction) raw.exec('rollback');
        throw e;
      }
    });
    await withRetry(async () => {
      const mode = raw.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw Object.assign(new Error(`journal mode stayed ${String(mode)}`), { code: 'SQLITE_BUSY' });
    });
  } catch (e) {
    await db.destroy();
    if (e instanceof StoreError) throw e;
    throw new StoreError(`--db ${file}: cannot open as SQLite (${(e as Error).message})`, { cause: e });
  }
  return { db, shown: file, backend: 'sqlite', sqlite: raw };
}

async function openPostgres(location: string): Promise<OpenedDatabase> {
  const shown = shownLocation(location);
  const redact = passwordRedactor(location);
  const fail = (what: string, e: unknown) => new StoreError(`--db ${shown}: ${what} (${redact((e as Error)?.message ?? String(e))})`, { cause: redactedError(e, redact) });
  let pool: pg.Pool;
  try {
    pool = new pg.Pool({ connectionString: location, max: 4 });
  } catch (e) {
    throw fail('not a PostgreSQL URL', e);
  }
  // A pooled connection the server drops while idle: the next query opens another (without this, the process dies).
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (e) {
    await db.destroy();
    throw fail('cannot connect', e);
  }
  try {
    await db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        await sql`select pg_advisory_xact_lock(${sql.lit(PG_SCHEMA_LOCK.toString())}::bigint)`.execute(conn);
        await judge(conn, shown);
        await migrate(conn, shown);
        await sql`commit`.execute(conn);
      } catch (e) {
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw e;
      }
    });
  } catch (e) {
    await db.destroy();
    if (e instanceof StoreError) throw new StoreError(redact(e.message), { cause: e.cause === undefined ? undefined : redactedError(e.cause, redact) });
    throw fail('cannot open', e);
  }
  return { db, shown, backend: 'postgres' };
}
