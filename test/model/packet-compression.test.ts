/** multifd's packets (model/packet-compression.ts): which pages form a packet, and packet-wise shares. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { MULTIFD_PACKET_BYTES, multifdPacketPages, packetPlan, streamShare } from '../../src/model/packet-compression.js';

const packetShare = (packets: Uint8Array[], f: (b: Uint8Array) => number) => streamShare(packets, [], f);

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
  it('packetPlan: packets of consecutive dirty pages in the order QEMU fills them, evenly spread, each with its channel\'s previous packet', () => {
    // 8 dirty pages, packets of 2, room for 2 packets over 2 channels: the 2nd and 4th packets; the 4th's context is the 2nd
    assert.deepEqual(packetPlan([1, 1, 1, 1, 1, 1, 1, 1], 4, 2, 2), { packets: [[2, 3], [6, 7]], contexts: [[], [2, 3]] });
    // clean pages are skipped: packets run over the dirty ones (indices 0, 2, 3 | 5)
    assert.deepEqual(packetPlan([1, 0, 1, 1, 0, 1], 10, 3, 1), { packets: [[0, 2, 3], [5]], contexts: [[], [0, 2, 3]] });
    // a packet with no page to compress (all zero) is not picked
    assert.deepEqual(packetPlan([1, 1, 1, 1, 1, 1], 2, 2, 1, [0, 0, 1, 0, 0, 0]), { packets: [[2, 3]], contexts: [[0, 1]] });
    assert.deepEqual(packetPlan([0, 0], 8, 4), { packets: [], contexts: [] });
    assert.throws(() => packetPlan([1], 1, 0), /pagesPerPacket must be an integer >= 1/);
    assert.throws(() => packetPlan([1], 1, 1, 0), /channels must be an integer >= 1/);
  });
  it('streamShare: a packet after its context costs what it adds to the stream; one the context repeats costs little', () => {
    const a = randomPage(7);
    const b = randomPage(8);
    const packet = Buffer.concat([a, b]);
    // alone two random pages do not compress; after a context that holds them, they are matches
    assert.equal(streamShare([packet], [Buffer.alloc(0)], zlib1), 1);
    const after = streamShare([packet], [Buffer.concat([a, b])], zlib1)!;
    assert.ok(after < 0.05, `after its context ${after}`);
    // zlib's window is 32 KiB: a context whose copy lies further back than that helps nothing
    const far = streamShare([packet], [Buffer.concat([a, b, ...Array.from({ length: 9 }, (_, i) => randomPage(100 + i))])], zlib1)!;
    assert.ok(far > 0.95, `beyond the window ${far}`);
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
