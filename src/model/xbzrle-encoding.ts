/**
 * The size of QEMU's XBZRLE encoding of a page against its cached copy (migration/xbzrle.c
 * `xbzrle_encode_buffer`, rule read from the source, no code copied), and what a sample of rewritten pages says
 * about it. Pure.
 *
 * The rule: the XOR of old and new page is cut into alternating runs of equal bytes (zero run) and differing bytes
 * (non-zero run), starting with a zero run (possibly empty). Each zero run is written as its length in ULEB128;
 * each non-zero run as its length in ULEB128 followed by its new bytes. A trailing zero run is not written. An
 * unchanged page encodes to 0 bytes (the page is skipped). The encoding overflows (-1: the page goes whole) when
 * before a zero run's length or before a non-zero run's length fewer than 2 bytes of the `dlen`-byte budget are
 * left, or when a non-zero run's bytes do not fit. ram.c gives a budget of one page.
 */

/** Bytes ULEB128 takes for `n` (7 bits a byte). */
export function uleb128Size(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/**
 * Encoded size of `next` against `old` (same length): bytes, 0 for an unchanged page, -1 for an overflow.
 * @example xbzrleEncodedSize(page of zeros, same page with bytes 8..15 set) // 10: zrun 8 (1 byte), nzrun 8 (1 byte) + 8 bytes
 */
export function xbzrleEncodedSize(old: Uint8Array, next: Uint8Array, dlen = old.length): number {
  const slen = old.length;
  if (next.length !== slen) throw new RangeError(`xbzrleEncodedSize: pages differ in length (${slen} and ${next.length})`);
  let d = 0;
  let i = 0;
  while (i < slen) {
    if (d + 2 > dlen) return -1;
    const zStart = i;
    while (i < slen && old[i] === next[i]) i++;
    const zrun = i - zStart;
    if (zrun === slen) return 0;
    if (i === slen) return d;
    d += uleb128Size(zrun);
    if (d + 2 > dlen) return -1;
    const nStart = i;
    while (i < slen && old[i] !== next[i]) i++;
    const nzrun = i - nStart;
    d += uleb128Size(nzrun);
    if (d + nzrun > dlen) return -1;
    d += nzrun;
  }
  return d;
}

/** What a sample of rewritten pages says of their XBZRLE deltas. */
export interface XbzrleDeltaStats {
  /** Pages compared whose contents changed. */
  pages: number;
  /** Share of them whose encoding overflowed (sent whole). */
  overflowShare: number;
  /** Mean encoded size of those that did not overflow, over the page size; undefined when all overflowed. */
  deltaRatio?: number;
}

/** Sums encoded sizes (from xbzrleEncodedSize, changed pages only) into the model's two inputs. Pure. */
export function xbzrleDeltaStats(encodedSizes: readonly number[], pageSize: number): XbzrleDeltaStats {
  let overflow = 0;
  let bytes = 0;
  let n = 0;
  for (const s of encodedSizes) {
    if (s === 0) continue;
    n++;
    if (s < 0) overflow++;
    else bytes += s;
  }
  const fit = n - overflow;
  return { pages: n, overflowShare: n ? overflow / n : 0, deltaRatio: fit > 0 ? bytes / fit / pageSize : undefined };
}
