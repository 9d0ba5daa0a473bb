/**
 * Many writer processes on one store, on every backend: two processes writing samples and migrations for 10 s
 * (new VMs appearing under both at once) lose and double nothing and see no error; two processes opening a new
 * database at the same moment both succeed, every time.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-concurrency-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PG = process.env.MIGCOST_TEST_PG_URL;
const WRITER = new URL('./writer.ts', import.meta.url).pathname;

let n = 0;
async function freshDb(backend: 'sqlite' | 'postgres'): Promise<string> {
  if (backend === 'sqlite') return join(dir, `db-${n++}.sqlite`);
  const name = `migcost_conc_${process.pid}_${n++}`;
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return PG!.replace(/\/[^/]*$/, `/${name}`);
}

/** Runs writer.ts with these arguments and answers the JSON line it prints last. */
function writer<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`writer ${args.join(' ')} exited ${code}: ${out.slice(-500)} ${err.slice(-2000)}`));
      }
    });
  });
}

/** A moment far enough ahead for both children to have started node and loaded the store. */
const soon = () => String(Date.now() + 4000);

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`many writers on ${backend}`, { skip: backend === 'postgres' && !PG ? 'no MIGCOST_TEST_PG_URL' : false }, () => {
    it('two processes writing samples and migrations for 10 s: no error, nothing lost or doubled', async () => {
      const db = await freshDb(backend);
      const at = soon();
      type Written = { samples: string[]; migrations: string[]; errors: string[] };
      const [a, b] = await Promise.all([writer<Written>([db, 'mix', at, '10', 'A']), writer<Written>([db, 'mix', at, '10', 'B'])]);
      assert.deepEqual([...a.errors, ...b.errors], []);
      assert.ok(a.samples.length > 10 && b.samples.length > 10, `both wrote (${a.samples.length}, ${b.samples.length} samples)`);
      const s = await openStore(db);
      try {
        const vms = await s.listVms();
        const stored = new Map<string, string[]>();
        for (const v of vms) stored.set(v.id, (await s.listSamples({ vmId: v.id, limit: 100_000 })).map((x) => x.id));
        const sampleIds = [...stored.values()].flat().filter((id) => !id.endsWith('-sample')); // a migration's own sample ends so
        assert.deepEqual(sampleIds.sort(), [...a.samples, ...b.samples].sort(), 'every acknowledged sample stored once, no other');
        const migrations = await s.listMigrations();
        assert.deepEqual(migrations.map((m) => m.id).sort(), [...a.migrations, ...b.migrations].sort(), 'every acknowledged migration stored once');
        for (const m of migrations) assert.equal(m.trace.length, 6, `migration ${m.id} has all of its rounds`);
        assert.equal(vms.reduce((t, v) => t + v.migrations, 0), migrations.length);
        assert.equal(await s.countMigrations(), migrations.length);
      } finally {
        await s.close();
      }
    });

    it('two processes opening a new database at the same moment both succeed, 10 times out of 10', async () => {
      const dbs: string[] = [];
      for (let i = 0; i < 10; i++) dbs.push(await freshDb(backend));
      const at = soon();
      type Opened = { ok: boolean; error?: string }[];
      const got = await Promise.all([writer<Opened>([dbs.join(','), 'open', at]), writer<Opened>([dbs.join(','), 'open', at])]);
      const all = Array.from({ length: 10 }, () => ({ ok: true }));
      assert.deepEqual(got, [all, all]);
      for (const db of dbs) {
        const s = await openStore(db);
        assert.equal(await s.countMigrations(), 0);
        await s.close();
      }
    });
  });
}
