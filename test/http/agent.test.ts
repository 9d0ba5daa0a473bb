/**
 * `migcost agent` against the real app over loopback: the service is down while the agent samples, then
 * comes up on the same port; every sample arrives exactly once. The sampler is a fake injected function
 * (real sampling needs a running QEMU guest; qemu/sample.ts has its own lab tests).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, type Sampler } from '../../src/agent/agent.js';
import { serve } from '../../src/http/serve.js';
import { openStore } from '../../src/store/store.js';
import type { VmSample } from '../../src/model/sample.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-agent-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let n = 0;
const fakeSampler: Sampler = async (vm) => {
  n++;
  const s: VmSample = { memoryBytes: 2 ** 30, pageSizeBytes: 4096, dirtyRateBytesPerSec: 1e6 * n, curve: [{ windowSec: 1, dirtiedBytes: 1e6 * n }], sampledAt: new Date(Date.UTC(2026, 10, 22, 0, 0, n)).toISOString() };
  if (vm.id === 'broken') throw new Error('no QMP socket');
  return s;
};

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('migcost agent', () => {
  it('buffers while the service is down, then delivers every sample once', async () => {
    const port = await freePort();
    const db = join(dir, 'agent.sqlite');
    const spool = join(dir, 'spool.jsonl');
    const logs: string[] = [];
    const agent = new Agent({
      vms: [{ id: 'vm-a', qmp: '/nonexistent/a.qmp' }, { id: 'vm-b', qmp: '/nonexistent/b.qmp' }],
      serviceUrl: `http://127.0.0.1:${port}`,
      token: 'secret-token',
      intervalSec: 3600,
      sampler: fakeSampler,
      spoolFile: spool,
      backoffMinSec: 0.05,
      backoffMaxSec: 0.2,
      log: (l) => logs.push(l),
    });
    // Service down: three rounds of sampling are held (and spooled).
    await agent.tick();
    await agent.tick();
    await agent.tick();
    assert.equal(agent.pending, 6);
    assert.equal(readFileSync(spool, 'utf8').trim().split('\n').length, 6);
    assert.ok(logs.some((l) => /unreachable/.test(l)));

    const store = await openStore(db);
    const s = await serve({ port, store, token: 'secret-token', webRoot: false });
    try {
      await until(() => agent.pending === 0, 10_000); // the backoff retry delivers without a new tick
      assert.equal(agent.stats.sent, 6);
      const a = await store.listSamples({ vmId: 'vm-a' });
      const b = await store.listSamples({ vmId: 'vm-b' });
      assert.equal(a.length, 3);
      assert.equal(b.length, 3);
      assert.equal(new Set([...a, ...b].map((x) => x.id)).size, 6);
      assert.equal(readFileSync(spool, 'utf8'), '');
      // A retry of a sample already stored (its answer lost) is answered, not stored twice.
      const again = await fetch(`${s.url}/v1/vms/vm-a/samples`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer secret-token' }, body: JSON.stringify({ id: a[0].id, sample: a[0] }) });
      assert.equal(again.status, 200);
      assert.deepEqual(await again.json(), { id: a[0].id, created: false });
      assert.equal((await store.listSamples({ vmId: 'vm-a' })).length, 3);
    } finally {
      await agent.stop();
      await s.close();
      await store.close();
    }
  });

  it('a restarted agent sends what its spool held; the bound drops the oldest', async () => {
    const spool = join(dir, 'spool2.jsonl');
    const port = await freePort();
    const first = new Agent({ vms: [{ id: 'vm-c', qmp: 'x' }, { id: 'broken', qmp: 'y' }], serviceUrl: `http://127.0.0.1:${port}`, token: 't0ken', intervalSec: 3600, sampler: fakeSampler, spoolFile: spool, maxBuffer: 2, backoffMinSec: 0.05 });
    for (let i = 0; i < 3; i++) await first.tick();
    await first.stop();
    assert.equal(first.stats.dropped, 1);
    assert.equal(first.stats.sampleErrors, 3);
    assert.ok(existsSync(spool));
    const store = await openStore(join(dir, 'agent2.sqlite'));
    const s = await serve({ port, store, token: 't0ken', webRoot: false });
    try {
      const second = new Agent({ vms: [{ id: 'vm-c', qmp: 'x' }], serviceUrl: s.url, token: 't0ken', intervalSec: 3600, sampler: fakeSampler, spoolFile: spool });
      assert.equal(second.pending, 2);
      await second.flush();
      assert.equal(second.pending, 0);
      assert.equal((await store.listSamples({ vmId: 'vm-c' })).length, 2);
      await second.stop();
    } finally {
      await s.close();
      await store.close();
    }
  });

  it('a wrong token is held and retried, not dropped', async () => {
    const store = await openStore(join(dir, 'agent3.sqlite'));
    const s = await serve({ port: 0, store, token: 'right', webRoot: false });
    const agent = new Agent({ vms: [{ id: 'vm-d', qmp: 'x' }], serviceUrl: s.url, token: 'wrong', intervalSec: 3600, sampler: fakeSampler, backoffMinSec: 10 });
    try {
      await agent.tick();
      assert.equal(agent.pending, 1);
      assert.equal(agent.stats.rejected, 0);
    } finally {
      await agent.stop();
      await s.close();
      await store.close();
    }
  });
});
