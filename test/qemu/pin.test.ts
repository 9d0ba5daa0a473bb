/**
 * CPU pinning for the lab (`lab run --pin`): the layout, and a real guest's threads after pinning, read back
 * from /proc. The real part is skipped, saying why, where the lab or a second core is missing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { labAvailable, startGuest } from '../../src/lab/guest.js';
import { QemuError } from '../../src/hypervisor/qemu/qemu-binary.js';
import { defaultPinLayout, pinSource } from '../../src/hypervisor/qemu/pin.js';
import { MiB } from '../helpers.js';

describe('pin layout', () => {
  it('vCPUs on core 0, everything else on the other cores; one core is refused', () => {
    assert.deepEqual(defaultPinLayout(2), { vcpuCores: [0], otherCores: [1] });
    assert.deepEqual(defaultPinLayout(4), { vcpuCores: [0], otherCores: [1, 2, 3] });
    assert.throws(() => defaultPinLayout(1), (e: Error) => e instanceof QemuError && /--pin needs at least 2 CPU cores \(this machine has 1\)/.test(e.message));
  });
});

const lab = labAvailable();
const skip = !lab.ok ? `QEMU lab not available: ${lab.why}` : cpus().length < 2 ? 'one CPU core: nothing to pin apart' : false;

const allowed = (pid: number, tid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))![1];

describe('pinning a real guest', { skip }, () => {
  it("the vCPU thread gets core 0 alone, every other QEMU thread the other cores", async () => {
    const g = await startGuest({ memoryBytes: 256 * MiB, workload: 'idle' });
    try {
      const pid = g.proc.pid!;
      const layout = defaultPinLayout();
      const vcpus = await pinSource(g.qmp, pid, layout);
      assert.equal(vcpus.length, 1);
      const threads = readdirSync(`/proc/${pid}/task`).map(Number);
      assert.ok(threads.length > 1, 'QEMU runs more than its vCPU thread');
      for (const tid of threads) assert.equal(allowed(pid, tid), vcpus.includes(tid) ? '0' : layout.otherCores.length === 1 ? '1' : `1-${layout.otherCores.at(-1)}`);
    } finally {
      await g.kill();
    }
  });
});
