/**
 * `migcost execute` with real QEMU: a one-move plan, a source guest reached on its QMP socket and a destination
 * QEMU listening with -incoming; the outcome is recorded and compared. Skipped, saying why, without the lab.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labAvailable, startGuest, freePort } from '../../src/lab/guest.js';
import { openStore } from '../../src/store/store.js';
import { predict } from '../../src/index.js';
import { MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const lab = labAvailable();

describe('migcost execute', { skip: lab.ok ? false : `QEMU lab not available: ${lab.why}` }, () => {
  it("runs the plan's move through QEMU, records it, and prints predicted against measured", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-exec-'));
    const port = await freePort();
    const src = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 4000, pattern: 'random' } });
    const dst = await startGuest({ memoryBytes: 256 * MiB, incomingPort: port });
    try {
      src.qmp.close(); // QEMU serves one client per QMP socket: the CLI takes it
      const predicted = predict({ vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 16 * MiB }, bandwidthBytesPerSec: 80 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3 } });
      const plan = join(dir, 'plan.json');
      writeFileSync(plan, JSON.stringify({ moves: [{ vm: 'vm1', from: 'h1', to: 'h2', bandwidthBytesPerSec: 80 * MiB, predicted }] }));
      const targets = join(dir, 'targets.json');
      writeFileSync(targets, JSON.stringify({ vms: { vm1: { qmp: src.qmpPath, uri: `tcp:127.0.0.1:${port}` } } }));
      const db = join(dir, 'h.sqlite');
      const out = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, 'execute', '--plan', plan, '--targets', targets, '--db', db, '--json', '--timeout', '60s']);
        let o = '';
        let e = '';
        p.stdout.on('data', (d) => (o += d));
        p.stderr.on('data', (d) => (e += d));
        p.on('exit', (code) => resolve({ code, out: o, err: e }));
      });
      assert.equal(out.code, 0, out.err);
      const line = JSON.parse(out.out.trim());
      assert.equal(line.measured.status, 'completed');
      assert.equal(line.sourceStatus, 'postmigrate');
      assert.ok(line.predicted.totalTimeSec > 0 && line.measured.totalTimeSec > 0);
      const s = await openStore(db);
      const recs = await s.listMigrations();
      await s.close();
      assert.equal(recs.length, 1);
      assert.equal(recs[0].config.workload, 'external');
      assert.ok(recs[0].trace.length >= 1);
    } finally {
      await Promise.all([src.kill(), dst.kill()]);
    }
  });

  it('a target missing from the targets file is named before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-exec-'));
    writeFileSync(join(dir, 'plan.json'), JSON.stringify({ moves: [{ vm: 'ghost', from: 'a', to: 'b', bandwidthBytesPerSec: 1, predicted: {} }] }));
    writeFileSync(join(dir, 't.json'), JSON.stringify({ vms: {} }));
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'execute', '--plan', join(dir, 'plan.json'), '--targets', join(dir, 't.json'), '--db', join(dir, 'h.sqlite')]);
      let e = '';
      p.stderr.on('data', (d) => (e += d));
      p.on('exit', (code) => resolve({ code, err: e }));
    });
    assert.equal(r.code, 2);
    assert.match(r.err, /--targets vms\.ghost: null must give qmp/);
  });
});
