/**
 * A database that is not migcost's is refused and left exactly as it was: on SQLite the file and any -wal/-shm
 * sibling keep their sha256 (and no sibling appears), in both journal modes, on every refusal path; on PostgreSQL
 * no table appears. A PostgreSQL URL's password never shows in an error.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { openStore, StoreError } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-refusal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PG = process.env.MIGCOST_TEST_PG_URL;

/** sha256 of the file and of its -wal, -shm and -journal siblings ('absent' when there is none). */
function fingerprint(f: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of ['', '-wal', '-shm', '-journal']) out[`file${s}`] = existsSync(f + s) ? createHash('sha256').update(readFileSync(f + s)).digest('hex') : 'absent';
  return out;
}

/** Each way a SQLite file can be not migcost's, and what the refusal says. */
const FOREIGN: { name: string; sql: string; says: RegExp }[] = [
  { name: "someone else's tables", sql: "create table users (id integer primary key, name text); insert into users (name) values ('ada')", says: /not migcost's \(users\)/ },
  { name: "another application's migcost_meta", sql: "create table migcost_meta (key text primary key, value text not null); insert into migcost_meta values ('app', 'other')", says: /migcost_meta table is not migcost's/ },
  { name: 'a migcost_meta of other columns', sql: 'create table migcost_meta (id integer primary key, blob blob)', says: /migcost_meta table is not migcost's/ },
  { name: 'only a view', sql: 'create view answer as select 42 as n', says: /not migcost's \(answer\)/ },
  { name: "migcost's meta and user tables", sql: "create table migcost_meta (key text primary key, value text not null); insert into migcost_meta values ('app', 'migcost'); create table users (id integer)", says: /not migcost's \(users\)/ },
  { name: "migcost's meta without its schema history", sql: "create table migcost_meta (key text primary key, value text not null); insert into migcost_meta values ('app', 'migcost')", says: /no schema history/ },
  { name: 'a migcost store with a view added', sql: '', says: /not migcost's \(extra\)/ },
];

let n = 0;
describe('a refused SQLite file is left byte-for-byte unchanged', () => {
  for (const mode of ['delete', 'wal'] as const) {
    for (const c of FOREIGN) {
      it(`${c.name} (journal mode ${mode})`, async () => {
        const f = join(dir, `foreign-${n++}.sqlite`);
        if (c.sql === '') {
          await (await openStore(f)).close();
          const raw = new SqliteDatabase(f);
          raw.exec('create view extra as select 1');
          raw.pragma(`journal_mode = ${mode}`);
          raw.close();
        } else {
          const raw = new SqliteDatabase(f);
          raw.pragma(`journal_mode = ${mode}`);
          raw.exec(c.sql);
          raw.close();
        }
        const before = fingerprint(f);
        await assert.rejects(openStore(f), (e: unknown) => e instanceof StoreError && c.says.test((e as Error).message));
        assert.deepEqual(fingerprint(f), before);
      });
    }
  }

  it('a file that is not SQLite at all', async () => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'my precious notes\n'.repeat(100));
    const before = fingerprint(f);
    await assert.rejects(openStore(f), (e: unknown) => e instanceof StoreError && /not a SQLite database/.test((e as Error).message));
    assert.deepEqual(fingerprint(f), before);
  });

  // Reading a WAL database that another process has open writes a read mark into its -shm (the shared-memory
  // index every reader of it updates, never part of the data): the file and its -wal stay byte-for-byte the same.
  it('a WAL file still open in another process (its -wal and -shm present) is refused; the file and its -wal are unchanged', async () => {
    const f = join(dir, 'open-elsewhere.sqlite');
    const other = new SqliteDatabase(f);
    other.pragma('journal_mode = WAL');
    other.pragma('wal_autocheckpoint = 0');
    other.exec('create table users (id integer); insert into users values (1)');
    try {
      const before = fingerprint(f);
      assert.notEqual(before['file-wal'], 'absent');
      await assert.rejects(openStore(f), (e: unknown) => e instanceof StoreError && /not migcost's/.test((e as Error).message));
      const afterwards = fingerprint(f);
      assert.deepEqual({ ...afterwards, 'file-shm': 'present' }, { ...before, 'file-shm': 'present' });
      assert.notEqual(afterwards['file-shm'], 'absent');
      assert.deepEqual(other.prepare('select * from users').all(), [{ id: 1 }], 'the other process reads on');
    } finally {
      other.close();
    }
  });

  it('an empty file and a missing one become stores; a store opens again', async () => {
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    for (const f of [empty, join(dir, 'sub', 'new.sqlite'), empty]) {
      const s = await openStore(f);
      assert.equal(await s.countMigrations(), 0);
      await s.close();
    }
  });
});

describe('a refused PostgreSQL database is left unchanged', { skip: PG ? false : 'no MIGCOST_TEST_PG_URL' }, () => {
  const cases: { name: string; sql: string; says: RegExp }[] = [
    { name: "someone else's tables", sql: 'create table users (id int)', says: /not migcost's \(users\)/ },
    { name: 'only a view', sql: 'create view answer as select 42 as n', says: /not migcost's \(answer\)/ },
    { name: "migcost's meta and user tables", sql: "create table migcost_meta (key text primary key, value text not null); insert into migcost_meta values ('app', 'migcost'); create table users (id int)", says: /not migcost's \(users\)/ },
    { name: "another application's migcost_meta", sql: "create table migcost_meta (key text primary key, value text not null); insert into migcost_meta values ('app', 'other')", says: /migcost_meta table is not migcost's/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const name = `migcost_refused_${process.pid}_${n++}`;
      const admin = new pg.Client({ connectionString: PG });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = PG!.replace(/\/[^/]*$/, `/${name}`);
      const c2 = new pg.Client({ connectionString: url });
      await c2.connect();
      try {
        await c2.query(c.sql);
        const objects = "select table_schema, table_name, table_type from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema') order by 1, 2";
        const before = (await c2.query(objects)).rows;
        await assert.rejects(openStore(url), (e: unknown) => e instanceof StoreError && c.says.test((e as Error).message));
        assert.deepEqual((await c2.query(objects)).rows, before);
      } finally {
        await c2.end();
      }
    });
  }
});

describe("a PostgreSQL URL's password never shows", () => {
  const secretOf = (e: unknown) => inspect(e, { depth: 10 }) + String((e as Error).stack);
  for (const [url, secret] of [
    ['postgres://nobody:s3cr3t-pw@127.0.0.1:1/none', 's3cr3t-pw'],
    ['postgres://nobody:sl%2Fash%40pw@127.0.0.1:1/none', 'sl/ash@pw'],
    ['postgres://nobody:zq9x@k7vw@127.0.0.1:notaport/none', 'zq9x@k7vw'],
  ] as const) {
    it(`not in the error of ${url.replace(/:[^:@]*@/, ':…@')}`, async () => {
      await assert.rejects(openStore(url), (e: unknown) => {
        assert.ok(e instanceof StoreError, String(e));
        const text = secretOf(e);
        for (const s of [secret, encodeURIComponent(secret), secret.split('@')[0]]) assert.ok(!text.includes(s), `"${s}" shows in: ${text.slice(0, 400)}`);
        assert.match((e as Error).message, /\*\*\*/);
        return true;
      });
    });
  }
  it('nor in the location of a store, nor when the database is missing', { skip: PG ? false : 'no MIGCOST_TEST_PG_URL' }, async () => {
    const u = new URL(PG!);
    u.password = 'hunter2-pw';
    const s = await openStore(u.toString());
    assert.ok(!s.location.includes('hunter2') && s.location.includes('***'), s.location);
    await s.close();
    u.pathname = '/no_such_database_here';
    await assert.rejects(openStore(u.toString()), (e: unknown) => e instanceof StoreError && !secretOf(e).includes('hunter2') && /cannot connect/.test((e as Error).message));
  });
});
