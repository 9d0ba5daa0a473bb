/**
 * How well the pages a guest rewrites compress, from the two RAM dumps of a layout (`sample --layout`): for an
 * evenly spread sample of the pages that changed between the dumps, the size of QEMU's XBZRLE delta of the new page
 * against the old (model/xbzrle-encoding.ts); and, as QEMU's multifd compresses them (model/packet-compression.ts:
 * packets of 128 dirty pages, 512 KiB, whose non-zero pages are one stream that goes on from the packet the same
 * channel sent before), the new pages compressed with zlib and zstd at level 1 (the default `multifd-zlib-level` /
 * `multifd-zstd-level`); the same for a first pass's packets (128 consecutive pages, their non-zero ones). zlib through `node:zlib`, zstd through `@bokuweb/zstd-wasm` (libzstd built to WASM; Node 20 has no
 * zstd), else `zlib.zstdCompressSync` where Node has it, else no zstd figure. Each compressor is timed on both
 * kinds: how many times faster it went through the rewritten pages than the first pass's (a channel's speed on
 * what later rounds re-send: highly redundant pages go several times faster). Bounded: at most `maxPages` pages
 * for the deltas and `maxPacketPages` of each kind in packets are read and compressed (about 2 s). Reads the
 * dumps only: the VM is not touched.
 */
import * as zlib from 'node:zlib';
import { closeSync, openSync, readSync } from 'node:fs';
import { xbzrleDeltaStats, xbzrleEncodedSize } from '../../model/xbzrle-encoding.js';
import { DEFAULT_MULTIFD_CHANNELS, multifdPacketPages, packetPlan, streamShare } from '../../model/packet-compression.js';
import type { VmSample } from '../../model/sample.js';

/** Pages compared for XBZRLE deltas by default. */
export const COMPRESSIBILITY_PAGES = 1024;
/**
 * Pages of each kind compressed in packets by default (128 packets of 128). Memory is a patchwork of regions
 * that compress unlike each other (kernel text, page cache, heaps, buffers): 16 packets missed a redis guest's
 * first-pass ratio by 15-25 % (the lab's groups passes 1-7: 5.5-6.2 against QEMU's 7.6 with zstd), 64 came within
 * 2-5 % and 256 within 0.5 % of all of its memory compressed (7.66); 128 cost about 1.7 s on a 256 MiB guest.
 */
export const COMPRESSIBILITY_PACKET_PAGES = 16384;
/** Least raw bytes of rewritten pages whose compression is timed against the first pass's (speedup). */
const SPEED_MIN_BYTES = 2 ** 20;

type Compressor = (buf: Uint8Array) => number;
type ZstdSync = (buf: Uint8Array, opts?: { params?: Record<number, number> }) => Buffer;
const nodeZstd = (zlib as unknown as { zstdCompressSync?: ZstdSync }).zstdCompressSync;

let zstdLoad: Promise<Compressor | undefined> | undefined;
/** zstd at level 1 (WASM libzstd; else Node's own; else undefined), loaded once. */
export function loadZstd(): Promise<Compressor | undefined> {
  zstdLoad ??= (async () => {
    try {
      const z = await import('@bokuweb/zstd-wasm');
      await z.init();
      return (b: Uint8Array) => z.compress(b, 1).length;
    } catch {
      return typeof nodeZstd === 'function' ? (b: Uint8Array) => nodeZstd(b).length : undefined;
    }
  })();
  return zstdLoad;
}

/** zlib (deflate) at level 1, raw stream: QEMU's multifd-zlib packet carries no zlib header per packet. */
const zlib1: Compressor = (b) => zlib.deflateRawSync(b, { level: 1 }).length;

/** At most `n` of the indices whose flag is set, evenly spread over them in order. */
export function spreadPick(flags: ArrayLike<number>, n: number): number[] {
  const all: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i]) all.push(i);
  if (all.length <= n) return all;
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(all[Math.floor(((k + 0.5) * all.length) / n)]);
  return out;
}

function readPage(fd: number, index: number, page: Buffer): void {
  page.fill(0);
  readSync(fd, page, 0, page.length, index * page.length);
}

