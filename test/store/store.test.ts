/**
 * The store against both backends: SQLite always, PostgreSQL when MIGCOST_TEST_PG_URL is set (.ci/run
 * starts a throwaway server with scripts/pg-test-server.sh).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { openStore, StoreError } from '../../src/store/store.js';
import { fakeRecord } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PG = process.env.MIGCOST_TEST_PG_URL;
if (!PG) console.log('# SKIP PostgreSQL store tests: MIGCOST_TEST_PG_URL is not set (scripts/pg-test-server.sh start sets it)');

let n = 0;
/** A fresh, empty database of each backend. */
async function freshDb(backend: 'sqlite' | 'postgres'): Promise<string> {
  if (backend === 'sqlite') return join(dir, `db-${n++}.sqlite`);
  const name = `migcost_test_${process.pid}_${n++}`;
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return PG!.replace(/\/[^/]*$/, `/${name}`);
}

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`store on ${backend}`, { skip: backend === 'postgres' && !PG ? 'no MIGCOST_TEST_PG_URL' : false }, () => {
    it('records a migration with its trace and reads it back whole', async () => {
      const s = await openStore(await freshDb(backend));
      const recs = [fakeRecord(1, 4), fakeRecord(2, 7)];
      for (const r of recs) await s.recordMigration(r);
      const back = await s.listMigrations();
      assert.equal(back.length, 2);
      assert.deepEqual(back[0], recs[0]);
      assert.deepEqual(back[1].trace, recs[1].trace);
      assert.equal(await s.countMigrations(), 2);
      await s.close();
    });

    it('keeps the lab machine a migration ran on; a record without one reads back without one', async () => {
      const s = await openStore(await freshDb(backend));
      const r = { ...fakeRecord(5, 2), host: { cpu: 'AMD EPYC', cpus: 2 } };
      await s.recordMigration(r);
      await s.recordMigration(fakeRecord(6, 2));
      const back = await s.listMigrations();
      assert.deepEqual(back.find((b) => b.id === r.id)?.host, { cpu: 'AMD EPYC', cpus: 2 });
      assert.equal(back.find((b) => b.id !== r.id)?.host, undefined);
      await s.close();
    });

    it("keeps a sample's pseudo-migration (bitmap counts, zero share) with the migration and on its own", async () => {
      const s = await openStore(await freshDb(backend));
      const r = fakeRecord(3, 3);
      r.sample = { ...r.sample, bitmapCurve: [{ windowSec: 0.8, dirtiedBytes: 2.5e7 }, { windowSec: 4, dirtiedBytes: 3e7 }], bitmapZeroShare: 0.125, zeroPageFractionLate: 0.2, zeroPagesLateAt: '2026-11-22T00:00:05.000Z', nonZeroGrowthBytesPerSec: 1e6, ramLayout: { windowSec: 1.02, nonZeroPages: [10, 0, 7], changedPages: [1, 0, 3] } };
      r.migrationStartedAt = '2026-11-22T00:00:09.000Z';
      await s.recordMigration(r);
      const [back] = await s.listMigrations();
      assert.deepEqual(back.sample, r.sample);
      assert.equal(back.migrationStartedAt, r.migrationStartedAt);
      await s.recordSample('vm-p', r.sample, { id: 'sample-p', source: 'agent' });
      await s.recordSample('vm-q', fakeRecord(4).sample, { id: 'sample-q', source: 'agent' });
      const [p] = await s.listSamples({ vmId: 'vm-p' });
      assert.deepEqual(p.bitmapCurve, r.sample.bitmapCurve);
      assert.equal(p.bitmapZeroShare, 0.125);
      const [q] = await s.listSamples({ vmId: 'vm-q' });
      assert.equal(q.bitmapCurve, undefined, 'a sample without a pseudo-migration reads back without one');
      await s.close();
    });

    it('schema migrations run once: reopening keeps the data', async () => {
      const db = await freshDb(backend);
      const a = await openStore(db);
      await a.recordMigration(fakeRecord(1));
      await a.close();
      const b = await openStore(db);
      assert.equal(await b.countMigrations(), 1);
      await b.close();
    });

    it('a migration that fails to write leaves nothing behind', async () => {
      const s = await openStore(await freshDb(backend));
      const r = fakeRecord(1);
      await s.recordMigration(r);
      const dup = { ...fakeRecord(2), id: r.id }; // same id: the migration insert fails after the sample insert
      await assert.rejects(s.recordMigration(dup));
      assert.equal(await s.countMigrations(), 1);
      const back = await s.listMigrations();
      assert.deepEqual(back[0].trace, r.trace);
      await s.close();
    });

    it('fitted models are versioned', async () => {
      const s = await openStore(await freshDb(backend));
      await s.saveModel('energy', { alphaJoulesPerMiB: 0.5 }, 0.99);
      const v2 = await s.saveModel('energy', { alphaJoulesPerMiB: 0.6 }, 0.98);
      assert.equal(v2.version, 2);
      assert.deepEqual((await s.latestModel('energy'))?.params, { alphaJoulesPerMiB: 0.6 });
      assert.equal((await s.listModels()).length, 2);
      await s.close();
    });

    it('power samples: stored per host, re-imports replace, ranges read back in order', async () => {
      const s = await openStore(await freshDb(backend));
      await s.addPowerSamples('h1', [{ timestampSec: 3, watts: 130 }, { timestampSec: 1, watts: 100 }, { timestampSec: 2, watts: 120 }]);
      await s.addPowerSamples('h1', [{ timestampSec: 2, watts: 125 }]);
      await s.addPowerSamples('h2', [{ timestampSec: 2, watts: 999 }]);
      assert.deepEqual(await s.powerSamples('h1', 1, 2), [{ timestampSec: 1, watts: 100 }, { timestampSec: 2, watts: 125 }]);
      await s.close();
    });
  });
}

