/**
 * `migcost plan` reading the cluster's dynamic state live over QMP (a real QEMU guest) and from the store's
 * latest samples. The file says vm1 has 1 GiB; its sample says 256 MiB, so memory-order selection (mia)
 * moves vm1 only when the sample was applied.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labAvailable, startGuest } from '../../src/lab/guest.js';
import { openStore } from '../../src/store/store.js';
import { withSamples, parseCluster } from '../../src/plan/cluster.js';
import { fakeRecord } from '../store/fixtures.js';
import { MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const lab = labAvailable();

function clusterDoc(qmp?: string) {
  return {
    hosts: [
      { id: 'h1', cpu: 4, memory: '8GiB', bandwidth: '100MiB/s' },
      { id: 'h2', cpu: 8, memory: '8GiB', bandwidth: '100MiB/s' },
    ],
    vms: [
      { id: 'vm1', host: 'h1', cpu: 3, memory: '1GiB', dirtyRate: '1MiB/s', ...(qmp ? { qmp } : {}) },
      { id: 'vm2', host: 'h1', cpu: 2, memory: '512MiB', dirtyRate: '1MiB/s' },
    ],
  };
}

describe('cluster state from samples', () => {
  it('withSamples gives the VMs it has samples for their sample and its dynamic fields, and changes nothing else', () => {
    const doc = clusterDoc();
    const sample = { memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 5 * MiB, curve: [{ windowSec: 1, dirtiedBytes: 4 * MiB }], zeroPageFraction: 0.5, cpuUtilisation: 1.3, sampledAt: '2026-01-01T00:00:00.000Z' };
    const parsed = parseCluster(doc);
    const out = withSamples(parsed, new Map([['vm1', sample]]));
    assert.equal(out.vms[0].sample, sample);
    assert.equal(out.vms[1].sample, undefined);
    assert.equal(parsed.vms[0].memoryBytes, 1024 * MiB, 'the parsed cluster is not changed');
    assert.equal(out.vms[0].memoryBytes, 256 * MiB);
    assert.equal(out.vms[0].dirtyRateBytesPerSec, 5 * MiB);
    assert.deepEqual(out.vms[0].curve, [{ windowSec: 1, dirtiedBytes: 4 * MiB }]);
    assert.equal(out.vms[0].zeroPageFraction, 0.5);
    assert.equal(out.vms[0].cpuUtilisation, 1);
    assert.equal(out.vms[0].cpu, 3);
    assert.equal(out.vms[1].memoryBytes, 512 * MiB);
    assert.equal(doc.vms[0].memory, '1GiB', 'the input document is not changed');
  });

  it('withSamples takes 300,000 hosts (no argument spread over the hosts: that overflowed the stack)', () => {
    const doc = clusterDoc();
    const hosts = Array.from({ length: 300_000 }, (_, i) => ({ id: `h${i}`, cpu: 4, memory: i === 123_456 ? '16GiB' : '1GiB' }));
    const parsed = parseCluster({ ...doc, hosts });
    const sample = (memoryBytes: number) => ({ memoryBytes, pageSizeBytes: 4096, dirtyRateBytesPerSec: MiB, curve: [{ windowSec: 1, dirtiedBytes: MiB }], sampledAt: '2026-01-01T00:00:00.000Z' });
    assert.equal(withSamples(parsed, new Map([['vm1', sample(8192 * MiB)]])).vms[0].memoryBytes, 8192 * MiB, 'fits the one big host');
    assert.throws(() => withSamples(parsed, new Map([['vm1', sample(32768 * MiB)]])), /bigger than every host/);
  });

  it('plan --from-store takes each VM’s latest stored sample', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-plan-'));
    const db = join(dir, 'h.sqlite');
    const s = await openStore(db);
    const r = fakeRecord(1);
    r.config.params = { vm: 'vm1' };
    r.config.workload = 'external';
    await s.recordMigration(r);
    assert.equal((await s.listMigrations({ vmId: 'vm1' })).length, 1, 'a moved VM is stored under its own id');
    await s.close();
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify(clusterDoc()));
    const without = spawnSync(process.execPath, [BIN, 'plan', '--cluster', file, '--policy', 'mia', '--json'], { encoding: 'utf8' });
    assert.equal(without.status, 0, without.stderr);
    assert.deepEqual(JSON.parse(without.stdout).moves.map((m: { vm: string }) => m.vm), ['vm2']);
    const withStore = spawnSync(process.execPath, [BIN, 'plan', '--cluster', file, '--policy', 'mia', '--from-store', '--db', db, '--json'], { encoding: 'utf8' });
    assert.equal(withStore.status, 0, withStore.stderr);
    assert.deepEqual(JSON.parse(withStore.stdout).moves.map((m: { vm: string }) => m.vm), ['vm1']);
  });

  it('plan --live names an unreachable QMP socket and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-plan-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify(clusterDoc(join(dir, 'nothing.qmp'))));
    const p = spawnSync(process.execPath, [BIN, 'plan', '--cluster', file, '--live', '--json'], { encoding: 'utf8' });
    assert.equal(p.status, 2);
    assert.match(p.stderr, /vms\.vm1\.qmp/);
  });

  it('plan --live samples a running QEMU guest over QMP', { skip: lab.ok ? false : `QEMU lab not available: ${lab.why}` }, async () => {
    const g = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 4000, pattern: 'random' } });
    try {
      g.qmp.close(); // QEMU serves one client per QMP socket: the CLI takes it
      const dir = mkdtempSync(join(tmpdir(), 'migcost-plan-'));
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify(clusterDoc(g.qmpPath)));
      const out = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, 'plan', '--cluster', file, '--policy', 'mia', '--live', '--json']);
        let o = '';
        let e = '';
        p.stdout.on('data', (d) => (o += d));
        p.stderr.on('data', (d) => (e += d));
        p.on('exit', (code) => resolve({ code, out: o, err: e }));
      });
      assert.equal(out.code, 0, out.err);
      const plan = JSON.parse(out.out);
      assert.deepEqual(plan.moves.map((m: { vm: string }) => m.vm), ['vm1']);
      // the dirtier writes 4,000 pages/s (15.6 MiB/s) over 32 MiB: the move re-sends some of it
      assert.ok(plan.moves[0].predicted.transferredBytes > 0 && plan.moves[0].predicted.transferredBytes < 1024 * MiB);
    } finally {
      await g.kill();
    }
  });
});
