/**
 * `history import`'s work: a migration log's checked rows into the store in one read and one transaction, stored in
 * batches as they are read, so memory stays flat in the number of rows. All or nothing unless told to skip bad
 * rows: a bad row rolls the whole transaction back (after the rest of the file is read to name every bad row).
 */
import { formatRowError, type LoggedMigration, type RowError } from '../record/logged.js';
import type { Store } from './store.js';

export type CheckedRow = { line: number; row: LoggedMigration } | { line: number; errors: RowError[] };

export interface ImportOptions {
  /** Store the good rows and report the bad ones, instead of storing nothing. */
  skipBad?: boolean;
  /** Rows per insert batch (default 5000; all in one transaction). */
  batchRows?: number;
  /** Bad-row errors kept for the report (default 20); the rest are counted. */
  keepErrors?: number;
}

export interface ImportResult {
  /** Rows read (good and bad). */
  rows: number;
  stored: number;
  /** Good rows whose id was stored already (by an earlier import, a lab or execute record, or earlier in the file). */
  alreadyStored: number;
  badRows: number;
  /** The first `keepErrors` errors of bad rows. */
  errors: RowError[];
}

/** Nothing was stored: some rows are bad. Bad input (exit 2). */
export class ImportRejected extends Error {
  override name = 'ImportRejected';
  readonly badInput = true;
  constructor(
    readonly field: string,
    readonly badRows: number,
    readonly errors: readonly RowError[],
  ) {
    const more = errors.length < badRows ? `\n  ... and more (${badRows} bad rows in all)` : '';
    super(`${field}: ${badRows} bad row${badRows === 1 ? '' : 's'}, nothing stored (--skip-bad stores the others):\n${errors.map((e) => `  ${formatRowError(e)}`).join('\n')}${more}`);
  }
}

/**
 * Imports the rows `read()` yields, in one read and one transaction (Store.importMigrationsIn): good rows are
 * stored in batches as they come; without `skipBad`, the first bad row stops the storing, the rest of the file is
 * still read to name every bad row, and the transaction is rolled back (ImportRejected, nothing stored).
 */
export async function importLog(store: Store, read: () => AsyncIterable<CheckedRow>, opts: ImportOptions & { field?: string } = {}): Promise<ImportResult> {
  const keep = opts.keepErrors ?? 20;
  const batchRows = opts.batchRows ?? 5000;
  const result: ImportResult = { rows: 0, stored: 0, alreadyStored: 0, badRows: 0, errors: [] };
  const noteBad = (errors: RowError[]) => {
    result.badRows++;
    for (const e of errors) if (result.errors.length < keep) result.errors.push(e);
  };
  return store.importMigrationsIn(async (insert) => {
    let batch: LoggedMigration[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const n = await insert(batch);
      result.stored += n;
      result.alreadyStored += batch.length - n;
      batch = [];
    };
    for await (const r of read()) {
      result.rows++;
      if ('errors' in r) {
        noteBad(r.errors);
        if (!opts.skipBad) batch = []; // nothing more is stored; the rest is read for its errors
        continue;
      }
      if (result.badRows > 0 && !opts.skipBad) continue;
      batch.push(r.row);
      if (batch.length >= batchRows) await flush();
    }
    // Throwing rolls the transaction back: what was stored before the first bad row goes too.
    if (result.badRows > 0 && !opts.skipBad) throw new ImportRejected(opts.field ?? '--input', result.badRows, result.errors);
    await flush();
    return result;
  });
}
