/**
 * Real QEMU: two QEMU processes on 127.0.0.1 (TCG), the lab guest from lab/setup.sh. Skipped, saying
 * why, only where QEMU >= 9 or the guest is missing (.ci/run installs both).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGuest, freePort, labAvailable, type Guest } from '../../src/lab/guest.js';
import { runMigration } from '../../src/hypervisor/qemu/migrate.js';
import { sampleVm } from '../../src/hypervisor/qemu/sample.js';
import { MiB } from '../helpers.js';

const lab = labAvailable();
const skip = lab.ok ? false : `QEMU lab not available: ${lab.why}`;
if (skip) console.log(`# SKIP real QEMU tests: ${skip}`);

async function withGuests<T>(fn: (guests: Guest[]) => Promise<T>, ...starts: (() => Promise<Guest>)[]): Promise<T> {
  const guests: Guest[] = [];
  try {
    for (const s of starts) guests.push(await s());
    return await fn(guests);
  } finally {
    await Promise.all(guests.map((g) => g.kill()));
  }
}

describe('real QEMU migrations', { skip }, () => {
  it('an idle 256 MiB guest migrates: completed, sane figures, running on the destination', async () => {
    const port = await freePort();
    await withGuests(
      async ([src, dst]) => {
        const r = await runMigration({ source: src.qmp, uri: `tcp:127.0.0.1:${port}`, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30 });
        assert.equal(r.measured.status, 'completed', r.measured.error);
        assert.equal(r.sourceStatus, 'postmigrate');
        assert.equal((await dst.qmp.queryStatus()).status, 'running');
        const m = r.measured;
        assert.ok(m.totalTimeSec > 0 && m.totalTimeSec < 10, `total ${m.totalTimeSec}`);
        assert.ok(m.downtimeSec > 0 && m.downtimeSec < 0.3, `downtime ${m.downtimeSec}`);
        // Every non-zero page went in full (plus headers), the zero pages as flags: under the guest's size.
        assert.ok(m.transferredBytes >= (m.normalPages ?? 0) * 4096, 'bytes cover the normal pages');
        assert.ok(m.transferredBytes < 256 * MiB * 1.05);
        assert.ok((m.normalPages ?? 0) + (m.zeroPages ?? 0) >= (256 * MiB) / 4096);
        assert.ok(m.rounds >= 1);
      },
      () => startGuest({ memoryBytes: 256 * MiB, workload: 'idle' }),
      () => startGuest({ memoryBytes: 256 * MiB, incomingPort: port }),
    );
  });

  it('sampling sees the dirtier at its configured rate, and the zero pages QEMU will send as flags', async () => {
    await withGuests(
      async ([src]) => {
        const s = await sampleVm(src.qmp, { windowsSec: [0.25, 0.5, 1] });
        assert.equal(s.memoryBytes, 256 * MiB);
        const want = 10000 * 4096; // pages/s x page size; sequential: all distinct within a short window
        // page-sampling's ~157 dirty pages of 4,096 over 0.25 s: sd ~8 %, and the dirtier drops what a long vCPU stall
        // costs it: 0.6-1.4 x is about 5 sd
        assert.ok(s.dirtyRateBytesPerSec > 0.6 * want && s.dirtyRateBytesPerSec < 1.4 * want, `rate ${s.dirtyRateBytesPerSec} vs ${want}`);
        assert.equal(s.curve.length, 3);
        for (let i = 1; i < s.curve.length; i++) assert.ok(s.curve[i].dirtiedBytes >= s.curve[i - 1].dirtiedBytes);
        // 64 MiB of the 256 are the filled working set: at most 3/4 of the pages can be zero
        assert.ok(s.zeroPageFraction! > 0 && s.zeroPageFraction! < 0.75, `zero ${s.zeroPageFraction}`);
        // a rate-controlled dirtier leaves most of its vCPU idle
        assert.ok(s.cpuUtilisation !== undefined && s.cpuUtilisation > 0 && s.cpuUtilisation < 0.9, `cpu ${s.cpuUtilisation}`);
      },
      () => startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '64M', rate: 10000, pattern: 'seq' } }),
    );
  });

  it('the destination killed mid-migration: reported as failed, and the VM keeps running on the source', async () => {
    const port = await freePort();
    await withGuests(
      async ([src, dst]) => {
        // 30,000 pages/s (117 MiB/s) over 128 MiB at a 50 MiB/s cap never converges: it is mid-flight for sure
        const killer = setTimeout(() => dst.proc.kill('SIGKILL'), 2500);
        const r = await runMigration({ source: src.qmp, uri: `tcp:127.0.0.1:${port}`, bandwidthBytesPerSec: 50 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30 });
        clearTimeout(killer);
        assert.equal(r.measured.status, 'failed');
        assert.ok(r.measured.error, 'says what happened');
        assert.equal(r.sourceStatus, 'running');
        assert.ok(r.measured.totalTimeSec < 20);
      },
      () => startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '128M', rate: 30000, pattern: 'seq' } }),
      () => startGuest({ memoryBytes: 256 * MiB, incomingPort: port }),
    );
  });

  it('a timed-out migration is cancelled, and the VM keeps running on the source', async () => {
    const port = await freePort();
    await withGuests(
      async ([src]) => {
        const r = await runMigration({ source: src.qmp, uri: `tcp:127.0.0.1:${port}`, bandwidthBytesPerSec: 30 * MiB, downtimeLimitSec: 0.1, autoConverge: false, timeoutSec: 3 });
        assert.equal(r.measured.status, 'cancelled');
        assert.match(r.measured.error ?? '', /time-out/);
        assert.equal(r.sourceStatus, 'running');
      },
      () => startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '128M', rate: 30000, pattern: 'seq' } }),
      () => startGuest({ memoryBytes: 256 * MiB, incomingPort: port }),
    );
  });

  it("the destination's RAM equals the source's, page for page, after a migration under load", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'migcost-ram-'));
    try {
      await withGuests(
        async ([src, dst]) => {
          const r = await runMigration({ source: src.qmp, uri: `tcp:127.0.0.1:${port}`, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30 });
          assert.equal(r.measured.status, 'completed', r.measured.error);
          assert.equal(r.sourceStatus, 'postmigrate'); // the source stopped at switch-over
          assert.equal((await dst.qmp.queryStatus()).running, false); // -S: the destination stays paused
          const a = join(dir, 'src.bin');
          const b = join(dir, 'dst.bin');
          await src.qmp.execute('pmemsave', { val: 0, size: 256 * MiB, filename: a }, { timeoutMs: 60_000 });
          await dst.qmp.execute('pmemsave', { val: 0, size: 256 * MiB, filename: b }, { timeoutMs: 60_000 });
          const x = readFileSync(a);
          const y = readFileSync(b);
          assert.equal(x.length, y.length);
          let differing = 0;
          for (let off = 0; off < x.length; off += 4096) if (x.compare(y, off, off + 4096, off, off + 4096) !== 0) differing++;
          assert.equal(differing, 0, `${differing} pages differ`);
        },
        () => startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '64M', rate: 8000, pattern: 'random' } }),
        () => startGuest({ memoryBytes: 256 * MiB, incomingPort: port, paused: true }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
