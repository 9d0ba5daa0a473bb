/**
 * How QEMU's multifd compresses pages, for measuring it (pure): the migration thread queues dirty pages, in
 * address order, into a packet of `MULTIFD_PACKET_SIZE` = 512 KiB (multifd.h), 128 pages of 4 KiB; a channel
 * compresses the packet's normal (non-zero) pages as one stream, flushed at the packet's end (multifd-zlib.c
 * `zlib_send_prepare`: deflate with Z_NO_FLUSH per page, Z_SYNC_FLUSH on the last; multifd-zstd.c the same with
 * ZSTD_e_continue / ZSTD_e_flush), at `multifd-zlib-level` / `multifd-zstd-level` (default 1, options.c). So a
 * page's repeats of its neighbours in the packet compress away, which compressing each page alone cannot see.
 * The stream also keeps its window across the channel's packets; a packet compressed alone misses that (at most
 * zlib's 32 KiB window: the first few pages of a packet), so the packet figure is slightly pessimistic.
 */

/** QEMU's multifd packet size in bytes (multifd.h `MULTIFD_PACKET_SIZE`). */
export const MULTIFD_PACKET_BYTES = 512 * 1024;

/** Pages in a multifd packet for a page size (128 for 4 KiB pages). */
export function multifdPacketPages(pageSizeBytes = 4096): number {
  if (!(pageSizeBytes > 0) || MULTIFD_PACKET_BYTES % pageSizeBytes !== 0) throw new RangeError(`multifdPacketPages: pageSizeBytes must divide ${MULTIFD_PACKET_BYTES} (got ${pageSizeBytes})`);
  return MULTIFD_PACKET_BYTES / pageSizeBytes;
}

/**
 * At most `maxPages` of the indices whose flag is set, as packets: runs of up to `pagesPerPacket` consecutive
 * flagged indices (what QEMU would queue together, unflagged pages skipped as it skips clean and zero pages), the
 * runs' starts evenly spread over the flagged indices. Fewer flagged indices than `maxPages`: all, in packets.
 * @example packetPick([1, 1, 0, 1, 1, 1], 4, 2) // [[0, 1], [3, 4]]
 */
export function packetPick(flags: ArrayLike<number>, maxPages: number, pagesPerPacket: number): number[][] {
  if (!(pagesPerPacket >= 1) || !Number.isInteger(pagesPerPacket)) throw new RangeError(`packetPick: pagesPerPacket must be an integer >= 1 (got ${pagesPerPacket})`);
  const all: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) all.push(i);
  const out: number[][] = [];
  if (all.length <= maxPages) {
    for (let s = 0; s < all.length; s += pagesPerPacket) out.push(all.slice(s, s + pagesPerPacket));
    return out;
  }
  const packets = Math.max(1, Math.floor(maxPages / pagesPerPacket));
  const size = Math.min(pagesPerPacket, maxPages);
  const slots = all.length - size + 1; // possible starts
  for (let k = 0; k < packets; k++) {
    const start = Math.floor((k * slots) / packets);
    out.push(all.slice(start, start + size));
  }
  return out;
}

/**
 * Compressed over raw bytes of packets, each compressed as one buffer by `compressedSize` and counted at most at
 * its raw size (QEMU's stream of random pages grows by a few bytes a packet; the cap is the nearer figure).
 * In (0, 1]; undefined for no bytes.
 * @example packetShare([Buffer.alloc(8192, 1)], (b) => 16) // 16 / 8192
 */
export function packetShare(packets: readonly Uint8Array[], compressedSize: (packet: Uint8Array) => number): number | undefined {
  let raw = 0;
  let packed = 0;
  for (const p of packets) {
    if (p.length === 0) continue;
    raw += p.length;
    packed += Math.min(p.length, compressedSize(p));
  }
  return raw > 0 ? packed / raw : undefined;
}
