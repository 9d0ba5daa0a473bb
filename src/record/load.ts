/**
 * Migration records from where they are kept: JSON Lines files (one MigrationRecord per line, as `lab run
 * --results`, `lab matrix --results` and `history export --full` write them) or the store.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MigrationRecord } from './record.js';
import { InputError } from '../units.js';
import { defaultDbLocation } from '../store/location.js';

/** Where to read records: these JSON Lines files in order when given, else the store at `db`. */
export interface RecordSource {
  /** JSON Lines files, read in order; when given (even empty) the store is not opened. */
  files?: readonly string[];
  /** A SQLite file or postgres:// URL. */
  db?: string;
  /** The input field the files came from, named in errors (default `--results`). */
  field?: string;
}

/** The records of a source; the store is opened (and closed) only when no files are given. */
export async function loadRecords(src: RecordSource): Promise<MigrationRecord[]> {
  if (src.files !== undefined) return src.files.flatMap((f) => readRecordsFile(f, src.field));
  // The database drivers load only when a store is read.
  const { openStore } = await import('../store/store.js');
  const store = await openStore(src.db ?? defaultDbLocation());
  try {
    return await store.listMigrations();
  } finally {
    await store.close();
  }
}

/** The records of one JSON Lines file; a missing file or a line that is not JSON is an InputError naming `field`. */
export function readRecordsFile(path: string, field = '--results'): MigrationRecord[] {
  if (!existsSync(path)) throw new InputError(field, path, 'does not exist (run `migcost lab run` or `migcost lab matrix` first)');
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as MigrationRecord;
    } catch {
      throw new InputError(field, `${path}:${i + 1}`, 'is not a JSON line');
    }
  });
}

/** Appends one record as a JSON line, creating the file and its folder when missing. */
export function appendRecord(path: string, r: MigrationRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(r)}\n`);
}
