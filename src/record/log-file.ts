/**
 * Reading a migration log file row by row (CSV with a header, or JSON Lines), streamed so memory stays flat in
 * the number of rows: a small RFC 4180 reader for CSV, readline for JSON Lines. Each row comes with its line in the file.
 */
import { createReadStream, existsSync, openSync, readSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
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

/** Whether a character code is white space csv-parse's `trim` would drop (space, tab, CR, ...). */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0xfeff;

/** A field without surrounding white space (no new string when there is none). */
function trimmed(s: string): string {
  return s.length > 0 && (isSpace(s.charCodeAt(0)) || isSpace(s.charCodeAt(s.length - 1))) ? s.trim() : s;
}

/**
 * One CSV record (RFC 4180: a quoted field may hold commas, new lines and "" for a quote) into its fields, each
 * trimmed of surrounding white space. Throws an Error saying what is malformed.
 */
export function splitCsvRecord(text: string): string[] {
  if (text.indexOf('"') < 0) {
    const cells = text.split(',');
    for (let i = 0; i < cells.length; i++) cells[i] = trimmed(cells[i]);
    return cells;
  }
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && text.charCodeAt(i) !== 44 && isSpace(text.charCodeAt(i))) i++;
    if (text[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('a quoted field is not closed');
        v += text.slice(i, q);
        if (text[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      out.push(v);
      if (i < n && text[i] !== ',') throw new Error(`unexpected character ${JSON.stringify(text[i])} after a quoted field`);
    } else {
      const c = text.indexOf(',', i);
      const end = c < 0 ? n : c;
      const cell = trimmed(text.slice(i, end));
      if (cell.indexOf('"') >= 0) throw new Error(`a quote inside an unquoted field (${JSON.stringify(cell)})`);
      out.push(cell);
      i = end;
    }
    if (i >= n) return out;
    i++; // the comma
    if (i >= n) {
      out.push('');
      return out;
    }
  }
}

/** How many double quotes a string holds (a record with an odd count goes on to the next line). */
function quotes(s: string): number {
  let k = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) k++;
  return k;
}

/**
 * The rows of a CSV log, streamed chunk by chunk (a hand-written reader: csv-parse with line numbers took about a
 * sixth of an import's time, bench/history-import.bench.ts). The first record is the header; blank lines are skipped; a row with fewer fields than the
 * header leaves the rest absent, one with more is a bad row; a malformed record (an unclosed quote, a stray one)
 * is an InputError naming its line.
 */
async function* csvRows(path: string, field: string): AsyncGenerator<RawLogRow> {
  const known: ReadonlySet<string> = new Set(LOG_COLUMNS);
  let header: string[] | undefined;
  let line = 0;
  let record: string | undefined; // a record still open (an odd number of quotes so far)
  let recordLine = 0;
  let open = 0;
  let rest = '';
  let first = true;
  const malformed = (at: number, why: string) => new InputError(field, `${path}:${at}`, `is not valid CSV (${why})`);
  const take = (text: string): RawLogRow | undefined => {
    line++;
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (record === undefined) {
      if (text.length === 0 || text.trim().length === 0) return undefined;
      record = text;
      recordLine = line;
      open = text.indexOf('"') < 0 ? 0 : quotes(text);
    } else {
      record += `\n${text}`;
      open += quotes(text);
    }
    const at = recordLine;
    if (open % 2 === 1) {
      // Open: a quoted field going on to the next line, unless the quote is a stray one (said now, at its line).
      try {
        splitCsvRecord(record);
      } catch (e) {
        if (!/not closed/.test((e as Error).message)) {
          record = undefined;
          throw malformed(at, (e as Error).message);
        }
      }
      return undefined;
    }
    let cells: string[];
    try {
      cells = splitCsvRecord(record);
    } catch (e) {
      throw malformed(at, (e as Error).message);
    } finally {
      record = undefined;
    }
    if (!header) {
      const unknown = cells.filter((h) => !known.has(h));
      if (unknown.length > 0) throw new InputError(field, `${path}:${at}`, `has a column migcost does not know: ${unknown.map((u) => JSON.stringify(u)).join(', ')} (known: ${LOG_COLUMNS.join(', ')})`);
      header = cells;
      return undefined;
    }
    if (cells.length > header.length) return { line: at, error: { line: at, column: '(row)', value: undefined, rule: `has ${cells.length} fields, the header has ${header.length}` } };
    const raw: Record<string, unknown> = {};
    for (let i = 0; i < cells.length; i++) raw[header[i]] = cells[i];
    return { line: at, raw };
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 16 }) as AsyncIterable<string>) {
    let text = rest + chunk;
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const r = take(text.slice(from, nl));
      from = nl + 1;
      if (r) yield r;
    }
    rest = text.slice(from);
  }
  if (rest.length > 0) {
    const r = take(rest);
    if (r) yield r;
  }
  if (record !== undefined) throw malformed(recordLine, 'a quoted field is not closed');
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
