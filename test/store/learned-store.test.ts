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

  it('POST /v1/predict/batch on a server with a store answers each row as POST /v1/predict does; learned: false keeps the analytic figure', async () => {
    const store = await openStore(join(dir, 'batch.sqlite'));
    const token = 'learned-store-test-token-0123456789';
    try {
      const rows = [
        { id: 'a', memory: '2GiB', dirtyRate: '70MiB/s', bandwidth: '100MiB/s' },
        { id: 'b', memory: '1GiB', dirtyRate: '10MiB/s', bandwidth: '100MiB/s', zeroPageFraction: 0.5 },
        { id: 'c', memory: '2GiB', dirtyRate: '300MiB/s', bandwidth: '100MiB/s' },
      ];
      const empty = buildApp({ store, token, webRoot: false });
      try {
        const none = (await empty.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows } })).json().results;
        assert.deepEqual(none[0].learned, { applied: false, answer: false, reason: 'no learned model in the store (run `migcost calibrate --learn`)' });
        assert.equal(none[0].scalarReading.zeroFrom, 'assumed');
        assert.match(none[0].scalarReading.assumption, /^no zero pages \(assumed with no history/);
      } finally {
        await empty.close();
      }
      await store.importMigrations(syntheticRows(60));
      const s = await learnFromStore(store);
      assert.equal(s.scalarFit?.version, 1, 'the scalar fit is saved beside the correction');
      const app = buildApp({ store, token, webRoot: false });
      try {
        const res = await app.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows } });
        assert.equal(res.statusCode, 200, res.body);
        const [a, b, c] = res.json().results;
        assert.equal(a.id, 'a');
        // the same answer as one POST /v1/predict of the row
        const { id: _, ...single } = rows[0];
        const one = (await app.inject({ method: 'POST', url: '/v1/predict', payload: single })).json();
        for (const k of ['totalTimeSec', 'transferredBytes', 'downtimeSec', 'energyJoules']) assert.equal(a[k], one[k], k);
        assert.deepEqual(a.learned, one.learned);
        assert.deepEqual(a.analytic, one.analytic);
        assert.equal(a.learned.applied, true);
        assert.equal(a.totalTimeSec, a.learned.totalTimeSec);
        assert.notEqual(a.totalTimeSec, a.analytic.totalTimeSec);
        assert.equal(a.scalarReading.zeroFrom, 'log');
        assert.equal(b.scalarReading.zeroFrom, 'given');
        assert.equal(b.scalarReading.zeroPageFraction, 0.5);
        assert.match(c.learned.reason, /^dirtyRate\/bandwidth 3 is outside the trained/);
        assert.equal(c.totalTimeSec, c.analytic.totalTimeSec);
        const kept = (await app.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows, learned: false } })).json().results;
        assert.equal(kept[0].learned.answer, false);
        assert.equal(kept[0].learned.applied, true);
        assert.equal(kept[0].totalTimeSec, kept[0].analytic.totalTimeSec);
        assert.equal(kept[0].learned.totalTimeSec, a.learned.totalTimeSec);
      } finally {
        await app.close();
      }
    } finally {
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
