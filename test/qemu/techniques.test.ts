/**
 * Real QEMU (TCG, 256 MiB): the driver runs each technique the lab can run — post-copy, XBZRLE, multifd — to
 * completion, the record says which, the technique's own counters are measured, and the destination's RAM equals
 * the source's page for page (destination paused with -S, both dumped). And `sample --layout` measures the
 * rewritten pages' XBZRLE deltas and zlib shares. Skipped, saying why, where the lab is not built.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGuest, freePort, labAvailable, type Guest } from '../../src/lab/guest.js';
import { sampleAndMigrate } from '../../src/hypervisor/qemu/sample-and-migrate.js';
import { postcopyBlocktimeSec, prepareIncoming } from '../../src/hypervisor/qemu/technique-settings.js';
import { sampleVm } from '../../src/hypervisor/qemu/sample.js';
import type { TechniqueOptions } from '../../src/model/types.js';
import type { MigrationConfig } from '../../src/record/record.js';
import { MiB } from '../helpers.js';

const lab = labAvailable();
const skip = lab.ok ? false : `QEMU lab not available: ${lab.why}`;
if (skip) console.log(`# SKIP real QEMU technique tests: ${skip}`);

async function samePages(src: Guest, dst: Guest, bytes: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'migcost-ram-'));
  try {
    const a = join(dir, 'src.bin');
    const b = join(dir, 'dst.bin');
    await src.qmp.execute('pmemsave', { val: 0, size: bytes, filename: a }, { timeoutMs: 60_000 });
    await dst.qmp.execute('pmemsave', { val: 0, size: bytes, filename: b }, { timeoutMs: 60_000 });
    const x = readFileSync(a);
    const y = readFileSync(b);
    let differing = 0;
    for (let off = 0; off < x.length; off += 4096) if (x.compare(y, off, off + 4096, off, off + 4096) !== 0) differing++;
    return differing;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function migrateWith(technique: TechniqueOptions, bandwidth: number) {
  const src = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 8000, pattern: 'random' } });
  let dst: Guest | undefined;
  try {
    const cfg: MigrationConfig = { memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 8000, pattern: 'random' }, bandwidthBytesPerSec: bandwidth, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 60, technique };
    const { record, sourceStatus } = await sampleAndMigrate({
      source: src.qmp,
      sampling: { windowsSec: [0.25], zeroPages: false },
      destination: async () => {
        const port = await freePort();
        dst = await startGuest({ memoryBytes: 256 * MiB, incomingPort: port, incomingDefer: true, paused: true });
        const uri = `tcp:127.0.0.1:${port}`;
        await prepareIncoming(dst.qmp, technique, uri);
        return uri;
      },
      config: cfg,
      predictions: { variants: {} },
    });
    assert.equal(record.measured.status, 'completed', record.measured.error);
    assert.equal(sourceStatus, 'postmigrate');
    assert.deepEqual(record.config.technique, technique, 'the record says the technique');
    assert.equal(record.measured.technique, technique.name);
    assert.equal(await samePages(src, dst!, 256 * MiB), 0, 'the destination has every page');
    if (technique.name === 'postcopy') {
      // prepareIncoming turned on the destination's blocktime: QEMU reports it (0 here: the destination is paused, no vCPU waits).
      const bt = await postcopyBlocktimeSec(dst!.qmp);
      assert.ok(bt !== undefined && bt >= 0, `postcopy-blocktime ${bt}`);
    }
    // The settings are put back: the source reports the technique's capability off again.
    const caps = await src.qmp.execute<{ capability: string; state: boolean }[]>('query-migrate-capabilities');
    for (const c of ['postcopy-ram', 'xbzrle', 'multifd']) assert.equal(caps.find((x) => x.capability === c)?.state, false, `${c} restored`);
    return record;
  } finally {
    await Promise.all([src.kill(), (dst as Guest | undefined)?.kill()]);
  }
}

describe('real QEMU: each technique the lab runs', { skip }, () => {
  it('post-copy after the first pass: completes, a post-copy round in the trace, its phase and bytes measured', async () => {
    const r = await migrateWith({ name: 'postcopy' }, 50 * MiB);
    const m = r.measured;
    assert.ok(m.postcopyBytes! > 0, `post-copy bytes ${m.postcopyBytes}`);
    assert.ok(m.postcopyPhaseSec! > 0 && m.switchoverSec! > 0, `phase ${m.postcopyPhaseSec} switch ${m.switchoverSec}`);
    assert.equal(m.postcopyTimedBy, 'events', "QEMU's MIGRATION events time the switch and the phase");
    assert.equal(r.trace.at(-1)?.kind, 'post-copy');
    assert.equal(m.dirtySyncCount! >= 2, true);
  });
  it('xbzrle: completes, the cache counters measured', async () => {
    const r = await migrateWith({ name: 'xbzrle', xbzrleCacheBytes: 64 * MiB }, 50 * MiB);
    const m = r.measured;
    // pass 2 fills the cache (all misses); from pass 3 the dirtier's 8-byte writes hit and encode to ~10 bytes
    assert.ok(m.xbzrleCacheMisses! > 0, JSON.stringify(m));
    if (m.dirtySyncCount! >= 4) {
      assert.ok(m.xbzrleCacheHits! > 0, JSON.stringify(m));
      assert.equal(m.xbzrleOverflows, 0);
      assert.ok(m.xbzrleEncodedBytes! / m.xbzrleCacheHits! < 64, `${m.xbzrleEncodedBytes} bytes for ${m.xbzrleCacheHits} hits`);
    }
  });
  it('multifd with zstd on 2 channels: completes, the channels carried the pages, compressed', async () => {
    const r = await migrateWith({ name: 'multifd', multifdChannels: 2, multifdCompression: 'zstd' }, 100 * MiB);
    assert.ok(r.measured.multifdBytes! > 0, `multifd bytes ${r.measured.multifdBytes}`);
    assert.ok(r.measured.compressionRatio! >= 1, `ratio ${r.measured.compressionRatio}`);
  });
});

describe('real QEMU: sample --layout measures how rewritten pages compress', { skip }, () => {
  it("the dirtier's 8-byte writes: XBZRLE deltas of a few bytes, shares in (0, 1]", async () => {
    // sequential: each pass writes a new value (random mode rewrites the same bytes, which no dump can see)
    const src = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 8000, pattern: 'seq' } });
    try {
      const s = await sampleVm(src.qmp, { windowsSec: [0.25], layoutWindowSec: 0.5 });
      const c = s.compressibility!;
      assert.ok(c, 'compressibility measured');
      assert.ok(c.rewrittenPages > 0, `rewritten ${c.rewrittenPages}`);
      for (const k of ['xbzrleDeltaRatio', 'zlibShare', 'zlibShareRewritten', 'zstdShare', 'zstdShareRewritten'] as const) assert.ok(c[k]! > 0 && c[k]! <= 1, `${k} ${c[k]}`);
      // as multifd compresses: 128-page packets, zstd through WASM under Node 20 too
      assert.equal(c.packetPages, 128);
      assert.ok(c.xbzrleOverflowShare >= 0 && c.xbzrleOverflowShare <= 1);
      // one 8-byte store a page: a 10-byte delta, a few of them a page between the dumps
      assert.ok(c.xbzrleDeltaRatio! < 0.1, `delta ratio ${c.xbzrleDeltaRatio}`);
      assert.ok(s.touchedPagesPerSec! > 0);
    } finally {
      await src.kill();
    }
  });
});
