/**
 * Reading a migration log file row by row (CSV with a header, or JSON Lines), streamed so memory stays flat in
 * the number of rows: csv-parse for CSV, readline for JSON Lines. Each row comes with its line in the file.
 */
import { createReadStream, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { InputError } from '../units.js';
import { LOG_COLUMNS, parseLogRow, type LoggedMigration, type MigrationSource, type RowError } from './logged.js';

export type LogFormat = 'csv' | 'jsonl';

/** One row as read: its line (1-based; a CSV row's first line) and its fields, or why it is not a row. */
export type RawLogRow = { line: number; raw: Record<string, unknown> } | { line: number; error: RowError };

/** The format by extension (.csv; .jsonl, .ndjson, .json), else by the first non-blank character (`{`: JSON Lines). */
export function logFormat(path: string, field = '--input'): LogFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson|json)$/i.test(path)) return 'jsonl';
  const fd = openSync(path, 'r');
  const head = Buffer.alloc(4096);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const first = head.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '').trimStart()[0];
  if (first === undefined) throw new InputError(field, path, 'is empty');
  return first === '{' ? 'jsonl' : 'csv';
}

/** The rows of a log file, streamed. A missing file, or a CSV header naming a column migcost does not know, is an InputError. */
export async function* readLogRows(path: string, opts: { format?: LogFormat; field?: string } = {}): AsyncGenerator<RawLogRow> {
  const field = opts.field ?? '--input';
  if (!existsSync(path)) throw new InputError(field, path, 'does not exist');
  const format = opts.format ?? logFormat(path, field);
  if (format === 'jsonl') yield* jsonlRows(path);
  else yield* csvRows(path, field);
}

async function* jsonlRows(path: string): AsyncGenerator<RawLogRow> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      yield { line, error: { line, column: '(row)', value: undefined, rule: 'is not a JSON object' } };
      continue;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) yield { line, error: { line, column: '(row)', value: undefined, rule: 'is not a JSON object' } };
    else yield { line, raw: o as Record<string, unknown> };
  }
}

async function* csvRows(path: string, field: string): AsyncGenerator<RawLogRow> {
  const known: ReadonlySet<string> = new Set(LOG_COLUMNS);
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      columns: (header: string[]) => {
        const unknown = header.filter((h) => !known.has(h));
        if (unknown.length > 0) throw new InputError(field, `${path}:1`, `has a column migcost does not know: ${unknown.map((u) => JSON.stringify(u)).join(', ')} (known: ${LOG_COLUMNS.join(', ')})`);
        return header;
      },
    }),
  );
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { line: rec.info.lines, raw: rec.record };
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof InputError) throw cause;
    const lines = (e as { lines?: number }).lines;
    throw new InputError(field, lines ? `${path}:${lines}` : path, `is not valid CSV (${(e as Error).message})`);
  }
}

/** Rows of a log file checked: each a LoggedMigration or the rules its row breaks. */
export async function* readLoggedMigrations(path: string, opts: { format?: LogFormat; field?: string; source?: MigrationSource } = {}): AsyncGenerator<{ line: number; row: LoggedMigration } | { line: number; errors: RowError[] }> {
  for await (const r of readLogRows(path, opts)) {
    if ('error' in r) {
      yield { line: r.line, errors: [r.error] };
      continue;
    }
    const parsed = parseLogRow(r.raw, r.line, opts.source);
    yield Array.isArray(parsed) ? { line: r.line, errors: parsed } : { line: r.line, row: parsed };
  }
}
