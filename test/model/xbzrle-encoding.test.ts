/** QEMU's XBZRLE encoding size (xbzrle.c), worked on hand-made pages, and what the sampler makes of it. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uleb128Size, xbzrleDeltaStats, xbzrleEncodedSize } from '../../src/model/xbzrle-encoding.js';
import { compressibilityOfFiles, spreadPick } from '../../src/hypervisor/qemu/compressibility.js';
import { techniqueFromSample, inputFromSample } from '../../src/model/from-sample.js';
import { MULTIFD_PACKET_HEADER_BYTES } from '../../src/model/packet-compression.js';
import type { VmSample } from '../../src/model/sample.js';
import { assertClose, MiB } from '../helpers.js';

const PAGE = 4096;
/** A page of zeros with bytes [from, to) set to 0xff. */
const page = (...ranges: [number, number][]) => {
  const p = new Uint8Array(PAGE);
  for (const [a, b] of ranges) p.fill(0xff, a, b);
  return p;
};
const zero = new Uint8Array(PAGE);

describe('xbzrleEncodedSize (QEMU xbzrle_encode_buffer, budget one page)', () => {
  it('ULEB128: 1 byte below 128, 2 below 16384', () => {
    assert.deepEqual([0, 127, 128, 4096, 16383, 16384].map(uleb128Size), [1, 1, 2, 2, 2, 3]);
  });
  it('an unchanged page encodes to 0 (skipped)', () => {
    assert.equal(xbzrleEncodedSize(page([5, 9]), page([5, 9])), 0);
  });
  it('one 8-byte write (the lab dirtier): zero run 8 (1 byte), run 8 (1 byte) and its 8 bytes = 10', () => {
    assert.equal(xbzrleEncodedSize(zero, page([8, 16])), 10);
  });
  it('a change at byte 0: an empty zero run is still written (1 + 1 + 1 = 3); the trailing zero run is not', () => {
    assert.equal(xbzrleEncodedSize(zero, page([0, 1])), 3);
  });
  it('a zero run of 200 takes 2 bytes of ULEB128: 2 + 1 + 1 = 4', () => {
    assert.equal(xbzrleEncodedSize(zero, page([200, 201])), 4);
  });
  it('two runs: 3 + 3 + (zero run 10: 1) + (run 2: 1) + 2 = 10', () => {
    // bytes 0..2 differ: zrun 0 (1) + nzrun 3 (1) + 3 = 5; bytes 3..12 equal, 13..14 differ: 1 + 1 + 2 = 4 -> 9
    assert.equal(xbzrleEncodedSize(zero, page([0, 3], [13, 15])), 9);
  });
  it('every other byte changed: 3 bytes per 2 of the page, over budget: overflow (-1)', () => {
    const p = new Uint8Array(PAGE);
    for (let i = 1; i < PAGE; i += 2) p[i] = 1;
    assert.equal(xbzrleEncodedSize(zero, p), -1);
  });
  it('the whole page changed: 1 + 2 + 4096 > 4096: overflow', () => {
    assert.equal(xbzrleEncodedSize(zero, page([0, PAGE])), -1);
  });
  it('the budget edge: a run to the end after 3 equal bytes fits exactly (1 + 2 + 4093 = 4096); after 2 it does not', () => {
    assert.equal(xbzrleEncodedSize(zero, page([3, PAGE])), 4096);
    assert.equal(xbzrleEncodedSize(zero, page([2, PAGE])), -1);
  });
  it('QEMU checks for 2 free bytes before each zero run, even a trailing one: 4091 changed bytes fit (4094), 4092 overflow', () => {
    assert.equal(xbzrleEncodedSize(zero, page([0, 4091])), 4094);
    assert.equal(xbzrleEncodedSize(zero, page([0, 4092])), -1);
  });
  it('pages of different lengths are refused', () => {
    assert.throws(() => xbzrleEncodedSize(zero, new Uint8Array(8)), /differ in length/);
  });
});

describe('xbzrleDeltaStats', () => {
  it('skips unchanged pages, counts overflows, averages the rest over the page', () => {
    const s = xbzrleDeltaStats([0, 10, -1, 30], PAGE);
    assert.equal(s.pages, 3);
    assertClose(s.overflowShare, 1 / 3);
    assertClose(s.deltaRatio!, 20 / PAGE);
  });
  it('all overflowed: no delta ratio; nothing changed: no pages', () => {
    assert.equal(xbzrleDeltaStats([-1, -1], PAGE).deltaRatio, undefined);
    assert.deepEqual(xbzrleDeltaStats([0], PAGE), { pages: 0, overflowShare: 0, deltaRatio: undefined });
  });
});

