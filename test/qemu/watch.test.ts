/**
 * `migcost watch --qmp` on a real QEMU migration started by someone else's driver (here a plain QMP `migrate`
 * with bandwidth and downtime limit only): it follows the migration on a second monitor, the progress never runs
 * backwards, it ends with QEMU's own figures, and it leaves every migration setting as it found it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { labAvailable, startGuest, freePort } from '../../src/lab/guest.js';
import { QmpClient } from '../../src/hypervisor/qemu/qmp.js';
import { MiB } from '../helpers.js';
import { allSettings } from './settings-snapshot.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const lab = labAvailable();
const skip = lab.ok ? false : `QEMU lab not available: ${lab.why}`;

describe('watch --qmp', { skip }, () => {
  it('follows a migration to its end and changes nothing', async () => {
    const src = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 3000, pattern: 'random' } });
    const port = await freePort();
    const dst = await startGuest({ memoryBytes: 256 * MiB, incomingPort: port });
    try {
      await src.qmp.execute('migrate-set-parameters', { 'max-bandwidth': 48 * MiB, 'downtime-limit': 300 });
      const monitor = await QmpClient.connect(src.monitorPath);
      const before = await allSettings(monitor);
      monitor.close();
      const w = spawn(process.execPath, [BIN, 'watch', '--qmp', src.monitorPath, '--interval', '250ms', '--completion-timeout', '1h', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      w.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      w.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const code = new Promise<number | null>((r) => w.once('close', r));
      await new Promise((r) => setTimeout(r, 500));
      await src.qmp.execute('migrate', { uri: `tcp:127.0.0.1:${port}` });
      assert.equal(await code, 0, err);
      const lines = out.trim().split('\n').map((l) => JSON.parse(l));
      const live = lines.filter((l) => l.progress !== undefined);
      assert.ok(live.length >= 3, `${live.length} progress lines`);
      for (let i = 1; i < live.length; i++) assert.ok(live[i].progress >= live[i - 1].progress, 'progress never runs backwards');
      const end = lines.at(-1);
      assert.equal(end.status, 'completed');
      assert.ok(end.totalTimeSec > 1 && end.transferredBytes > 100 * MiB);
      assert.equal(end.warned, false, 'no warning on a migration that ends well within the time-out');
      const after = await allSettings(src.qmp);
      assert.deepEqual(after, before);
    } finally {
      await src.kill();
      await dst.kill();
    }
  });
});
