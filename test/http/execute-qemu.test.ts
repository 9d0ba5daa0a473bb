/**
 * The service with real QEMU guests (skipped, saying why, without the lab): `migcost agent`'s QMP sampler posts
 * a real sample of the source guest, then POST /v1/execute migrates it to a destination QEMU listening with
 * -incoming through the same driver as `migcost execute`; the job's outcome is recorded with its trace.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labAvailable, startGuest, freePort } from '../../src/lab/guest.js';
import { openStore } from '../../src/store/store.js';
import { QmpClient } from '../../src/hypervisor/qemu/qmp.js';
import { serve } from '../../src/http/serve.js';
import { Agent, qmpSampler } from '../../src/agent/agent.js';
import { predict } from '../../src/index.js';
import { MiB } from '../helpers.js';

const lab = labAvailable();

describe('service with QEMU', { skip: lab.ok ? false : `QEMU lab not available: ${lab.why}` }, () => {
  it('agent samples a real guest over QMP; execute migrates it and records the move', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-svc-qemu-'));
    const port = await freePort();
    const src = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 4000, pattern: 'random' } });
    const dst = await startGuest({ memoryBytes: 256 * MiB, incomingPort: port });
    const store = await openStore(join(dir, 'svc.sqlite'));
    // What the operator allows (serve --allow-dest): this VM's socket and this destination only.
    const s = await serve({ port: 0, store, token: 'qemu-token', webRoot: false, allowedTargets: { destinations: [`tcp:127.0.0.1:${port}`], qmpSockets: [src.qmpPath] } });
    try {
      src.qmp.close(); // QEMU serves one client per QMP socket: the agent, then the move, take it
      const agent = new Agent({ vms: [{ id: 'vm1', qmp: src.qmpPath }], serviceUrl: s.url, token: 'qemu-token', intervalSec: 3600, sampler: qmpSampler() });
      await agent.tick();
      await agent.stop();
      assert.equal(agent.stats.sent, 1, JSON.stringify(agent.stats));
      const [sample] = await store.listSamples({ vmId: 'vm1' });
      assert.equal(sample.memoryBytes, 256 * MiB);
      assert.ok(sample.dirtyRateBytesPerSec > 0);

      const predicted = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: sample.dirtyRateBytesPerSec }, bandwidthBytesPerSec: 80 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3 } });
      const res = await fetch(`${s.url}/v1/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer qemu-token' },
        body: JSON.stringify({ plan: { moves: [{ vm: 'vm1', from: 'h1', to: 'h2', bandwidthBytesPerSec: 80 * MiB, predicted }] }, targets: { vms: { vm1: { qmp: src.qmpPath, uri: `tcp:127.0.0.1:${port}` } } }, timeout: '60s' }),
      });
      assert.equal(res.status, 202);
      const { id } = (await res.json()) as { id: string };
      let job: { state: string; done: { status: string; measured?: { totalTimeSec: number }; error?: string }[] } | undefined;
      for (let i = 0; i < 900; i++) {
        job = (await (await fetch(`${s.url}/v1/jobs/${id}`)).json()) as typeof job;
        if (job!.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(job!.state, 'done', JSON.stringify(job));
      assert.equal(job!.done[0].status, 'completed');
      const recs = (await (await fetch(`${s.url}/v1/vms/vm1/migrations`)).json()) as { migrations: { trace: unknown[]; measured: { status: string } }[] };
      assert.equal(recs.migrations.length, 1);
      assert.equal(recs.migrations[0].measured.status, 'completed');
      assert.ok(recs.migrations[0].trace.length >= 1);
      // The VM's migration settings are as before the move (the source is now in postmigrate).
      const q = await QmpClient.connect(src.qmpPath);
      try {
        const caps = await q.execute<{ capability: string; state: boolean }[]>('query-migrate-capabilities');
        assert.equal(caps.find((c) => c.capability === 'pause-before-switchover')?.state, false);
        assert.equal(caps.find((c) => c.capability === 'events')?.state, false);
      } finally {
        q.close();
      }
    } finally {
      await s.close();
      await store.close();
      await Promise.all([src.kill(), dst.kill()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
