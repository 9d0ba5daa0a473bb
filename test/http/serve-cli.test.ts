/** `migcost serve` as a process: 127.0.0.1, the CLI's store (--db), a made-up token printed on stderr when none is given. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.js';
import { fakeRecord } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-serve-cli-'));
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;
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
      const expectToken = !args.includes('--token') && !env.MIGCOST_TOKEN;
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
    const { url, token, proc } = await startServe(['--db', join(dir, 'env.sqlite')], { MIGCOST_TOKEN: 'from-the-env' });
    assert.equal(token, undefined);
    const r = await fetch(`${url}/v1/vms/vm1/samples`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer from-the-env' }, body: JSON.stringify({ id: 'cli-sample-1', sample: { memoryBytes: 1e9, dirtyRateBytesPerSec: 1e6, curve: [], sampledAt: '2026-11-22T00:00:00Z' } }) });
    assert.equal(r.status, 201);
    proc.kill('SIGTERM');
  });
});
