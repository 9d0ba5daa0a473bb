/** `migcost history import` and `history export`, run as users run them: the built bin in a child process. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run } from '../cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-history-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));


before(() => {
  assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build` (npm test does)');
});

const HEADER = 'id,vmId,workload,technique,memory,dirtyRate,bandwidth,downtimeLimit,totalTime,downtime,transferred';
const LOG = `${HEADER}\na1,vm-1,redis,precopy,4GiB,50MiB/s,1Gbit/s,300ms,41.2,0.21,5.1GB\na2,,,,8589934592,1e7,125000000,,70,0.3,9e9\n`;

describe('migcost history import', () => {
  it('stores nothing and exits 2 naming each bad row by line, column and rule; --skip-bad stores the rest', () => {
    const db = join(dir, 'bad.sqlite');
    const input = join(dir, 'bad.csv');
    writeFileSync(input, `${LOG}a3,vm-2,web,precopy,1GiB,50MiB/s,-1Gbit/s,300ms,10,0.2,5GB\n`);
    const r = run(['history', 'import', '--input', input, '--db', db]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /^migcost: --input: 1 bad row, nothing stored/);
    assert.match(r.err, /line 4: bandwidth: "-1Gbit\/s" must not be negative/);
    const none = run(['history', 'export', '--db', db]);
    assert.equal(none.code, 0, none.err);
    assert.equal(none.out, '');
    const skip = run(['history', 'import', '--input', input, '--db', db, '--skip-bad', '--json']);
    assert.equal(skip.code, 0, skip.err);
    const j = JSON.parse(skip.out);
    assert.deepEqual([j.rows, j.stored, j.alreadyStored, j.badRows], [3, 2, 0, 1]);
    assert.deepEqual(j.errors, [{ line: 4, column: 'bandwidth', value: '-1Gbit/s', rule: 'must not be negative' }]);
  });

  it('a CSV header with a column it does not know is bad input', () => {
    const input = join(dir, 'typo.csv');
    writeFileSync(input, 'id,memry\nx,1\n');
    const r = run(['history', 'import', '--input', input, '--db', join(dir, 'typo.sqlite')]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /--input: ".*typo\.csv:1" has a column migcost does not know: "memry"/);
  });

  it('imports twice without storing twice, and exports the same columns in base units, CSV and JSON Lines', () => {
    const db = join(dir, 'rt.sqlite');
    const input = join(dir, 'rt.csv');
    writeFileSync(input, LOG);
    assert.match(run(['history', 'import', '--input', input, '--db', db]).out, /2 rows, 2 stored .* 0 already stored/);
    assert.match(run(['history', 'import', '--input', input, '--db', db]).out, /2 rows, 0 stored .* 2 already stored/);
    const csv = run(['history', 'export', '--db', db, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.err);
    // export writes the optional zeroPages column too (empty where a row has none)
    assert.equal(csv.out, `${HEADER},zeroPages\na1,vm-1,redis,precopy,4294967296,52428800,125000000,0.3,41.2,0.21,5100000000,\na2,,,,8589934592,10000000,125000000,,70,0.3,9000000000,\n`);
    const out = join(dir, 'rt.jsonl');
    assert.equal(run(['history', 'export', '--db', db, '--output', out]).code, 0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows[1], { id: 'a2', memory: 8589934592, dirtyRate: 1e7, bandwidth: 1.25e8, totalTime: 70, downtime: 0.3, transferred: 9e9 });
    // What export wrote, imported into another store, exports the same.
    const db2 = join(dir, 'rt2.sqlite');
    assert.equal(run(['history', 'import', '--input', out, '--db', db2]).code, 0);
    assert.equal(run(['history', 'export', '--db', db2, '--format', 'csv']).out, csv.out);
  });
});
