/**
 * The sweep_runs table (migration 0006) on both backends: a run is stored once per key and read back as written;
 * a PostgreSQL database that also holds pg-boss's queue schema is still migcost's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { SweepRunStore } from '../../src/store/sweep-runs.js';
import { openStore } from '../../src/store/store.js';

const PG = process.env.MIGCOST_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'migcost-sweep-runs-'));
let n = 0;
async function freshDb(backend: 'sqlite' | 'postgres'): Promise<string> {
  if (backend === 'sqlite') return join(dir, `db-${n++}.sqlite`);
  const name = `migcost_sweep_${process.pid}_${n++}`;
  const c = new pg.Client({ connectionString: PG });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  return PG!.replace(/\/[^/]*$/, `/${name}`);
}

const cols = { day: '20110303', detector: 'thr', detectorParam: 0.8, policy: 'mmt', seed: 1, memorySource: 'vm-type' };

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`sweep_runs on ${backend}`, { skip: backend === 'postgres' && !PG ? 'no MIGCOST_TEST_PG_URL' : false }, () => {
    it('stores a run once per key and reads back its inputs and result', async () => {
      const s = await SweepRunStore.open(await freshDb(backend));
      try {
        const result = { energyKWh: 198.08271604938272, migrations: 27728, timeline: [{ timeSec: 300, powerW: 1e-7 }], missing: null };
        assert.equal(await s.put('k1', cols, { policy: 'mmt', seed: 1 }, result, 2.5), true);
        assert.equal(await s.put('k1', { ...cols, policy: 'mc' }, { policy: 'mc' }, { energyKWh: 1 }, 1), false);
        assert.equal(await s.count(), 1);
        assert.deepEqual([...(await s.has(['k1', 'k2']))], ['k1']);
        const got = (await s.get(['k1', 'k2'])).get('k1')!;
        assert.deepEqual(got.result, result);
        assert.deepEqual(got.inputs, { policy: 'mmt', seed: 1 });
        assert.equal(got.wallSec, 2.5);
      } finally {
        await s.close();
      }
    });
  });
}

describe('a PostgreSQL store beside pg-boss', { skip: !PG ? 'no MIGCOST_TEST_PG_URL' : false }, () => {
  it("opens: pg-boss's schema is not a stranger's table", async () => {
    const url = await freshDb('postgres');
    (await SweepRunStore.open(url)).close();
    const boss = new PgBoss({ connectionString: url, schema: 'pgboss', schedule: false, supervise: false });
    await boss.start();
    await boss.stop({ graceful: false, wait: true });
    const store = await openStore(url);
    assert.equal(await store.countMigrations(), 0);
    await store.close();
  });
});
