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
