/** Two RAM dumps compared page by page: where the non-zero and the changed pages lie. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ramLayoutOfFiles } from '../../src/hypervisor/qemu/sample.js';
import { variantInput } from '../../src/model/from-sample.js';
import type { MigrationConfig } from '../../src/record/record.js';
import type { VmSample } from '../../src/model/sample.js';

const PAGE = 4096;

function dump(pages: number[]): Buffer {
  const b = Buffer.alloc(pages.length * PAGE);
  pages.forEach((v, i) => { if (v !== 0) b.fill(v, i * PAGE, i * PAGE + 17); });
  return b;
}

describe('ramLayoutOfFiles', () => {
  it('counts non-zero pages (first dump) and changed pages per slice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-layout-'));
    try {
      // 8 pages in 4 slices of 2. A: zero, x, x, zero | zero, zero, x, x. B changes page 1 (x -> y) and page 4 (zero -> x).
      writeFileSync(join(dir, 'a'), dump([0, 1, 2, 0, 0, 0, 3, 4]));
      writeFileSync(join(dir, 'b'), dump([0, 9, 2, 0, 5, 0, 3, 4]));
      const l = ramLayoutOfFiles(join(dir, 'a'), join(dir, 'b'), 4);
      assert.equal(l.zeroPageFraction, 0.5);
      assert.deepEqual(l.nonZeroPages, [1, 1, 0, 2]);
      assert.deepEqual(l.changedPages, [1, 0, 1, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deng-bitmap takes the layout', () => {
  const cfg: MigrationConfig = { memoryBytes: 256 * 2 ** 20, workload: 'memtester', params: {}, bandwidthBytesPerSec: 100 * 2 ** 20, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30 };
  const sample: VmSample = { memoryBytes: cfg.memoryBytes, pageSizeBytes: PAGE, dirtyRateBytesPerSec: 0, curve: [{ windowSec: 1, dirtiedBytes: 0 }], sampledAt: '2026-11-23T00:00:00Z', ramLayout: { windowSec: 1, nonZeroPages: [3, 4], changedPages: [0, 2] } };
  it('as the model layout (hot = changed), and only for deng-bitmap', () => {
    assert.deepEqual(variantInput('deng-bitmap', sample, cfg, {}).vm.layout, { nonZeroPages: [3, 4], hotPages: [0, 2] });
    assert.equal(variantInput('deng-curve', sample, cfg, {}).vm.layout, undefined);
  });
});
