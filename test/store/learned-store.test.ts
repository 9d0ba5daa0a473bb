/**
 * `calibrate --learn`'s store side: imported migrations fitted into a learned correction, saved as a model version
 * in SQLite and restored from it to the same predictions; a second fit is the next version.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.js';
import { learnFromStore } from '../../src/cli/commands/calibrate/learn.js';
import { LEARNED_KIND, isLearnedModel, learnedPredictor } from '../../src/calibrate/learned.js';
import { fitScalarLearned, scalarBase } from '../../src/calibrate/learned-scalar.js';
import { syntheticRows } from '../calibrate/learned-fixture.js';
import { buildApp } from '../../src/http/app.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-learned-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a learned correction in the store', () => {
  it('is fitted on the stored migrations, saved as a version, and restored to the same predictions', async () => {
    const rows = syntheticRows(120);
    const store = await openStore(join(dir, 'l.sqlite'));
    try {
      assert.equal(await store.importMigrations(rows.map((r, i) => (i === 0 ? { ...r, zeroPageFraction: 0.25 } : r))), 120);
      const back = await store.listLogged({ limit: 1 });
      assert.equal(back[0].zeroPageFraction, 0.25, 'an imported zeroPages share is kept');
      const s = await learnFromStore(store);
      assert.equal(s.version, 1);
      assert.equal(s.rows, 120);
      assert.deepEqual(s.bySource, { import: 120 });
      assert.deepEqual(s.workloads, ['db', 'web']);
      const stored = await store.latestModel(LEARNED_KIND);
      assert.ok(stored && isLearnedModel(stored.params));
      const fromStore = learnedPredictor(stored.params);
      const direct = learnedPredictor(fitScalarLearned(await store.listLogged()));
      for (const m of rows.slice(0, 10)) assert.deepEqual(fromStore.apply(m, scalarBase(m)), direct.apply(m, scalarBase(m)));
      assert.equal((await learnFromStore(store)).version, 2);
    } finally {
      await store.close();
    }
  });

  it('POST /v1/predict on a server with a store answers the learned figure, the analytic one beside it', async () => {
    const store = await openStore(join(dir, 'api.sqlite'));
    const app = buildApp({ store, token: 'learned-store-test-token-0123456789', webRoot: false });
    try {
      const body = { memory: '2GiB', dirtyRate: '70MiB/s', bandwidth: '100MiB/s' };
      const none = (await app.inject({ method: 'POST', url: '/v1/predict', payload: body })).json();
      assert.deepEqual(none.learned, { applied: false, answer: false, reason: 'no learned model in the store (run `migcost calibrate --learn`)' });
      await store.importMigrations(syntheticRows(60));
      await learnFromStore(store);
      // a fresh app: the first reads the store at most every 10 s
      const app2 = buildApp({ store, token: 'learned-store-test-token-0123456789', webRoot: false });
      try {
        const l = (await app2.inject({ method: 'POST', url: '/v1/predict', payload: body })).json();
        assert.equal(l.learned.applied, true);
        assert.equal(l.learned.version, 1);
        assert.equal(l.totalTimeSec, l.learned.totalTimeSec);
        assert.notEqual(l.totalTimeSec, l.analytic.totalTimeSec);
        const a = (await app2.inject({ method: 'POST', url: '/v1/predict', payload: { ...body, learned: false } })).json();
        assert.equal(a.learned.answer, false);
        assert.equal(a.totalTimeSec, a.analytic.totalTimeSec);
        const far = await app2.inject({ method: 'POST', url: '/v1/predict', payload: { ...body, dirtyRate: '300MiB/s' } });
        assert.equal(far.statusCode, 200);
        assert.match(far.json().learned.reason, /^dirtyRate\/bandwidth 3 is outside the trained/);
      } finally {
        await app2.close();
      }
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('needs ten migrations, and says so naming --learn', async () => {
    const store = await openStore(join(dir, 'few.sqlite'));
    try {
      await store.importMigrations(syntheticRows(9));
      await assert.rejects(learnFromStore(store), /--learn: .*needs at least 10 completed migrations/);
    } finally {
      await store.close();
    }
  });
});
