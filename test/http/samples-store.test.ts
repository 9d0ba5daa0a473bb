/** The store's dirty-rate samples behind POST /v1/vms/:id/samples, on every backend: stored once per id, newest first. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../src/store/store.js';
import type { VmSample } from '../../src/model/sample.js';
import { fakeRecord } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-samples-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PG = process.env.MIGCOST_TEST_PG_URL;

async function freshDb(backend: 'sqlite' | 'postgres'): Promise<string> {
  if (backend === 'sqlite') return join(dir, `samples-${backend}.sqlite`);
  const name = `migcost_samples_${process.pid}`;
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`drop database if exists ${name}`);
  await c.query(`create database ${name}`);
  await c.end();
  return PG!.replace(/\/[^/]*$/, `/${name}`);
}

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
  });
}
