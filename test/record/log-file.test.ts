/** The CSV reader of a migration log (src/record/log-file.ts): RFC 4180 records, line numbers, malformed input named. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogRows, splitCsvRecord, type RawLogRow } from '../../src/record/log-file.js';
import { InputError } from '../../src/units.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-log-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function rows(text: string): Promise<RawLogRow[]> {
  const f = join(dir, `t${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(f, text);
  const out: RawLogRow[] = [];
  for await (const r of readLogRows(f)) out.push(r);
  return out;
}

describe('splitCsvRecord', () => {
  it('splits on commas, trims each field, and reads quoted fields with commas, new lines and "" quotes', () => {
    assert.deepEqual(splitCsvRecord(' a , b,,c '), ['a', 'b', '', 'c']);
    assert.deepEqual(splitCsvRecord('x,"a, b", "say ""hi""" ,"two\nlines",'), ['x', 'a, b', 'say "hi"', 'two\nlines', '']);
    assert.deepEqual(splitCsvRecord('""'), ['']);
  });
  it('refuses an unclosed quote, a stray one, and text after a closing quote', () => {
    assert.throws(() => splitCsvRecord('a,"b'), /a quoted field is not closed/);
    assert.throws(() => splitCsvRecord('a,b"c'), /a quote inside an unquoted field/);
    assert.throws(() => splitCsvRecord('"a"b,c'), /unexpected character "b" after a quoted field/);
  });
});

describe('readLogRows (CSV)', () => {
  it('reads the header, skips blank lines, strips a BOM and CRs, and numbers each row by its first line', async () => {
    const r = await rows('\uFEFFid,workload,memory\r\na1,"web, eu",1GiB\r\n\r\na2,"multi\nline",2GiB\na3,db,3GiB');
    assert.deepEqual(r, [
      { line: 2, raw: { id: 'a1', workload: 'web, eu', memory: '1GiB' } },
      { line: 4, raw: { id: 'a2', workload: 'multi\nline', memory: '2GiB' } },
      { line: 6, raw: { id: 'a3', workload: 'db', memory: '3GiB' } },
    ]);
  });
  it('leaves missing fields absent, and makes a row with more fields than the header a bad row', async () => {
    const r = await rows('id,memory\na1\na2,1GiB,extra\n');
    assert.deepEqual(r[0], { line: 2, raw: { id: 'a1' } });
    assert.deepEqual(r[1], { line: 3, error: { line: 3, column: '(row)', value: undefined, rule: 'has 3 fields, the header has 2' } });
  });
  it('names an unknown column, and a malformed record by its line', async () => {
    await assert.rejects(rows('id,memry\n'), (e: unknown) => e instanceof InputError && /:1" has a column migcost does not know: "memry"/.test(e.message));
    await assert.rejects(rows('id,memory\na1,1GiB\na2,"1GiB\n'), (e: unknown) => e instanceof InputError && /:3" is not valid CSV \(a quoted field is not closed\)/.test(e.message));
    await assert.rejects(rows('id,memory\na1,1G"iB\n'), (e: unknown) => e instanceof InputError && /:2" is not valid CSV \(a quote inside an unquoted field/.test(e.message));
  });
  it('reads a file larger than one chunk whole, its lines numbered across chunks', async () => {
    const n = 20_000;
    const r = await rows(`id,memory\n${Array.from({ length: n }, (_, i) => `m-${i},${i + 1}MiB`).join('\n')}\n`);
    assert.equal(r.length, n);
    assert.deepEqual(r[n - 1], { line: n + 1, raw: { id: `m-${n - 1}`, memory: `${n}MiB` } });
  });
});
