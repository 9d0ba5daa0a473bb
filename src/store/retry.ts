/**
 * Many writers on one database. On SQLite every write transaction starts as a writer (BEGIN IMMEDIATE): a
 * deferred one starts as a reader and fails at once ("database is locked") when another process wrote in
 * between, whatever the busy timeout. A transaction that still meets a busy database after the busy timeout,
 * or a PostgreSQL serialization failure or deadlock, is rolled back and run again, a bounded number of times.
 */
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

/** SQLite waits this long for a lock (synchronously) before answering busy. */
export const SQLITE_BUSY_TIMEOUT_MS = 1000;
/** Attempts of one write transaction before its error is thrown. */
export const WRITE_ATTEMPTS = 12;

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** kysely's SQLite dialect, with every transaction begun IMMEDIATE (takes the write lock first). */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Whether an error means "another writer holds the database now; try again". */
export function isRetryable(e: unknown): boolean {
  const code = String((e as { code?: unknown })?.code ?? '');
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === '40001' || code === '40P01';
}

/** Runs `fn`, again after a growing random pause while it fails retryably, at most WRITE_ATTEMPTS times. */
export async function withRetry<T>(fn: () => Promise<T>, retryable: (e: unknown) => boolean = isRetryable): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= WRITE_ATTEMPTS || !retryable(e)) throw e;
      const pauseMs = Math.min(500, 5 * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}
