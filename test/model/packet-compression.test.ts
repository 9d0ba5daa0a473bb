/** multifd's packets (model/packet-compression.ts): which pages form a packet, and packet-wise shares. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { MULTIFD_PACKET_BYTES, multifdPacketPages, packetPick, packetShare } from '../../src/model/packet-compression.js';

const PAGE = 4096;
function randomPage(seed: number): Buffer {
  const p = Buffer.alloc(PAGE);
  let x = seed;
  for (let i = 0; i < PAGE; i++) p[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return p;
}
const zlib1 = (b: Uint8Array) => deflateRawSync(b, { level: 1 }).length;

describe('multifd packets', () => {
  it('a packet is 512 KiB: 128 pages of 4 KiB, 256 of 2 KiB; a page size that does not divide it is refused', () => {
    assert.equal(MULTIFD_PACKET_BYTES, 524288);
    assert.equal(multifdPacketPages(), 128);
    assert.equal(multifdPacketPages(2048), 256);
    assert.throws(() => multifdPacketPages(3000), /pageSizeBytes must divide 524288/);
  });
  it('packetPick: runs of consecutive flagged pages, skipping unflagged ones, starts evenly spread', () => {
    assert.deepEqual(packetPick([1, 1, 0, 1, 1, 1], 4, 2), [[0, 1], [3, 4]]);
    assert.deepEqual(packetPick([1, 0, 1, 1, 0, 1], 10, 3), [[0, 2, 3], [5]]);
    assert.deepEqual(packetPick(new Array(10).fill(1), 3, 4), [[0, 1, 2]]);
    assert.deepEqual(packetPick(new Array(12).fill(1), 8, 4), [[0, 1, 2, 3], [4, 5, 6, 7]]);
    assert.deepEqual(packetPick([0, 0], 8, 4), []);
    assert.throws(() => packetPick([1], 1, 0), /pagesPerPacket must be an integer >= 1/);
  });
  it('packetShare: compressed over raw, each packet at most its raw size', () => {
    assert.equal(packetShare([Buffer.alloc(8192, 1)], () => 16), 16 / 8192);
    assert.equal(packetShare([Buffer.alloc(4096), Buffer.alloc(4096)], (b) => (b === undefined ? 0 : 5000)), 1);
    assert.equal(packetShare([], () => 1), undefined);
  });
  it('a page repeated through a packet: alone it does not compress, in the packet all copies but the first do', () => {
    const page = randomPage(42);
    const pages = Array.from({ length: 128 }, () => page);
    const alone = packetShare(pages, zlib1)!;
    const packet = packetShare([Buffer.concat(pages)], zlib1)!;
    assert.equal(alone, 1); // random bytes grow: capped at the page
    // the first copy costs a page, the other 127 a few bytes per 258-byte match
    assert.ok(packet < 0.03, `packet share ${packet}`);
    assert.ok(packet > 1 / 128, `packet share ${packet}`);
  });
  it('distinct random pages gain nothing either way', () => {
    const pages = Array.from({ length: 16 }, (_, i) => randomPage(i + 1));
    assert.equal(packetShare([Buffer.concat(pages)], zlib1), 1);
  });
});