/** Each packet's non-zero pages, in order, as one buffer (QEMU compresses only those; zero pages go as flags). */
function readPackets(fd: number, packets: number[][], pageSize: number): Buffer[] {
  const zero = Buffer.alloc(pageSize);
  const page = Buffer.alloc(pageSize);
  return packets.map((ix) => {
    const kept: Buffer[] = [];
    for (const i of ix) {
      readPage(fd, i, page);
      if (!page.equals(zero)) kept.push(Buffer.from(page));
    }
    return Buffer.concat(kept);
  });
}

/** streamShare of packets after their contexts, and how long the compressing took (s) for how many raw bytes. */
function timedShare(k: { packets: Buffer[]; contexts: Buffer[] }, f: Compressor): { share: number | undefined; sec: number; raw: number } {
  const t0 = performance.now();
  const share = streamShare(k.packets, k.contexts, f);
  return { share, sec: (performance.now() - t0) / 1000, raw: k.packets.reduce((s, p) => s + p.length, 0) };
}

export interface CompressibilityOptions {
  maxPages?: number;
  maxPacketPages?: number;
  pageSize?: number;
  /** zstd compressor (tests); default loadZstd(). `null`: measure no zstd. */
  zstd?: Compressor | null;
}

/**
 * The compressibility of two dumps' pages: `changed` and `nonZero` flag each page (index in the dump) as
 * `ramLayoutOfFiles` found it.
 */
export async function compressibilityOfFiles(pathA: string, pathB: string, flags: { changed: ArrayLike<number>; nonZero: ArrayLike<number> }, opts: CompressibilityOptions = {}): Promise<NonNullable<VmSample['compressibility']>> {
  const pageSize = opts.pageSize ?? 4096;
  const maxPages = opts.maxPages ?? COMPRESSIBILITY_PAGES;
  const maxPacketPages = opts.maxPacketPages ?? COMPRESSIBILITY_PACKET_PAGES;
  const zstd = opts.zstd === null ? undefined : (opts.zstd ?? (await loadZstd()));
  const perPacket = multifdPacketPages(pageSize);
  const fa = openSync(pathA, 'r');
  const fb = openSync(pathB, 'r');
  const a = Buffer.alloc(pageSize);
  const b = Buffer.alloc(pageSize);
  const sizes: number[] = [];
  let rewritten: { packets: Buffer[]; contexts: Buffer[] };
  let all: { packets: Buffer[]; contexts: Buffer[] };
  try {
    for (const i of spreadPick(flags.changed, maxPages)) {
      readPage(fa, i, a);
      readPage(fb, i, b);
      const s = xbzrleEncodedSize(a, b);
      if (s === 0) continue;
      sizes.push(s);
    }
    // later rounds: packets of the pages that changed; a first pass: of every page (the non-zero ones compressed)
    const rw = packetPlan(flags.changed, maxPacketPages, perPacket, DEFAULT_MULTIFD_CHANNELS, flags.nonZero);
    const first = packetPlan(new Uint8Array(flags.nonZero.length).fill(1), maxPacketPages, perPacket, DEFAULT_MULTIFD_CHANNELS, flags.nonZero);
    rewritten = { packets: readPackets(fb, rw.packets, pageSize), contexts: readPackets(fb, rw.contexts, pageSize) };
    all = { packets: readPackets(fb, first.packets, pageSize), contexts: readPackets(fb, first.contexts, pageSize) };
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
  const x = xbzrleDeltaStats(sizes, pageSize);
  const nonZeroPages = all.packets.reduce((s, p) => s + p.length / pageSize, 0);
  const out: NonNullable<VmSample['compressibility']> = { rewrittenPages: x.pages, xbzrleOverflowShare: x.overflowShare, nonZeroPages, packetPages: perPacket };
  if (x.deltaRatio !== undefined) out.xbzrleDeltaRatio = x.deltaRatio;
  for (const [name, f] of [['zlib', zlib1], ['zstd', zstd]] as const) {
    if (!f) continue;
    const rw = timedShare(rewritten, f);
    const first = timedShare(all, f);
    if (rw.share !== undefined) out[`${name}ShareRewritten`] = rw.share;
    if (first.share !== undefined) out[`${name}Share`] = first.share;
    if (rw.raw >= SPEED_MIN_BYTES && rw.sec > 0 && first.sec > 0 && first.raw > 0) out[`${name}SpeedupRewritten`] = rw.raw / rw.sec / (first.raw / first.sec);
  }
  return out;
}