describe('foreign and corrupt databases get a clear error and are left untouched', () => {
  it('a file that is not SQLite', async () => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'my precious notes\n'.repeat(100));
    const before = sha(f);
    await assert.rejects(openStore(f), (e: unknown) => e instanceof StoreError && /not a SQLite database/.test((e as Error).message));
    assert.equal(sha(f), before);
  });
  it("a SQLite file of someone else's", async () => {
    const f = join(dir, 'other.sqlite');
    const raw = new SqliteDatabase(f);
    raw.exec('create table users (id integer primary key, name text); insert into users (name) values (\'ada\')');
    raw.close();
    const before = sha(f);
    await assert.rejects(openStore(f), (e: unknown) => e instanceof StoreError && /not migcost's/.test((e as Error).message));
    assert.equal(sha(f), before);
  });
  it("a PostgreSQL database of someone else's", { skip: PG ? false : 'no MIGCOST_TEST_PG_URL' }, async () => {
    const url = await freshDb('postgres');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('create table users (id int)');
    await c.end();
    await assert.rejects(openStore(url), (e: unknown) => e instanceof StoreError && /not migcost's/.test((e as Error).message));
  });
  it('a PostgreSQL server that is not there', async () => {
    await assert.rejects(openStore('postgres://nobody:secret@127.0.0.1:1/none'), (e: unknown) => e instanceof StoreError && /cannot connect/.test((e as Error).message) && !/secret/.test((e as Error).message));
  });
});

describe('durability', () => {
  it('a writer killed with SIGKILL mid-batch loses no committed migration and leaves none half-written', async () => {
    const db = join(dir, 'killed.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./writer.ts', import.meta.url).pathname, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    let committed = 0;
    // A reader beside the writer: every migration it sees has all of its rounds.
    let writing = true;
    let reads = 0;
    const reader = (async () => {
      while (committed < 1 && writing) await new Promise((r) => setTimeout(r, 20));
      const rs = await openStore(db);
      try {
        while (writing) {
          for (const r of await rs.listMigrations()) assert.equal(r.trace.length, 200, `a reader saw migration ${r.id} with ${r.trace.length} of its 200 rounds`);
          reads++;
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await rs.close();
      }
    })();
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /committed (\d+)\n(?![\s\S]*committed)/.exec(d.toString());
        if (m) committed = Number(m[1]);
        if (committed >= 20 && !child.killed) {
          child.kill('SIGKILL'); // in the middle of the next batch
          resolve();
        }
      });
      child.on('exit', (code) => (committed >= 20 ? resolve() : reject(new Error(`writer exited early (${code})`))));
    });
    await new Promise((r) => child.once('exit', r));
    writing = false;
    await reader;
    assert.ok(reads >= 1, 'the reader read while the writer wrote');
    const s = await openStore(db);
    const recs = await s.listMigrations();
    assert.ok(recs.length >= committed, `${recs.length} stored, ${committed} reported committed`);
    for (const r of recs) assert.equal(r.trace.length, 200, `migration ${r.id} has ${r.trace.length} of its 200 rounds`);
    await s.close();
  });
});
