/**
 * GET /v1/fits refits incrementally (routes/fit-window.ts): after each new migration it reads only the new ones and
 * answers exactly what a full read of the window gives, on random records; an older migration recorded late, or
 * a history that moved, makes it read the window again.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/store.js';
import { buildApp } from '../../src/http/app.js';
import { runFits } from '../../src/http/routes/calibrate.js';
import { FitWindow, fitRow, fitRows } from '../../src/http/routes/fit-window.js';
import type { MigrationRecord } from '../../src/record/record.js';
import { fakeRecord } from '../store/fixtures.js';
import { MiB, rng } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-fits-window-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A migration with random outcome and rounds, started `sec` seconds into the day (ids unique). */
function randomRecord(r: () => number, sec: number): MigrationRecord {
  const rounds = 1 + Math.floor(r() * 6);
  const rec = fakeRecord(sec, rounds);
  const stopCopyBytes = r() < 0.1 ? 0 : (1 + r() * 60) * MiB;
  rec.startedAt = new Date(Date.UTC(2026, 10, 22) + sec * 1000).toISOString();
  rec.sample.dirtyRateBytesPerSec = r() < 0.05 ? 0 : (5 + r() * 95) * MiB;
  rec.measured = {
    status: r() < 0.1 ? 'failed' : 'completed',
    totalTimeSec: 2 + r() * 20,
    downtimeSec: 0.01 + stopCopyBytes / ((rounds === 1 ? 300 : 400) * MiB) + r() * 0.005,
    transferredBytes: 1024 * MiB + r() * 512 * MiB,
    rounds,
    converged: true,
    setupSec: 0.001 + r() * 0.002,
    stopCopyBytes,
  };
  rec.trace = rec.trace.map((t) => ({ ...t, durationSec: r() < 0.05 ? 0 : 0.2 + r() * 2, dirtiedBytes: r() * 50 * MiB }));
  return rec;
}

const full = async (s: Store, last: number) => {
  const r = await runFits(s, { last });
  return { migrations: r.migrations, ...fitRows((await s.listMigrations({ last })).map(fitRow), ['qemu-platform', 'wws']), fromRunFits: r };
};

describe('GET /v1/fits kept up to date incrementally', () => {
  it('answers what a full read answers after every new migration, reading only the new ones', async () => {
    const s = await openStore(join(dir, 'slide.sqlite'));
    const r = rng(16);
    const windows = [4, 10, 40].map((size) => new FitWindow(s, size));
    try {
      for (let i = 0; i < 60; i++) {
        // one to three new migrations at a time, each newer than every one before
        const k = 1 + Math.floor(r() * 3);
        for (let j = 0; j < k; j++) await s.recordMigration(randomRecord(r, 10 * i + j));
        for (const w of windows) {
          const { rows } = await w.current();
          const want = await full(s, w.size);
          assert.equal(rows.length, want.migrations);
          assert.deepEqual(fitRows(rows, ['qemu-platform', 'wws']), { fits: want.fits, skipped: want.skipped }, `window ${w.size} after ${i + 1} steps`);
          assert.deepEqual({ fits: want.fromRunFits.fits, skipped: want.fromRunFits.skipped }, { fits: want.fits, skipped: want.skipped });
        }
      }
      for (const w of windows) assert.equal(w.fullReads, 1, `window ${w.size}: one full read, then only the new migrations`);
      const windowed = await full(s, 40);
      assert.ok(windowed.fits.some((f) => f.kind === 'qemu-platform') && windowed.fits.some((f) => f.kind === 'wws'), 'both fits ran');
    } finally {
      await s.close();
    }
  });

  it('reads the window again when an older migration is recorded late, and keeps the version while nothing changed', async () => {
    const s = await openStore(join(dir, 'late.sqlite'));
    const r = rng(17);
    const w = new FitWindow(s, 5);
    try {
      for (let i = 0; i < 8; i++) await s.recordMigration(randomRecord(r, 100 + i));
      const a = await w.current();
      assert.equal((await w.current()).version, a.version, 'unchanged history, same version');
      await s.recordMigration(randomRecord(r, 50)); // older than the window
      await s.recordMigration(randomRecord(r, 106.5)); // late, inside the window
      await s.recordMigration(randomRecord(r, 150)); // newer than the window: reading past the newest is not enough
      const b = await w.current();
      assert.equal(w.fullReads, 2);
      assert.notEqual(b.version, a.version);
      assert.deepEqual(fitRows(b.rows, ['qemu-platform', 'wws']), fitRows((await s.listMigrations({ last: 5 })).map(fitRow), ['qemu-platform', 'wws']));
      await s.recordMigration(randomRecord(r, 200));
      await s.recordMigration(randomRecord(r, 201));
      await w.current();
      assert.equal(w.fullReads, 2, 'a newer migration again slides the window');
    } finally {
      await s.close();
    }
  });

  it('the route answers as a fresh server would (a full read), also under concurrent calls', async () => {
    const s = await openStore(join(dir, 'route.sqlite'));
    const r = rng(18);
    const app = buildApp({ store: s, webRoot: false });
    try {
      for (let i = 0; i < 12; i++) {
        await s.recordMigration(randomRecord(r, i));
        const got = await Promise.all(['', '?last=4', ''].map(async (q) => (await app.inject({ url: `/v1/fits${q}` })).json()));
        const fresh = buildApp({ store: s, webRoot: false });
        const want = [(await fresh.inject({ url: '/v1/fits' })).json(), (await fresh.inject({ url: '/v1/fits?last=4' })).json()];
        await fresh.close();
        assert.deepEqual(got, [want[0], want[1], want[0]], `after ${i + 1} migrations`);
        assert.equal(got[0].migrations, i + 1);
      }
    } finally {
      await app.close();
      await s.close();
    }
  });
});
