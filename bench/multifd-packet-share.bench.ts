/**
 * Per-page, per-packet and per-stream compression (issue 19): the compressed over raw share of the non-zero 4 KiB
 * pages of a memory-like file (a first pass: every page dirty), each page compressed alone (the sampler until stop
 * 25), 128 consecutive non-zero pages a packet compressed alone (until stop 28), and as QEMU's multifd does
 * (model/packet-compression.ts `packetPlan`: 128 consecutive pages a packet, its non-zero ones one stream that goes
 * on from the packet the same channel sent before, 2 channels), with zlib and zstd at level 1. No timings: sizes
 * only. Run:
 *   node --import tsx bench/multifd-packet-share.bench.ts FILE...
 * Without files: synthetic pages (key=value text records, a 32-byte pattern with counters, random bytes).
 */
import { deflateRawSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { init, compress } from '@bokuweb/zstd-wasm';
import { multifdPacketPages, packetPlan, streamShare } from '../src/model/packet-compression.js';

const PAGE = 4096;
await init();
const zlib1 = (b: Uint8Array) => deflateRawSync(b, { level: 1 }).length;
const zstd1 = (b: Uint8Array) => compress(b, 1).length;

function synthetic(): Buffer {
  const pages = 4096;
  const out = Buffer.alloc(pages * PAGE);
  let x = 7;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8);
  for (let p = 0; p < pages; p++) {
    const kind = p % 3;
    const page = out.subarray(p * PAGE, (p + 1) * PAGE);
    if (kind === 0) {
      let s = '';
      while (s.length < PAGE) s += `user:${rnd() % 100000} name=${['ada', 'bob', 'cy', 'dee'][rnd() % 4]} score=${rnd() % 1000}\n`;
      page.write(s.slice(0, PAGE), 'latin1');
    } else if (kind === 1) for (let i = 0; i < PAGE; i += 32) page.writeUInt32LE(rnd() % 256 === 0 ? rnd() : i, i);
    else for (let i = 0; i < PAGE; i++) page[i] = rnd() & 0xff;
  }
  return out;
}

function nonZeroFlags(buf: Buffer): number[] {
  const flags: number[] = [];
  for (let p = 0; p * PAGE < buf.length; p++) {
    const page = buf.subarray(p * PAGE, (p + 1) * PAGE);
    flags.push(page.some((v) => v !== 0) ? 1 : 0);
  }
  return flags;
}

const files = process.argv.slice(2);
const inputs: [string, Buffer][] = files.length > 0 ? files.map((f) => [f, readFileSync(f)]) : [['synthetic', synthetic()]];
/** Runs of up to `n` consecutive flagged indices (the old packets: zero pages skipped before packing). */
function runsOf(flags: readonly number[], n: number): number[][] {
  const all = flags.flatMap((f, i) => (f ? [i] : []));
  const out: number[][] = [];
  for (let s = 0; s < all.length; s += n) out.push(all.slice(s, s + n));
  return out;
}

console.log('input | non-zero pages | zlib page / packet / stream | zstd page / packet / stream');
for (const [name, buf] of inputs) {
  const flags = nonZeroFlags(buf);
  const page = (i: number) => buf.subarray(i * PAGE, (i + 1) * PAGE);
  const per = multifdPacketPages(PAGE);
  const nonZero = (ix: number[]) => Buffer.concat(ix.filter((i) => flags[i]).map(page));
  const old = runsOf(flags, per);
  const single = old.flat().map(page);
  const packets = old.map((ix) => Buffer.concat(ix.map(page)));
  const plan = packetPlan(new Uint8Array(flags.length).fill(1), Number.MAX_SAFE_INTEGER, per, 2, flags);
  const streams = plan.packets.map(nonZero);
  const contexts = plan.contexts.map(nonZero);
  const f = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(3));
  const alone = (bufs: Buffer[], c: (b: Uint8Array) => number) => streamShare(bufs, [], c);
  console.log(`${name} | ${single.length} | ${f(alone(single, zlib1))} / ${f(alone(packets, zlib1))} / ${f(streamShare(streams, contexts, zlib1))} | ${f(alone(single, zstd1))} / ${f(alone(packets, zstd1))} / ${f(streamShare(streams, contexts, zstd1))}`);
}
