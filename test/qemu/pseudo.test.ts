/**
 * Deng's pseudo-migration, QEMU's way: a pre-copy to /dev/null that QEMU pauses before switching over and
 * migcost cancels, so the VM never leaves; each round's bitmap sync counts every page written. Real QEMU.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGuest, labAvailable } from '../../src/lab/guest.js';
import { bitmapCurve } from '../../src/hypervisor/qemu/sample.js';
import { correctedCurve, sampleAt, variantInput } from '../../src/model/from-sample.js';
import type { VmSample } from '../../src/model/sample.js';
import { MiB } from '../helpers.js';

const lab = labAvailable();

describe('pseudo-migration', () => {
  it('counts the pages a dirtier writes, and leaves the VM running on the source', { skip: lab.ok ? false : `QEMU lab not available: ${lab.why}` }, async () => {
    // 4,000 pages/s over a 32 MiB set: 15.6 MiB/s, so a ~1 s round dirties ~15 MiB (fewer under TCG load).
    const g = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 4000, pattern: 'random' } });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // A generous budget: on a loaded 2-core machine the first pass alone can take more than the default 3 s.
      const { points, zeroPages, normalPages, firstPass } = await bitmapCurve(g.qmp, 256 * MiB, 0.5, { windowSec: 1, budgetSec: 12 });
      assert.ok(firstPass, 'the first pass is counted');
      const pages = firstPass.zeroPages + firstPass.normalPages;
      assert.ok(Math.abs(pages - 65536) <= 2048, `the first pass sends every page once, zero or not: ${pages} of 65,536`);
      assert.ok(zeroPages + normalPages > 0, 'pages were re-sent after the first pass');
      assert.ok(normalPages > zeroPages, 'the dirtier writes non-zero data');
      assert.ok(points.length >= 1, 'at least the first round');
      const first = points.reduce((a, b) => (b.windowSec > a.windowSec ? b : a));
      // ~156 MiB of the guest is non-zero (not half), and a loaded 2-core machine slows the pass: bounded by the
      // 12 s budget, not the nominal 1.2 s
      assert.ok(first.windowSec > 0.3 && first.windowSec < 10, `round of ${first.windowSec} s`);
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
  const close = (a: VmSample['curve'], b: VmSample['curve']) => {
    assert.equal(a.length, b.length, JSON.stringify(a));
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i].windowSec - b[i].windowSec) < 1e-9 && Math.abs(a[i].dirtiedBytes - b[i].dirtiedBytes) < 1e-6, JSON.stringify(a));
  };

  it('is the sampled curve without bitmap counts, without their zero share, or with only rounds under 0.5 s', () => {
    assert.deepEqual(correctedCurve(base), base.curve);
    assert.deepEqual(correctedCurve({ ...base, bitmapCurve: [MiBs(1, 8), MiBs(4, 24)] }), base.curve, 'no zero share: dbench-like zero rewrites cannot be told apart');
    assert.deepEqual(correctedCurve({ ...base, bitmapCurve: [MiBs(0.01, 7), MiBs(0.3, 9)], bitmapZeroShare: 0 }), base.curve);
  });

  it('keeps the sampled values below the first bitmap round, then takes the larger of sampled and bitmap (linear between bitmap points)', () => {
    close(correctedCurve({ ...base, bitmapCurve: [MiBs(1, 8), MiBs(4, 24)], bitmapZeroShare: 0 }), [MiBs(0.25, 1), MiBs(1, 8), MiBs(4, 24)]);
    // 2 s lies a third of the way from 1 s to 4 s: the bitmap says 8 + 16 / 3 MiB, more than the sampled 6
    const d = correctedCurve({ ...base, curve: [...base.curve.slice(0, 2), MiBs(2, 6), base.curve[2]], bitmapCurve: [MiBs(1, 8), MiBs(4, 24)], bitmapZeroShare: 0 });
    close(d, [MiBs(0.25, 1), MiBs(1, 8), MiBs(2, 8 + 16 / 3), MiBs(4, 24)]);
    // a bitmap under the sampled curve never lowers it
    close(correctedCurve({ ...base, bitmapCurve: [MiBs(1, 2), MiBs(4, 4)], bitmapZeroShare: 0 }), base.curve);
  });

  it('counts only the non-zero share of the re-dirtied pages (zero pages go as flags)', () => {
    close(correctedCurve({ ...base, bitmapCurve: [MiBs(1, 16), MiBs(4, 48)], bitmapZeroShare: 0.5 }), [MiBs(0.25, 1), MiBs(1, 8), MiBs(4, 24)]);
  });

  it('averages bitmap rounds within 10 % of each other and stays monotone', () => {
    const c = correctedCurve({ ...base, bitmapCurve: [MiBs(1, 6), MiBs(1.05, 10), MiBs(4, 1000)], bitmapZeroShare: 0 });
    close(c, [MiBs(0.25, 1), MiBs(1, 4), MiBs(1.025, 8), MiBs(4, 1000)]);
    for (let i = 1; i < c.length; i++) assert.ok(c[i].dirtiedBytes >= c[i - 1].dirtiedBytes && c[i].windowSec > c[i - 1].windowSec);
  });
});

describe('a growing VM, extrapolated to the migration start', () => {
  const s: VmSample = { memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: MiB, curve: [{ windowSec: 1, dirtiedBytes: MiB }], zeroPageFraction: 0.6, sampledAt: '2026-11-22T00:00:00.000Z' };
  const cfg = { memoryBytes: 256 * MiB, workload: 'redis' as const, params: {}, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30 };

  it("takes QEMU's later zero-page count, less the growth since, for deng-bitmap only", () => {
    const late = { ...s, zeroPageFractionLate: 0.5, zeroPagesLateAt: '2026-11-22T00:00:10.000Z', nonZeroGrowthBytesPerSec: 2 * MiB };
    const at = sampleAt(late, '2026-11-22T00:00:20.000Z');
    assert.ok(Math.abs(at.zeroPageFractionAtStart! - (0.5 - (2 * 10) / 256)) < 1e-12);
    assert.equal(variantInput('deng-bitmap', at, cfg, {}).vm.zeroPageFraction, at.zeroPageFractionAtStart);
    assert.equal(variantInput('deng-curve', at, cfg, {}).vm.zeroPageFraction, 0.6, 'deng-curve keeps the RAM dump');
    assert.equal(sampleAt(late, '2026-11-22T00:00:05.000Z').zeroPageFractionAtStart, 0.5, 'no negative lead');
    assert.equal(sampleAt(late, undefined).zeroPageFractionAtStart, 0.5, 'no start time: the later count as it is');
    assert.equal(sampleAt({ ...late, nonZeroGrowthBytesPerSec: 100 * MiB }, '2026-11-22T00:01:00.000Z').zeroPageFractionAtStart, 0, 'never below 0');
    assert.equal(sampleAt(s, '2026-11-22T00:00:20.000Z'), s, 'without a later look the sample is as it was');
  });
});

