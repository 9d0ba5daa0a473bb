/**
 * The lab guest's own workload programs (lab/guest/*.c), run on the host: how each answers being held back. The
 * process is stopped (SIGSTOP) for 1 s while its clock runs on — what an auto-converge throttle does to a guest —
 * and the pages it wrote in the 0.2 s after it resumes are counted by comparing its memory before and after
 * (/proc/PID/mem; every write changes a page: a stamp or random bytes). Needs gcc and Linux; skipped otherwise.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GUEST = new URL('../../lab/guest/', import.meta.url).pathname;
const gcc = spawnSync('gcc', ['--version']).status === 0;
const skip = process.platform !== 'linux' || !gcc ? 'needs gcc on Linux' : false;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PAGE = 4096;

let dir = '';
const bin = (name: string) => join(dir, name);

/** Starts a program and waits for its READY line. */
async function start(args: string[], ready: string): Promise<ChildProcess> {
  const p = spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  for (let i = 0; i < 100 && !out.includes(ready); i++) await sleep(50);
  assert.ok(out.includes(ready), `${args.join(' ')}: no ${ready}`);
  return p;
}

/** The anonymous mapping of exactly `bytes` in the process: its start address. */
function mappingOf(pid: number, bytes: number): number {
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) rw-p 00000000 00:00 0\s*$/.exec(line);
    if (m && parseInt(m[2], 16) - parseInt(m[1], 16) === bytes) return parseInt(m[1], 16);
  }
  throw new Error(`no ${bytes}-byte anonymous mapping in ${pid}`);
}

/** The process's memory [start, start + bytes), read through /proc/PID/mem (the process stopped). */
function snapshot(pid: number, start: number, bytes: number): Buffer {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    let off = 0;
    while (off < bytes) {
      const n = readSync(fd, buf, off, bytes - off, start + off);
      if (n <= 0) break;
      off += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** Pages written in the 0.2 s after a 1 s stop: pages whose contents differ between two snapshots. */
async function writtenAfterStop(p: ChildProcess, bytes: number): Promise<number> {
  const pid = p.pid!;
  const start = mappingOf(pid, bytes);
  process.kill(pid, 'SIGSTOP');
  await sleep(1000);
  const a = snapshot(pid, start, bytes);
  process.kill(pid, 'SIGCONT');
  await sleep(200);
  process.kill(pid, 'SIGSTOP');
  const b = snapshot(pid, start, bytes);
  p.kill('SIGKILL');
  let n = 0;
  for (let off = 0; off < bytes; off += PAGE) if (!a.subarray(off, off + PAGE).equals(b.subarray(off, off + PAGE))) n++;
  return n;
}

describe('lab guest programs: catch-up after being held back', { skip }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'migcost-guest-'));
    for (const name of ['dirtier', 'scatter']) {
      const r = spawnSync('gcc', ['-O2', '-o', bin(name), join(GUEST, `${name}.c`)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // 2,000 pages/s over a 64 MiB set (16,384 pages): 0.2 s is 400 pages; 1 s missed is 2,000 more.
  const wss = 64 * 2 ** 20;

  it('dirtier pace=clock writes what it missed (about 2,400 pages); the capped dirtier at most 100 ms of it (about 600)', async (t) => {
    const clock = await writtenAfterStop(await start([bin('dirtier'), String(wss), '2000', 'seq', 'pace=clock'], 'DIRTIER-READY'), wss);
    const capped = await writtenAfterStop(await start([bin('dirtier'), String(wss), '2000', 'seq'], 'DIRTIER-READY'), wss);
    t.diagnostic(`pace=clock ${clock} pages, capped ${capped}`);
    assert.ok(clock >= 1800 && clock <= 4000, `pace=clock: ${clock} pages`);
    assert.ok(capped >= 300 && capped <= 1000, `capped: ${capped} pages`);
  });

  it('scatter never catches up (at most 0.2 s worth, 400 pages); a dirtier in a read phase writes nothing', async (t) => {
    const scatter = await writtenAfterStop(await start([bin('scatter'), String(wss), '2000'], 'SCATTER-READY'), wss);
    t.diagnostic(`scatter ${scatter} pages`);
    assert.ok(scatter >= 100 && scatter <= 700, `scatter: ${scatter} pages`);
    // read phases of 100 s: the stop falls in one
    const reading = await writtenAfterStop(await start([bin('dirtier'), String(wss), '2000', 'seq', 'pace=clock', 'phases=0.001s:write,100s:read'], 'DIRTIER-READY'), wss);
    assert.equal(reading, 0);
  });
});
