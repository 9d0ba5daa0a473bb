/**
 * How well the pages a guest rewrites compress, from the two RAM dumps of a layout (`sample --layout`): for an
 * evenly spread sample of the pages that changed between the dumps, the size of QEMU's XBZRLE delta of the new page
 * against the old (model/xbzrle-encoding.ts), and the new page compressed with zlib at level 1 (multifd-zlib's
 * default `multifd-zlib-level`); for a sample of all non-zero pages (what a first pass sends), zlib too. zstd where
 * this Node has it (`zlib.zstdCompressSync`, Node >= 22.15, level 1: `multifd-zstd-level`'s default); Node 20 has
 * none, and the model then uses the zlib figure for zstd (docs/techniques.md). Bounded: at most `maxPages` pages of
 * each kind are read and compressed (about 0.1 s for 1024). Reads the dumps only: the VM is not touched.
 */
import * as zlib from 'node:zlib';
import { closeSync, openSync, readSync } from 'node:fs';
import { xbzrleDeltaStats, xbzrleEncodedSize } from '../../model/xbzrle-encoding.js';
import type { VmSample } from '../../model/sample.js';

/** Pages of each kind compared and compressed by default. */
export const COMPRESSIBILITY_PAGES = 1024;

type ZstdSync = (buf: Uint8Array, opts?: { params?: Record<number, number> }) => Buffer;
const zstdSync = (zlib as unknown as { zstdCompressSync?: ZstdSync }).zstdCompressSync;

/** True where this Node can measure zstd. */
export const ZSTD_AVAILABLE = typeof zstdSync === 'function';

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

/**
 * The compressibility of two dumps' pages: `changed` and `nonZero` flag each page (index in the dump) as
 * `ramLayoutOfFiles` found it.
 */
export function compressibilityOfFiles(pathA: string, pathB: string, flags: { changed: ArrayLike<number>; nonZero: ArrayLike<number> }, maxPages = COMPRESSIBILITY_PAGES, pageSize = 4096): NonNullable<VmSample['compressibility']> {
  const fa = openSync(pathA, 'r');
  const fb = openSync(pathB, 'r');
  const a = Buffer.alloc(pageSize);
  const b = Buffer.alloc(pageSize);
  const sizes: number[] = [];
  let zRaw = 0;
  let zRewritten = 0;
  let zstdRewritten = 0;
  let zAll = 0;
  let zstdAll = 0;
  let rawAll = 0;
  const z = (p: Buffer) => zlib.deflateSync(p, { level: 1 }).length;
  const zs = (p: Buffer) => (zstdSync ? zstdSync(p).length : 0);
  try {
    for (const i of spreadPick(flags.changed, maxPages)) {
      readPage(fa, i, a);
      readPage(fb, i, b);
      const s = xbzrleEncodedSize(a, b);
      if (s === 0) continue;
      sizes.push(s);
      zRaw += pageSize;
      zRewritten += Math.min(pageSize, z(b));
      zstdRewritten += Math.min(pageSize, zs(b));
    }
    for (const i of spreadPick(flags.nonZero, maxPages)) {
      readPage(fb, i, b);
      rawAll += pageSize;
      zAll += Math.min(pageSize, z(b));
      zstdAll += Math.min(pageSize, zs(b));
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
  const x = xbzrleDeltaStats(sizes, pageSize);
  const out: NonNullable<VmSample['compressibility']> = { rewrittenPages: x.pages, xbzrleOverflowShare: x.overflowShare, nonZeroPages: rawAll / pageSize };
  if (x.deltaRatio !== undefined) out.xbzrleDeltaRatio = x.deltaRatio;
  if (zRaw > 0) out.zlibShareRewritten = zRewritten / zRaw;
  if (rawAll > 0) out.zlibShare = zAll / rawAll;
  if (ZSTD_AVAILABLE && zRaw > 0) out.zstdShareRewritten = zstdRewritten / zRaw;
  if (ZSTD_AVAILABLE && rawAll > 0) out.zstdShare = zstdAll / rawAll;
  return out;
}
