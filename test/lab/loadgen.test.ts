/**
 * The lab's request load (lab/guest/loadgen.c), run on the host against a stand-in for redis (a real TCP server that
 * parses each SET and answers +OK: a fake for the server's side only). What it must do for held-out passes: start
 * its load at a random point of its period, announced on its READY line, and follow the sine from there — so a lab
 * that samples and migrates at fixed delays after boot does not meet the load at the same phase every run.
 * Needs gcc on Linux and 127.0.0.1:6379 free (loadgen's fixed port); skipped otherwise.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GUEST = new URL('../../lab/guest/', import.meta.url).pathname;
const gcc = spawnSync('gcc', ['--version']).status === 0;
const skip = process.platform !== 'linux' || !gcc ? 'needs gcc on Linux' : false;

/** Counts complete RESP commands (arrays of bulk strings) in a stream and answers +OK to each. */
function respCounter(onCommand: () => void): (chunk: Buffer, reply: (b: string) => void) => void {
  let buf = Buffer.alloc(0);
  return (chunk, reply) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      let at = 0;
      const line = (): string | undefined => {
        const end = buf.indexOf('\r\n', at);
        if (end < 0) return undefined;
        const s = buf.subarray(at, end).toString('latin1');
        at = end + 2;
        return s;
      };
      const head = line();
      if (head === undefined) return;
      assert.match(head, /^\*\d+$/, 'a RESP array');
      let complete = true;
      for (let i = 0, n = Number(head.slice(1)); i < n; i++) {
        const len = line();
        if (len === undefined || at + Number(len.slice(1)) + 2 > buf.length) {
          complete = false;
          break;
        }
        at += Number(len.slice(1)) + 2;
      }
      if (!complete) return;
      buf = buf.subarray(at);
      onCommand();
      reply('+OK\r\n');
    }
  };
}

let dir = '';
let server: Server | undefined;
let counted = 0;
let portFree = true;

describe('lab guest programs: loadgen', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'migcost-loadgen-'));
    const r = spawnSync('gcc', ['-O2', '-o', join(dir, 'loadgen'), join(GUEST, 'loadgen.c'), '-lm'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    server = createServer((sock) => {
      const feed = respCounter(() => counted++);
      sock.on('data', (d: Buffer) => feed(d, (b) => sock.write(b)));
      sock.on('error', () => {});
    });
    await new Promise<void>((resolve) => {
      server!.once('error', () => {
        portFree = false;
        resolve();
      });
      server!.listen(6379, '127.0.0.1', () => resolve());
    });
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One run of `seconds`: the phase it announced and the SETs the server saw in that time. */
  async function run(seconds: number): Promise<{ phase: number; sets: number }> {
    counted = 0;
    const p = spawn(join(dir, 'loadgen'), ['200', 'sine', '4', '1000', '64'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    await new Promise((r) => setTimeout(r, seconds * 1000));
    p.kill('SIGKILL');
    const m = /LOADGEN-READY .*phase=([0-9.]+)/.exec(out);
    assert.ok(m, `no READY line with a phase: ${JSON.stringify(out)}`);
    return { phase: Number(m[1]), sets: counted };
  }

  it('starts at a random phase of its period and follows the sine from it', async (t) => {
    if (!portFree) return t.skip('127.0.0.1:6379 is taken');
    const runs = [await run(1), await run(1), await run(1)];
    t.diagnostic(runs.map((r) => `phase ${r.phase}: ${r.sets} SETs in 1 s`).join('; '));
    for (const r of runs) assert.ok(r.phase >= 0 && r.phase < 1, `phase ${r.phase}`);
    // three draws of a uniform phase, printed to 3 decimals: equal by chance with probability about 3e-3
    assert.ok(new Set(runs.map((r) => r.phase)).size >= 2, 'the phase differs from run to run');
    // SETs in the first second: 200 x (1 + 0.9 sin(2 pi (phase + t / 4))) integrated over t in [0, 1] — from 20
    // to 380 depending on the phase; ticks of 10 ms and the start-up allow 15 % and 25 SETs
    for (const r of runs) {
      const w = (2 * Math.PI) / 4;
      const a = 2 * Math.PI * r.phase;
      const expected = 200 * (1 + (0.9 / w) * (Math.cos(a) - Math.cos(a + w)));
      assert.ok(Math.abs(r.sets - expected) <= 0.15 * expected + 25, `phase ${r.phase}: ${r.sets} SETs, expected about ${Math.round(expected)}`);
    }
  });
});
