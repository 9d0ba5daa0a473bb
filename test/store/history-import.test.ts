/**
 * An operator's migration log in the store: imported rows are migrations without a sample beside the lab's, all
 * or nothing, idempotent by id, exported with the same columns; an older store (schema 0004) upgrades keeping its
 * records. SQLite always, PostgreSQL when MIGCOST_TEST_PG_URL is set.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { openStore } from '../../src/store/store.js';
import { importLog, ImportRejected } from '../../src/store/import-log.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { readLoggedMigrations } from '../../src/record/log-file.js';
import { loggedFromRecord, type LoggedMigration } from '../../src/record/logged.js';
import { fakeRecord } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PG = process.env.MIGCOST_TEST_PG_URL;

let n = 0;
async function freshDb(backend: 'sqlite' | 'postgres'): Promise<string> {
  if (backend === 'sqlite') return join(dir, `db-${n++}.sqlite`);
  const name = `migcost_import_${process.pid}_${n++}`;
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return PG!.replace(/\/[^/]*$/, `/${name}`);
}

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

const HEADER = 'id,vmId,workload,technique,memory,dirtyRate,bandwidth,downtimeLimit,totalTime,downtime,transferred\n';
const GOOD = `${HEADER}a1,vm-1,redis,precopy,4GiB,50MiB/s,1Gbit/s,300ms,41.2,0.21,5.1GB\na2,,,,8589934592,1e7,125000000,,70,0.3,9e9\n`;

const A1: LoggedMigration = {
  id: 'a1', source: 'import', vmId: 'vm-1', workload: 'redis', technique: 'precopy', memoryBytes: 4 * 2 ** 30, dirtyRateBytesPerSec: 50 * 2 ** 20,
  bandwidthBytesPerSec: 1.25e8, downtimeLimitSec: 0.3, totalTimeSec: 41.2, downtimeSec: 0.21, transferredBytes: 5.1e9,
};
const A2: LoggedMigration = { id: 'a2', source: 'import', memoryBytes: 8589934592, dirtyRateBytesPerSec: 1e7, bandwidthBytesPerSec: 1.25e8, totalTimeSec: 70, downtimeSec: 0.3, transferredBytes: 9e9 };

async function allLogged(db: string): Promise<LoggedMigration[]> {
  const s = await openStore(db);
  try {
    return await s.listLogged();
  } finally {
    await s.close();
  }
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`history import on ${backend}`, { skip: backend === 'postgres' && !PG ? 'no MIGCOST_TEST_PG_URL' : false }, () => {
    it('stores a CSV log as migrations without a sample, beside a lab record, and reads them back as log rows', async () => {
      const db = await freshDb(backend);
      const s = await openStore(db);
      const lab = fakeRecord(1, 3);
      await s.recordMigration(lab);
      const r = await importLog(s, () => readLoggedMigrations(file(`good-${backend}.csv`, GOOD)));
      assert.deepEqual({ rows: r.rows, stored: r.stored, alreadyStored: r.alreadyStored, badRows: r.badRows }, { rows: 2, stored: 2, alreadyStored: 0, badRows: 0 });
      assert.equal(await s.countMigrations(), 3);
      // The sampled readers still see the lab record only, whole.
      const sampled = await s.listMigrations();
      assert.deepEqual(sampled.map((m) => m.id), [lab.id]);
      assert.deepEqual(sampled[0], lab);
      const logged = await s.listLogged();
      const byId = new Map(logged.map((m) => [m.id, m]));
      assert.deepEqual(byId.get('a1'), A1);
      assert.deepEqual(byId.get('a2'), A2);
      assert.deepEqual(byId.get(lab.id), loggedFromRecord(lab));
      assert.equal(await s.hasVm('vm-1'), true, 'a named VM is created');
      // Paging by id covers every row once.
      const first = await s.listLogged({ limit: 2 });
      const rest = await s.listLogged({ after: first[1].id });
      assert.deepEqual([...first, ...rest].map((m) => m.id), logged.map((m) => m.id));
      await s.close();
    });

    it('importing the same ids twice stores nothing twice; an id repeated in one file is stored once', async () => {
      const db = await freshDb(backend);
      const s = await openStore(db);
      const f = file(`twice-${backend}.jsonl`, `${JSON.stringify({ id: 'j1', memory: '1GiB', dirtyRate: 0, bandwidth: '100MiB/s', totalTime: '9s', downtime: '20ms', transferred: '1GiB' })}\n\n${JSON.stringify({ id: 'j1', memory: 1, dirtyRate: 0, bandwidth: 1, totalTime: 1, downtime: 0, transferred: 1 })}\n`);
      const once = await importLog(s, () => readLoggedMigrations(f));
      assert.deepEqual([once.stored, once.alreadyStored], [1, 1]);
      const again = await importLog(s, () => readLoggedMigrations(f));
      assert.deepEqual([again.stored, again.alreadyStored], [0, 2]);
      const [j1] = await s.listLogged();
      assert.equal(j1.memoryBytes, 2 ** 30, 'the first row of an id is the one kept');
      assert.equal(await s.countMigrations(), 1);
      await s.close();
    });

    it('stores nothing when a row is bad, naming every bad row by line, column and rule; --skip-bad stores the rest', async () => {
      const db = await freshDb(backend);
      const s = await openStore(db);
      const f = file(`bad-${backend}.csv`, `${GOOD}a3,vm-2,web,precopy,0,50MiB/s,1Gbit/s,300ms,abc,0.1,5.1GB\na4,vm-2,web,precopy,1GiB,fast,1Gbit/s,300ms,10,0.1,5.1GB\n`);
      await assert.rejects(() => importLog(s, () => readLoggedMigrations(f)), (e: unknown) => {
        assert.ok(e instanceof ImportRejected);
        assert.equal(e.badRows, 2);
        assert.deepEqual(e.errors.map((x) => `${x.line}:${x.column}`), ['4:memory', '4:totalTime', '5:dirtyRate']);
        assert.match(e.message, /line 4: memory: "0" must be greater than 0/);
        assert.match(e.message, /line 5: dirtyRate: "fast" is not a rate/);
        return true;
      });
      assert.equal(await s.countMigrations(), 0, 'nothing stored');
      // one transaction: the batches stored before the first bad row are rolled back with it
      await assert.rejects(() => importLog(s, () => readLoggedMigrations(f), { batchRows: 1 }), ImportRejected);
      assert.equal(await s.countMigrations(), 0, 'nothing stored, though two good rows came first');
      assert.equal(await s.hasVm('vm-1'), false, 'nor their VMs');
      const r = await importLog(s, () => readLoggedMigrations(f), { skipBad: true, batchRows: 1 });
      assert.deepEqual([r.rows, r.stored, r.badRows], [4, 2, 2]);
      assert.equal(await s.countMigrations(), 2);
      await s.close();
    });

    it('exports what it imported: the rows read back equal the rows written', async () => {
      const db = await freshDb(backend);
      const s = await openStore(db);
      await importLog(s, () => readLoggedMigrations(file(`rt-${backend}.csv`, GOOD)));
      await s.close();
      assert.deepEqual(await allLogged(db), [A1, A2]);
    });
  });
}

describe('a store of schema 0004 upgrades', () => {
  it('keeps its lab records and their rounds, and then takes imported rows', async () => {
    const db = join(dir, 'old.sqlite');
    const raw = new SqliteDatabase(db);
    raw.pragma('foreign_keys = ON');
    const k = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) });
    const { error } = await new Migrator({ db: k, provider: migrationProvider }).migrateTo('0004_paging_indexes');
    assert.equal(error, undefined);
    raw.exec(`insert into vms values ('vm-old', 'vm-old', 1024, '2026-01-01T00:00:00Z')`);
    raw.exec(`insert into samples (id, vm_id, taken_at, memory_bytes, dirty_rate_bytes_per_sec, curve_json, source) values ('s1', 'vm-old', '2026-01-01T00:00:00Z', 1024, 5, '[]', 'calc-dirty-rate')`);
    raw.exec(`insert into migrations (id, vm_id, sample_id, started_at, config_json, status, total_time_sec, downtime_sec, transferred_bytes, rounds, trace_rows, measured_json, predicted_json, qemu_version, accelerator)
      values ('old-1', 'vm-old', 's1', '2026-01-01T00:00:01Z', '{"memoryBytes":1024,"workload":"idle","params":{},"bandwidthBytesPerSec":100,"downtimeLimitSec":0.3,"autoConverge":true,"timeoutSec":30}', 'completed', 2, 0.1, 2048, 1, 1, '{"status":"completed","totalTimeSec":2,"downtimeSec":0.1,"transferredBytes":2048,"rounds":1,"converged":true,"setupSec":0}', '{}', '10.0.2', 'tcg')`);
    raw.exec(`insert into migration_rounds values ('old-1', 0, 'stop-copy', 2048, 1, 100, 0, 0, 0, 0)`);
    await k.destroy();
    const s = await openStore(db);
    const [old] = await s.listMigrations();
    assert.equal(old.id, 'old-1');
    assert.equal(old.trace.length, 1);
    assert.deepEqual(await s.listLogged(), [{ id: 'old-1', source: 'lab', workload: 'idle', technique: 'auto-converge', memoryBytes: 1024, dirtyRateBytesPerSec: 5, bandwidthBytesPerSec: 100, downtimeLimitSec: 0.3, totalTimeSec: 2, downtimeSec: 0.1, transferredBytes: 2048 }]);
    assert.equal(await s.importMigrations([A2]), 1);
    assert.equal(await s.countMigrations(), 2);
    await s.close();
    const check = new SqliteDatabase(db, { readonly: true });
    assert.deepEqual(check.pragma('foreign_key_check'), [], 'no foreign key broken by the rebuild');
    assert.equal((check.prepare(`select count(*) as n from sqlite_master where type = 'index' and tbl_name = 'migrations' and name like 'migrations_%'`).get() as { n: number }).n, 3);
    check.close();
  });
});
