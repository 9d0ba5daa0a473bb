/**
 * How QEMU's multifd compresses pages, for measuring it (pure): the migration thread queues dirty pages, in
 * address order, into a packet of `MULTIFD_PACKET_SIZE` = 512 KiB (multifd.h), 128 pages of 4 KiB; a channel
 * compresses the packet's normal (non-zero) pages as one stream, flushed at the packet's end (multifd-zlib.c
 * `zlib_send_prepare`: deflate with Z_NO_FLUSH per page, Z_SYNC_FLUSH on the last; multifd-zstd.c the same with
 * ZSTD_e_continue / ZSTD_e_flush), at `multifd-zlib-level` / `multifd-zstd-level` (default 1, options.c). So a
 * page's repeats of its neighbours in the packet compress away, which compressing each page alone cannot see.
 * The stream also keeps its window across the channel's packets (neither compressor is reset between packets):
 * a packet may refer back into the one the same channel sent before it (zlib's 32 KiB window: its last 8 pages;
 * zstd's at level 1, 512 KiB: all of it), which a packet compressed alone cannot. And QEMU queues every dirty
 * page into the packet, zero ones too (zero-page-detection=multifd, QEMU >= 9.0: multifd-nocomp.c and
 * multifd-zero-page.c find them in the channel): a packet is 128 consecutive dirty pages (a first pass: every
 * page) and only its non-zero ones form the stream, so in memory where zero and non-zero pages interleave a
 * stream is shorter than 128 pages. `packetPlan` picks packets and their channel's previous packet that way.
 */

/** QEMU's multifd packet size in bytes (multifd.h `MULTIFD_PACKET_SIZE`). */
export const MULTIFD_PACKET_BYTES = 512 * 1024;

/**
 * Bytes of the header a multifd packet carries besides its pages (multifd.h `MultiFDPacket_t`, QEMU 9-10: a
 * 12-byte MultiFDPacketHdr_t, 3 x 4 bytes of counts and sizes, an 8-byte packet number, 4 + 4 bytes of zero-page
 * count and padding, 3 x 8 unused, the 256-byte RAM block name, then an 8-byte offset for each of the packet's
 * 128 page slots: 1344 bytes). QEMU adds it to `multifd-bytes` with the payload (multifd.c: next_packet_size +
 * packet_len), so it is part of the ratio QEMU reports and of what the cap counts: at a ratio of 345, as
 * much as the compressed pages themselves.
 */
export const MULTIFD_PACKET_HEADER_BYTES = 12 + 3 * 4 + 8 + 4 + 4 + 3 * 8 + 256 + 8 * 128;

/**
 * Raw bytes over wire bytes of a multifd packet's non-zero pages compressed to `share` of their size, its
 * header counted (each packet full: a first pass's or a later round's 128 dirty pages). QEMU's own ratio,
 * `normal-bytes` over `multifd-bytes`, counts it so.
 * @example ratioWithHeader(0.25) // 1 / (0.25 + 1344 / 524288) = 3.975
 */
export function ratioWithHeader(share: number): number {
  return 1 / (Math.min(1, share) + MULTIFD_PACKET_HEADER_BYTES / MULTIFD_PACKET_BYTES);
}

/** Pages in a multifd packet for a page size (128 for 4 KiB pages). */
export function multifdPacketPages(pageSizeBytes = 4096): number {
  if (!(pageSizeBytes > 0) || MULTIFD_PACKET_BYTES % pageSizeBytes !== 0) throw new RangeError(`multifdPacketPages: pageSizeBytes must divide ${MULTIFD_PACKET_BYTES} (got ${pageSizeBytes})`);
  return MULTIFD_PACKET_BYTES / pageSizeBytes;
}

/** multifd-channels' default (options.c DEFAULT_MIGRATE_MULTIFD_CHANNELS): a channel's previous packet is this many packets back. */
export const DEFAULT_MULTIFD_CHANNELS = 2;

/**
 * Packets as QEMU forms them, for measuring a share: the flagged (dirty) indices in address order cut into
 * packets of `pagesPerPacket` (packet j: the j-th run of that many dirty pages, as the migration thread fills
 * them), `floor(maxPages / pagesPerPacket)` of them evenly spread over the packets that hold at least one page
 * `counted` says is compressed (non-zero; absent: every one), each with the packet `channels` before it in the
 * sequence — the one the same channel compressed last, when packets go round the channels — as its context
 * (empty for the first ones). The caller compresses the non-zero pages of each. Fewer packets than asked: all.
 * @example packetPlan([1, 1, 1, 1, 1, 1, 1, 1], 4, 2, 2) // packets [[2, 3], [6, 7]], contexts [[], [2, 3]]
 */
export function packetPlan(flags: ArrayLike<number>, maxPages: number, pagesPerPacket: number, channels = DEFAULT_MULTIFD_CHANNELS, counted?: ArrayLike<number>): { packets: number[][]; contexts: number[][] } {
  if (!(pagesPerPacket >= 1) || !Number.isInteger(pagesPerPacket)) throw new RangeError(`packetPlan: pagesPerPacket must be an integer >= 1 (got ${pagesPerPacket})`);
  if (!(channels >= 1) || !Number.isInteger(channels)) throw new RangeError(`packetPlan: channels must be an integer >= 1 (got ${channels})`);
  const all: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) all.push(i);
  const packetAt = (j: number) => (j < 0 ? [] : all.slice(j * pagesPerPacket, (j + 1) * pagesPerPacket));
  const candidates: number[] = [];
  for (let j = 0; j * pagesPerPacket < all.length; j++) {
    if (!counted || packetAt(j).some((i) => counted[i])) candidates.push(j);
  }
  const want = Math.max(1, Math.floor(maxPages / pagesPerPacket));
  const picked = candidates.length <= want ? candidates : Array.from({ length: want }, (_, k) => candidates[Math.floor(((k + 0.5) * candidates.length) / want)]);
  return { packets: picked.map(packetAt), contexts: picked.map((j) => packetAt(j - channels)) };
}

/**
 * Compressed over raw bytes of packets each compressed after its context in one stream: per packet, the size of
 * context + packet less the context's alone (what the packet adds to a stream that already holds its context),
 * at least 0 and at most the packet's raw size; a packet without a context (or an empty one) compressed alone. In (0, 1];
 * undefined for no bytes. (QEMU's stream of random pages grows by a few bytes a packet; the cap is the nearer figure.)
 * @example streamShare([Buffer.alloc(8192, 1)], [Buffer.alloc(0)], (b) => 16) // 16 / 8192
 */
export function streamShare(packets: readonly Uint8Array[], contexts: readonly Uint8Array[], compressedSize: (buf: Uint8Array) => number): number | undefined {
  let raw = 0;
  let packed = 0;
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    if (p.length === 0) continue;
    raw += p.length;
    const c = contexts[i];
    if (!c || c.length === 0) {
      packed += Math.min(p.length, compressedSize(p));
      continue;
    }
    const both = new Uint8Array(c.length + p.length);
    both.set(c, 0);
    both.set(p, c.length);
    packed += Math.min(p.length, Math.max(0, compressedSize(both) - compressedSize(c)));
  }
  return raw > 0 ? packed / raw : undefined;
}
