/**
 * The store's dirty-rate samples behind POST /v1/vms/:id/samples, on every backend: stored once per id, newest
 * first, also when 200 first samples of a new VM arrive at once; an id replayed under another VM is refused (409)
 * and creates nothing; the list routes answer pages that a client walks with `next`; GET /v1/fits follows the history.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/store.js';
import { buildApp } from '../../src/http/app.js';
import type { VmSample } from '../../src/model/sample.js';
import { fakeRecord } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-samples-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PG = process.env.MIGCOST_TEST_PG_URL;

let n = 0;
async function freshDb(backend: 'sqlite' | 'postgres'): Promise<string> {
  if (backend === 'sqlite') return join(dir, `samples-${backend}-${n++}.sqlite`);
  const name = `migcost_samples_${process.pid}_${n++}`;
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`drop database if exists ${name}`);
  await c.query(`create database ${name}`);
  await c.end();
  return PG!.replace(/\/[^/]*$/, `/${name}`);
}

const TOKEN = 'samples-store-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

const sample = (i: number): VmSample => ({ memoryBytes: 2 ** 30, pageSizeBytes: 4096, dirtyRateBytesPerSec: 1e6 * i, curve: [{ windowSec: 1, dirtiedBytes: 1e6 * i }], zeroPageFraction: 0.1, sampledAt: new Date(Date.UTC(2026, 10, 22, 1, 0, i)).toISOString() });

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`samples on ${backend}`, { skip: backend === 'postgres' && !PG ? 'no MIGCOST_TEST_PG_URL' : false }, () => {
    it('records a sample once per idempotency id, creates the VM, lists newest first', async () => {
      const s = await openStore(await freshDb(backend));
      try {
        assert.deepEqual(await s.recordSample('vm-new', sample(1), { id: 'agent-0001', source: 'agent' }), { created: true });
        assert.deepEqual(await s.recordSample('vm-new', sample(1), { id: 'agent-0001', source: 'agent' }), { created: false });
        assert.deepEqual(await s.recordSample('vm-new', sample(2), { id: 'agent-0002', source: 'agent' }), { created: true });
        assert.deepEqual(await s.listVms(), [{ id: 'vm-new', migrations: 0 }]);
        const got = await s.listSamples({ vmId: 'vm-new' });
        assert.deepEqual(got.map((x) => x.id), ['agent-0002', 'agent-0001']);
        assert.equal(got[1].dirtyRateBytesPerSec, 1e6);
        assert.deepEqual(got[1].curve, [{ windowSec: 1, dirtiedBytes: 1e6 }]);
        assert.equal((await s.listSamples({ vmId: 'vm-new', limit: 1 })).length, 1);
        // A lab record for the same VM id still records (the VM row exists already).
        const r = fakeRecord(1, 3);
        r.config.params = { vm: 'vm-new' };
        await s.recordMigration(r);
        assert.deepEqual(await s.listVms(), [{ id: 'vm-new', migrations: 1 }]);
      } finally {
        await s.close();
      }
    });

    it('200 first samples of a new VM at once (100 ids, each posted twice): every one answered 2xx, each id stored once', async () => {
      const s = await openStore(await freshDb(backend));
      const app = buildApp({ store: s, token: TOKEN, webRoot: false });
      try {
        const ids = Array.from({ length: 100 }, (_, i) => `first-${String(i).padStart(4, '0')}`);
        await Promise.all(Array.from({ length: 16 }, () => s.listVms())); // every pooled connection open: the posts race
        const answers = await Promise.all(
          [...ids, ...ids].map((id, i) => app.inject({ method: 'POST', url: '/v1/vms/vm-burst/samples', headers: auth, payload: { id, sample: sample(1 + (i % 100)) } })),
        );
        assert.deepEqual(answers.filter((a) => a.statusCode >= 300).map((a) => `${a.statusCode} ${a.body}`), []);
        const created = answers.filter((a) => a.statusCode === 201).map((a) => a.json().id as string);
        assert.deepEqual(created.sort(), ids, 'each id created exactly once');
        assert.deepEqual(await s.listVms(), [{ id: 'vm-burst', migrations: 0 }]);
        assert.deepEqual((await s.listSamples({ vmId: 'vm-burst', limit: 1000 })).map((x) => x.id).sort(), ids);
      } finally {
        await app.close();
        await s.close();
      }
    });

    it('a sample id replayed under another VM is a 409 naming id and its VM, and creates nothing; under the same VM a 200', async () => {
      const s = await openStore(await freshDb(backend));
      const app = buildApp({ store: s, token: TOKEN, webRoot: false });
      const post = (vm: string, i: number) => app.inject({ method: 'POST', url: `/v1/vms/${vm}/samples`, headers: auth, payload: { id: 'replay-0001', sample: sample(i) } });
      try {
        assert.equal((await post('vm-first', 1)).statusCode, 201);
        const other = await post('vm-other', 2);
        assert.equal(other.statusCode, 409, other.body);
        assert.equal(other.json().field, 'id');
        assert.match(other.json().message, /replay-0001.*vm-first/);
        assert.deepEqual((await app.inject({ url: '/v1/vms' })).json().vms, [{ id: 'vm-first', migrations: 0 }]);
        assert.equal((await app.inject({ url: '/v1/vms/vm-other/migrations' })).statusCode, 404);
        const same = await post('vm-first', 1);
        assert.equal(same.statusCode, 200, same.body);
        assert.deepEqual(same.json(), { id: 'replay-0001', created: false });
        assert.deepEqual((await s.listSamples({ vmId: 'vm-first' })).map((x) => [x.id, x.dirtyRateBytesPerSec]), [['replay-0001', 1e6]]);
        await assert.rejects(s.recordSample('vm-third', sample(3), { id: 'replay-0001', source: 'test' }), { name: 'SampleIdTaken', heldBy: 'vm-first' });
        assert.equal(await s.hasVm('vm-third'), false);
      } finally {
        await app.close();
        await s.close();
      }
    });

    it('the list routes answer pages; following next reads everything once, in order', async () => {
      const s = await openStore(await freshDb(backend));
      const app = buildApp({ store: s, token: TOKEN, webRoot: false });
      const get = async (url: string) => {
        const r = await app.inject({ url });
        assert.equal(r.statusCode, 200, r.body);
        return r.json();
      };
      /** Every item of a list, page by page. */
      const walk = async (url: string, key: string) => {
        const items: { id: string }[] = [];
        let next: string | undefined;
        let pages = 0;
        do {
          const body = await get(`${url}${url.includes('?') ? '&' : '?'}${next ? `cursor=${next}` : ''}`);
          items.push(...body[key]);
          next = body.next;
          pages++;
        } while (next);
        return { ids: items.map((x) => x.id), pages };
      };
      try {
        const recs = Array.from({ length: 7 }, (_, i) => fakeRecord(i, 2));
        recs[5].startedAt = recs[4].startedAt; // a tie on startedAt: ordered by id
        for (const r of [...recs].reverse()) {
          r.config.params = { vm: 'vm-a' };
          await s.recordMigration(r);
        }
        const oldestFirst = [...recs].sort((a, b) => (a.startedAt === b.startedAt ? (a.id < b.id ? -1 : 1) : a.startedAt < b.startedAt ? -1 : 1)).map((r) => r.id);
        assert.deepEqual(await walk('/v1/vms/vm-a/migrations?limit=3', 'migrations'), { ids: oldestFirst, pages: 3 });
        assert.deepEqual((await get('/v1/vms/vm-a/migrations?limit=1')).migrations.map((m: { id: string }) => m.id), [oldestFirst[0]], 'limit keeps the oldest');
        const whole = await get('/v1/vms/vm-a/migrations');
        assert.equal(whole.next, undefined, 'one page when everything fits');
        assert.deepEqual(whole.migrations.map((m: { trace: unknown[] }) => m.trace.length), [2, 2, 2, 2, 2, 2, 2]);
        for (let i = 0; i < 5; i++) await s.recordSample('vm-s', sample(i), { id: `s-${i}`, source: 'test' });
        assert.deepEqual(await walk('/v1/vms/vm-s/samples?limit=2', 'samples'), { ids: ['s-4', 's-3', 's-2', 's-1', 's-0'], pages: 3 });
        for (const v of ['vm-c', 'vm-b']) await s.recordSample(v, sample(9), { id: `s-${v}`, source: 'test' });
        assert.deepEqual(await walk('/v1/vms?limit=2', 'vms'), { ids: ['vm-a', 'vm-b', 'vm-c', 'vm-s'], pages: 2 });
        assert.deepEqual((await get('/v1/vms')).vms, [{ id: 'vm-a', migrations: 7 }, { id: 'vm-b', migrations: 0 }, { id: 'vm-c', migrations: 0 }, { id: 'vm-s', migrations: 0 }]);
        const bad = await app.inject({ url: '/v1/vms/vm-a/migrations?cursor=bm90LWEtY3Vyc29y' });
        assert.equal(bad.statusCode, 400);
        assert.equal(bad.json().field, 'cursor');
        assert.equal((await app.inject({ url: '/v1/vms/nope/migrations' })).statusCode, 404);
      } finally {
        await app.close();
        await s.close();
      }
    });

    it('GET /v1/fits fits the newest migrations and follows the history', async () => {
      const s = await openStore(await freshDb(backend));
      const app = buildApp({ store: s, token: TOKEN, webRoot: false });
      const fits = async (q = '') => (await app.inject({ url: `/v1/fits${q}` })).json();
      try {
        await s.recordMigration(fakeRecord(1, 3));
        await s.recordMigration(fakeRecord(2, 3));
        assert.equal((await fits()).migrations, 2);
        assert.equal((await fits()).migrations, 2);
        await s.recordMigration(fakeRecord(3, 3));
        assert.equal((await fits()).migrations, 3, 'a new migration is seen at once');
        assert.equal((await fits('?last=2')).migrations, 2);
        assert.equal((await app.inject({ url: '/v1/fits?last=0' })).statusCode, 400);
      } finally {
        await app.close();
        await s.close();
      }
    });
  });
}
