/**
 * A tiny reader of (uncompressed) ustar/GNU tar archives: regular files in archive order. Pure: bytes in,
 * entries out. Handles ustar name prefixes and GNU long names ('L'); skips everything that is not a file.
 */

export interface TarEntry {
  path: string;
  /** The file's bytes (a view into the archive). */
  data: Uint8Array;
}

const BLOCK = 512;

function field(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(start, end));
}

function octal(b: Uint8Array, start: number, len: number): number {
  const s = field(b, start, len).trim();
  if (s === '') return 0;
  const n = Number.parseInt(s, 8);
  if (!Number.isFinite(n)) throw new RangeError(`readTar: bad octal field "${s}" at byte ${start}`);
  return n;
}

/**
 * The regular files of a tar archive, in the order they are stored.
 * @example readTar(gunzipSync(readFileSync('x.tar.gz'))).map((e) => e.path)
 */
export function* readTar(archive: Uint8Array): Generator<TarEntry> {
  let off = 0;
  let longName: string | null = null;
  while (off + BLOCK <= archive.length) {
    const header = archive.subarray(off, off + BLOCK);
    if (header.every((x) => x === 0)) return;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 48);
    const magic = field(header, 257, 6);
    let path = field(header, 0, 100);
    if (magic === 'ustar') {
      const prefix = field(header, 345, 155);
      if (prefix) path = `${prefix}/${path}`;
    }
    const dataStart = off + BLOCK;
    const data = archive.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    if (longName !== null) {
      path = longName;
      longName = null;
    }
    if (type === '0' || type === '\0') yield { path, data };
  }
}