describe('compressibility of two dumps (the sampler, without QEMU)', () => {
  it('spreadPick takes at most n flagged indices, evenly', () => {
    assert.deepEqual(spreadPick([1, 0, 1, 1, 0, 1], 10), [0, 2, 3, 5]);
    assert.deepEqual(spreadPick([1, 1, 1, 1, 1, 1, 1, 1], 2), [2, 6]);
  });
  it('8-byte writes: deltas of 10 bytes, no overflow; a rewritten random page overflows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-compress-'));
    try {
      const a = Buffer.alloc(4 * PAGE);
      const b = Buffer.alloc(4 * PAGE);
      // page 0: ones then one 8-byte write; page 1: random, rewritten with other random bytes; pages 2, 3 unchanged
      a.fill(1, 0, PAGE);
      b.fill(1, 0, PAGE);
      b.fill(7, 64, 72);
      let x = 12345;
      for (let i = PAGE; i < 2 * PAGE; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        a[i] = x >>> 24;
        b[i] = (x >>> 16) & 0xff;
      }
      writeFileSync(join(dir, 'a'), a);
      writeFileSync(join(dir, 'b'), b);
      const c = await compressibilityOfFiles(join(dir, 'a'), join(dir, 'b'), { changed: [1, 1, 0, 0], nonZero: [1, 1, 0, 0] });
      assert.equal(c.rewrittenPages, 2);
      assert.equal(c.xbzrleOverflowShare, 0.5);
      assertClose(c.xbzrleDeltaRatio!, 10 / PAGE);
      assert.equal(c.nonZeroPages, 2);
      // the page of ones compresses to almost nothing, the random one not at all (capped at a page): about half
      // (one packet of the two pages, as multifd compresses them)
      assert.equal(c.packetPages, 128);
      assert.ok(c.zlibShare! > 0.45 && c.zlibShare! <= 0.51, `zlib ${c.zlibShare}`);
      assert.equal(c.zlibShareRewritten, c.zlibShare);
      // zstd through the WASM build, under Node 20 too
      assert.ok(c.zstdShare! > 0.45 && c.zstdShare! <= 0.51, `zstd ${c.zstdShare}`);
      const none = await compressibilityOfFiles(join(dir, 'a'), join(dir, 'b'), { changed: [1, 1, 0, 0], nonZero: [1, 1, 0, 0] }, { zstd: null });
      assert.equal(none.zstdShare, undefined);
      // zero pages ride in QEMU's packets as flags, not in the stream: a zero page that changed (page 2 zeroed in a
      // third dump) does not dilute the rewritten pages' share, though it is in their packet
      const c2 = Buffer.from(b);
      writeFileSync(join(dir, 'c'), c2);
      const withZero = await compressibilityOfFiles(join(dir, 'a'), join(dir, 'c'), { changed: [1, 1, 1, 0], nonZero: [1, 1, 0, 0] }, { zstd: null });
      assert.equal(withZero.zlibShareRewritten, c.zlibShareRewritten);
      // two rewritten pages are too few bytes to time: no speedup
      assert.equal(c.zlibSpeedupRewritten, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('timed: 4 MiB of rewritten pages that compress away go faster than a first pass that is half random', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-compress-'));
    try {
      // 2048 pages: the first 1024 random (and unchanged), the last 1024 a constant rewritten with one 8-byte write each
      const n = 2048;
      const a = Buffer.alloc(n * PAGE, 3);
      let x = 777;
      for (let i = 0; i < (n / 2) * PAGE; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        a[i] = x >>> 24;
      }
      const b = Buffer.from(a);
      for (let p = n / 2; p < n; p++) b.writeUInt32LE(p, p * PAGE + 8);
      writeFileSync(join(dir, 'a'), a);
      writeFileSync(join(dir, 'b'), b);
      const changed = Array.from({ length: n }, (_, i) => (i >= n / 2 ? 1 : 0));
      const c = await compressibilityOfFiles(join(dir, 'a'), join(dir, 'b'), { changed, nonZero: new Array(n).fill(1) });
      assert.ok(c.zlibShareRewritten! < 0.01, `rewritten share ${c.zlibShareRewritten}`);
      assert.ok(c.zlibShare! > 0.45, `first-pass share ${c.zlibShare}`);
      // deflate runs through redundant pages several times faster than through random ones
      assert.ok(c.zlibSpeedupRewritten! > 1.5, `zlib speedup ${c.zlibSpeedupRewritten}`);
      assert.ok(c.zstdSpeedupRewritten! > 0, `zstd speedup ${c.zstdSpeedupRewritten}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('techniqueFromSample: what the sampler measured fills what the technique leaves unset', () => {
  const sample: VmSample = {
    memoryBytes: 256 * MiB, pageSizeBytes: PAGE, dirtyRateBytesPerSec: 10 * MiB, curve: [], sampledAt: '',
    compressibility: { rewrittenPages: 100, xbzrleDeltaRatio: 0.01, xbzrleOverflowShare: 0.2, nonZeroPages: 100, zlibShare: 0.5 },
  };
  it('xbzrle takes the delta ratio and overflow share, unless given', () => {
    assert.deepEqual(techniqueFromSample(sample, { name: 'xbzrle' }), { name: 'xbzrle', xbzrleDeltaRatio: 0.01, xbzrleOverflowShare: 0.2 });
    assert.deepEqual(techniqueFromSample(sample, { name: 'xbzrle', xbzrleDeltaRatio: 0.5 }), { name: 'xbzrle', xbzrleDeltaRatio: 0.5, xbzrleOverflowShare: 0.2 });
  });
  it('zlib (and compress) take raw over wire = 1 / (share + a packet header per 512 KiB); zstd takes zlib when not measured; none nothing', () => {
    const header = 1344 / (512 * 1024); // multifd.h MultiFDPacket_t with 128 page offsets, per packet of 128 pages
    assert.equal(MULTIFD_PACKET_HEADER_BYTES, 1344);
    assertClose(techniqueFromSample(sample, { name: 'compress' }).compressionRatio!, 1 / (0.5 + header));
    assertClose(techniqueFromSample(sample, { name: 'multifd', multifdCompression: 'zstd' }).compressionRatio!, 1 / (0.5 + header));
    assertClose(techniqueFromSample({ ...sample, compressibility: { ...sample.compressibility!, zstdShare: 0.25 } }, { name: 'multifd', multifdCompression: 'zstd' }).compressionRatio!, 1 / (0.25 + header));
    assert.equal(techniqueFromSample(sample, { name: 'multifd' }).compressionRatio, undefined);
    assert.equal(techniqueFromSample(sample, { name: 'multifd', multifdCompression: 'zlib', compressionRatio: 1.5 }).compressionRatio, 1.5);
  });
  it('the rewritten pages: their own ratio, and the channels\' speedup on them where the sampler timed it', () => {
    const header = 1344 / (512 * 1024);
    const c = { ...sample.compressibility!, zlibShareRewritten: 0.01, zlibSpeedupRewritten: 8 };
    const t = techniqueFromSample({ ...sample, compressibility: c }, { name: 'multifd', multifdCompression: 'zlib' });
    assertClose(t.compressionRatioRewritten!, 1 / (0.01 + header)); // 79.7: the header is a fifth of the wire bytes
    assert.equal(t.channelSpeedupRewritten, 8);
    // not timed: the ratio alone; given by the operator: theirs
    const { zlibSpeedupRewritten: _s, ...untimed } = c;
    assert.equal(techniqueFromSample({ ...sample, compressibility: untimed }, { name: 'compress' }).channelSpeedupRewritten, undefined);
    assert.equal(techniqueFromSample({ ...sample, compressibility: c }, { name: 'compress', compressionRatioRewritten: 50 }).compressionRatioRewritten, 50);
    // no rewritten pages measured: nothing for them
    assert.equal(techniqueFromSample({ ...sample, compressibility: { ...c, rewrittenPages: 0 } }, { name: 'compress' }).compressionRatioRewritten, undefined);
  });
  it('all deltas overflowed: ratio 1 (no credit); no measurement: the technique as given', () => {
    const all = { ...sample, compressibility: { rewrittenPages: 5, xbzrleOverflowShare: 1, nonZeroPages: 0 } };
    assert.equal(techniqueFromSample(all, { name: 'xbzrle' }).xbzrleDeltaRatio, 1);
    const { compressibility: _, ...bare } = sample;
    assert.deepEqual(techniqueFromSample(bare, { name: 'xbzrle' }), { name: 'xbzrle' });
  });
  it('inputFromSample carries the link technique with the measurements filled in', () => {
    const input = inputFromSample(sample, { bandwidthBytesPerSec: 100 * MiB, technique: { name: 'xbzrle' } });
    assert.equal(input.technique?.xbzrleDeltaRatio, 0.01);
    assert.equal(inputFromSample(sample, { bandwidthBytesPerSec: 100 * MiB }).technique, undefined);
  });
});
