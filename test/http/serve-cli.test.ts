/**
 * `migcost serve` as a process: 127.0.0.1, the CLI's store (--db), a made-up token printed on stderr when none is
 * given; beyond loopback only with a token of 16+ characters (file or environment); the Host header checked.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/store.js';
import { fakeRecord } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-serve-cli-'));
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;
const BIN = fileURLToPath(new URL('../../bin/migcost.js', import.meta.url));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `migcost serve ARGS` and resolves with its URL and the token line, once it listens. */
function startServe(args: string[], env: Record<string, string> = {}): Promise<{ url: string; token?: string; proc: ChildProcess }> {
  const code = `import { main } from ${JSON.stringify(MAIN)}; await main(['node', 'migcost', ...process.argv.slice(1)]);`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, 'serve', '--port', '0', ...args], { env: { ...process.env, MIGCOST_TOKEN: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(proc);
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr!.on('data', (d) => {
      err += d;
      const url = /serving on (http:\/\/\S+) /.exec(err)?.[1];
      const generated = /token \(no --token or MIGCOST_TOKEN given\): (\S+)/.exec(err)?.[1];
      const expectToken = !args.includes('--token') && !args.includes('--token-file') && !env.MIGCOST_TOKEN;
      if (url && (generated || !expectToken)) resolve({ url, token: generated, proc });
    });
    proc.once('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
  });
}

describe('migcost serve (process)', () => {
  it('listens on 127.0.0.1, serves the --db store, and makes up a token when none is given', async () => {
    const db = join(dir, 'cli.sqlite');
    const s = await openStore(db);
    await s.recordMigration(fakeRecord(1, 3));
    await s.close();
    const { url, token, proc } = await startServe(['--db', db]);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(token && token.length >= 24, 'a token printed on stderr');
    assert.deepEqual((await (await fetch(`${url}/v1/vms`)).json()).vms, [{ id: 'lab-dirtier-256M', migrations: 1 }]);
    const call = (t?: string) => fetch(`${url}/v1/calibrate`, { method: 'POST', headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) }, body: '{}' });
    assert.equal((await call()).status, 401);
    assert.equal((await call('wrong')).status, 401);
    assert.equal((await call(token)).status, 409); // authorised; one migration is not enough to fit
    proc.kill('SIGTERM');
  });

  it('takes the token from MIGCOST_TOKEN', async () => {
    const { url, token, proc } = await startServe(['--db', join(dir, 'env.sqlite')], { MIGCOST_TOKEN: 'from-the-env-0123456' });
    assert.equal(token, undefined);
    const r = await fetch(`${url}/v1/vms/vm1/samples`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer from-the-env-0123456' }, body: JSON.stringify({ id: 'cli-sample-1', sample: { memoryBytes: 1e9, dirtyRateBytesPerSec: 1e6, curve: [], sampledAt: '2026-11-22T00:00:00Z' } }) });
    assert.equal(r.status, 201);
    proc.kill('SIGTERM');
  });

  it('refuses 0.0.0.0 without a token, and any token under 16 characters (exit 2, saying why)', async () => {
    const none = await runServe(['--host', '0.0.0.0', '--db', join(dir, 'open.sqlite')]);
    assert.equal(none.code, 2);
    assert.match(none.err, /--host: "0\.0\.0\.0" is beyond loopback: give a token/);
    const short = await runServe(['--db', join(dir, 'short.sqlite'), '--token', 'x']);
    assert.equal(short.code, 2);
    assert.match(short.err, /--token: "1 characters" is too short: a token needs at least 16 characters/);
    const shortEnv = await runServe(['--host', '0.0.0.0', '--db', join(dir, 'short.sqlite')], { MIGCOST_TOKEN: 'short' });
    assert.equal(shortEnv.code, 2);
    assert.match(shortEnv.err, /MIGCOST_TOKEN: .* too short/);
  });

  it('0.0.0.0 with a token file: the banner says 0.0.0.0, the token works, and only allowed Host names are answered', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'from-a-file-0123456789\n', { mode: 0o600 });
    const { url, proc } = await startServe(['--host', '0.0.0.0', '--token-file', file, '--allowed-host', 'migcost.test', '--db', join(dir, 'file.sqlite')]);
    assert.match(url, /^http:\/\/0\.0\.0\.0:\d+$/);
    const port = Number(new URL(url).port);
    const local = `http://127.0.0.1:${port}`;
    const call = (t: string) => fetch(`${local}/v1/calibrate`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: '{}' });
    assert.equal((await call('from-a-file-0123456789')).status, 409);
    assert.equal((await call('from-a-file-012345678')).status, 401);
    assert.equal(await statusWithHost(port, `localhost:${port}`), 200);
    assert.equal(await statusWithHost(port, `migcost.test:${port}`), 200);
    assert.equal(await statusWithHost(port, `rebound.attacker.example:${port}`), 421);
    proc.kill('SIGTERM');
  });

  it('the built CLI (dist/, as `node bin/migcost.js serve`) runs the heavy routes in its workers', { skip: existsSync(BIN) ? false : 'no build (npm run build)' }, async () => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', join(dir, 'dist.sqlite')], { env: { ...process.env, MIGCOST_TOKEN: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(proc);
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      proc.stderr!.on('data', (d) => {
        err += d;
        const u = /serving on (http:\/\/\S+) /.exec(err)?.[1];
        if (u) resolve(u);
      });
      proc.once('exit', (c) => reject(new Error(`serve exited ${c}: ${err}`)));
    });
    const r = await fetch(`${url}/v1/predict/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [{ memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s' }] }) });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).results.length, 1);
    proc.kill('SIGTERM');
  });
});

/** The status of GET /v1/health sent with this Host header. */
function statusWithHost(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/health', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `migcost serve ARGS` expecting it to exit: its code and stderr. */
function runServe(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; err: string }> {
  const code = `import { main } from ${JSON.stringify(MAIN)}; await main(['node', 'migcost', ...process.argv.slice(1)]);`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, 'serve', '--port', '0', ...args], { env: { ...process.env, MIGCOST_TOKEN: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(proc);
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve) => proc.once('exit', (c) => resolve({ code: c, err })));
}
