/**
 * `migcost execute --advise`: each move runs with the technique its plan move carries (`plan --advise`). Bad input
 * is named before anything runs (exit 2); with real QEMU, a post-copy move sets the destination over its QMP
 * socket, completes, and the record says post-copy.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labAvailable, startGuest, freePort } from '../../src/lab/guest.js';
import { openStore } from '../../src/store/store.js';
import { QmpClient } from '../../src/hypervisor/qemu/qmp.js';
import { predict } from '../../src/model/index.js';
import { MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const lab = labAvailable();

function execute(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, 'execute', ...args]);
    let o = '';
    let e = '';
    p.stdout.on('data', (d) => (o += d));
    p.stderr.on('data', (d) => (e += d));
    p.on('exit', (code) => resolve({ code, out: o, err: e }));
  });
}

function files(move: Record<string, unknown>, target: Record<string, unknown>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'migcost-exec-'));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ moves: [{ vm: 'vm1', from: 'h1', to: 'h2', bandwidthBytesPerSec: 50 * MiB, predicted: {}, ...move }] }));
  writeFileSync(join(dir, 't.json'), JSON.stringify({ vms: { vm1: target } }));
  return ['--plan', join(dir, 'plan.json'), '--targets', join(dir, 't.json'), '--db', join(dir, 'h.sqlite'), '--advise'];
}

describe('migcost execute --advise: bad input, exit 2', () => {
  const target = { qmp: '/tmp/nowhere.qmp', uri: 'tcp:127.0.0.1:4444' };
  it('a move without a technique', async () => {
    const r = await execute(files({}, target));
    assert.equal(r.code, 2);
    assert.match(r.err, /--plan moves\[0\]\.technique: null is required with --advise/);
  });
  it('dirty-limit, which the driver cannot run', async () => {
    const r = await execute(files({ technique: { name: 'dirty-limit' } }, target));
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot be run by migcost's driver/);
  });
  it("post-copy without the destination's QMP socket", async () => {
    const r = await execute(files({ technique: { name: 'postcopy' } }, target));
    assert.equal(r.code, 2);
    assert.match(r.err, /--targets vms\.vm1\.destQmp is required for technique postcopy/);
  });
});

describe('migcost execute --advise with real QEMU', { skip: lab.ok ? false : `QEMU lab not available: ${lab.why}` }, () => {
  it('a post-copy move: the destination set over its QMP socket, completed, recorded as post-copy', async () => {
    const port = await freePort();
    const src = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 4000, pattern: 'random' } });
    const dst = await startGuest({ memoryBytes: 256 * MiB, incomingPort: port, incomingDefer: true });
    try {
      const capsBefore = await dst.qmp.execute<{ capability: string; state: boolean }[]>('query-migrate-capabilities');
      src.qmp.close(); // QEMU serves one client per QMP socket: the CLI takes both
      dst.qmp.close();
      const predicted = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 16 * MiB }, bandwidthBytesPerSec: 50 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3 }, technique: { name: 'postcopy' } });
      const args = files({ predicted, technique: { name: 'postcopy' } }, { qmp: src.qmpPath, uri: `tcp:127.0.0.1:${port}`, destQmp: dst.qmpPath });
      const r = await execute([...args, '--json', '--timeout', '60s']);
      assert.equal(r.code, 0, r.err);
      const line = JSON.parse(r.out.trim());
      assert.equal(line.measured.status, 'completed');
      assert.equal(line.measured.technique, 'postcopy');
      assert.ok(line.measured.postcopyBytes > 0);
      // The destination's stall, measured by QEMU (postcopy-blocktime), and every capability migcost set there put back.
      assert.ok(line.measured.postcopyPhaseSec > 0, `switched to post-copy: ${JSON.stringify(line.measured)}`);
      assert.ok(typeof line.measured.postcopyBlocktimeSec === 'number' && line.measured.postcopyBlocktimeSec >= 0, `blocktime ${line.measured.postcopyBlocktimeSec}`);
      const again = await QmpClient.connect(dst.qmpPath, { retry: false });
      try {
        const caps = await again.execute<{ capability: string; state: boolean }[]>('query-migrate-capabilities');
        assert.equal(caps.find((c) => c.capability === 'postcopy-blocktime')?.state, false, 'postcopy-blocktime off again');
        assert.deepEqual(caps, capsBefore, "the destination's capabilities as they were before migcost readied it");
      } finally {
        again.close();
      }
      const s = await openStore(args[5]);
      const recs = await s.listMigrations();
      await s.close();
      assert.deepEqual(recs[0].config.technique, { name: 'postcopy' });
    } finally {
      await Promise.all([src.kill(), dst.kill()]);
    }
  });
});
