/**
 * Deng's pseudo-migration, QEMU's way: a pre-copy to /dev/null that QEMU pauses before switching over and
 * migcost cancels, so the VM never leaves; each round's bitmap sync counts every page written. Real QEMU.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGuest, labAvailable } from '../../src/qemu/guest.js';
import { bitmapCurve } from '../../src/qemu/sample.js';
import { correctedCurve } from '../../src/lab/variants.js';
import type { VmSample } from '../../src/lab/types.js';
import { MiB } from '../helpers.js';

const lab = labAvailable();

describe('pseudo-migration', () => {
  it('counts the pages a dirtier writes, and leaves the VM running on the source', { skip: lab.ok ? false : `QEMU lab not available: ${lab.why}` }, async () => {
    // 4,000 pages/s over a 32 MiB set: 15.6 MiB/s, so a ~1 s round dirties ~15 MiB (fewer under TCG load).
    const g = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 4000, pattern: 'random' } });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // A generous budget: on a loaded 2-core machine the first pass alone can take more than the default 3 s.
      const { points, zeroPages, normalPages } = await bitmapCurve(g.qmp, 256 * MiB, 0.5, { windowSec: 1, budgetSec: 12 });
      assert.ok(zeroPages + normalPages > 0, 'pages were re-sent after the first pass');
      assert.ok(normalPages > zeroPages, 'the dirtier writes non-zero data');
      assert.ok(points.length >= 1, 'at least the first round');
      const first = points.reduce((a, b) => (b.windowSec > a.windowSec ? b : a));
      assert.ok(first.windowSec > 0.3 && first.windowSec < 3, `round of ${first.windowSec} s`);
      assert.ok(first.dirtiedBytes > 2 * MiB && first.dirtiedBytes <= 40 * MiB, `dirtied ${first.dirtiedBytes / MiB} MiB`);
      assert.equal((await g.qmp.queryStatus()).status, 'running');
      const q = await g.qmp.queryMigrate();
      assert.equal(q.status, 'cancelled');
    } finally {
      await g.kill();
    }
  });
});

describe('the sampled curve corrected by bitmap counts', () => {
  const MiBs = (w: number, m: number) => ({ windowSec: w, dirtiedBytes: m * MiB });
  const base: VmSample = { memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 4 * MiB, curve: [MiBs(0.25, 1), MiBs(1, 4), MiBs(4, 8)], sampledAt: '' };

  it('is the sampled curve when there are no bitmap counts', () => {
    assert.deepEqual(correctedCurve(base), base.curve);
  });

  it('scales the sampled points by the bitmap/sampled ratio, interpolated over log(window), and keeps the bitmap points', () => {
    // at 1 s the bitmap saw 8 MiB (x2); at 4 s 24 MiB (x3); 0.25 s is below the first: x2 held.
    const c = correctedCurve({ ...base, bitmapCurve: [MiBs(1, 8), MiBs(4, 24)] });
    assert.deepEqual(c, [MiBs(0.25, 2), MiBs(1, 8), MiBs(4, 24)]);
    // 2 s lies half-way in log2 between 1 s and 4 s: x2.5 of the sampled 6 MiB (interpolated) if it were a point
    const d = correctedCurve({ ...base, curve: [...base.curve.slice(0, 2), MiBs(2, 6), base.curve[2]], bitmapCurve: [MiBs(1, 8), MiBs(4, 24)] });
    assert.ok(Math.abs(d[2].dirtiedBytes - 15 * MiB) < 1e-6);
  });

  it('counts only the non-zero share of the re-dirtied pages (zero pages go as flags)', () => {
    const c = correctedCurve({ ...base, bitmapCurve: [MiBs(1, 16), MiBs(4, 48)], bitmapZeroShare: 0.5 });
    assert.deepEqual(c, [MiBs(0.25, 2), MiBs(1, 8), MiBs(4, 24)]);
  });

  it('averages bitmap points within 10 % of each other, bounds the ratio to [0.5, 10] and stays monotone', () => {
    const c = correctedCurve({ ...base, bitmapCurve: [MiBs(1, 6), MiBs(1.05, 10), MiBs(4, 1000)] });
    for (let i = 1; i < c.length; i++) assert.ok(c[i].dirtiedBytes >= c[i - 1].dirtiedBytes && c[i].windowSec > c[i - 1].windowSec);
    assert.ok(c.some((p) => Math.abs(p.windowSec - 1.025) < 1e-9 && Math.abs(p.dirtiedBytes - 8 * MiB) < 1e-6), JSON.stringify(c));
    assert.ok(Math.abs(c[c.length - 1].dirtiedBytes - 1000 * MiB) < 1e-6, 'the bitmap point itself is kept');
    assert.ok(c.find((p) => p.windowSec === 4)!.dirtiedBytes >= 8 * MiB * 10 - 1e-6);
  });
});
