/**
 * CPU pinning for the lab (Linux, util-linux `taskset`). On a two-core machine under TCG the source's vCPU
 * thread, its migration thread, the destination's receiving thread and the lab itself compete for two cores;
 * how much CPU the guest gets during a migration then depends on the scheduler, and with it how fast the
 * workload dirties memory. Pinning gives the source's vCPU threads cores of their own and puts every other
 * thread on the rest — as on a real host, where the migration does not run on the guest's cores.
 *
 * A thread created later inherits the affinity of the thread that creates it, so the source's migration
 * thread (started by its main loop when the migration begins) lands on the other cores too.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { QemuError } from './qemu-binary.js';
import type { QmpClient } from './qmp.js';

export interface PinLayout {
  /** Cores of the source's vCPU threads. */
  vcpuCores: number[];
  /** Cores of everything else: the source's other threads, the destination, this process. */
  otherCores: number[];
}

/** The lab's layout on this machine: vCPUs on core 0, the rest on cores 1..n-1. Needs two cores or more. */
export function defaultPinLayout(coreCount = cpus().length): PinLayout {
  if (!(coreCount >= 2)) throw new QemuError(`--pin needs at least 2 CPU cores (this machine has ${coreCount})`);
  return { vcpuCores: [0], otherCores: Array.from({ length: coreCount - 1 }, (_, i) => i + 1) };
}

function taskset(args: string[]): void {
  try {
    execFileSync('taskset', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new QemuError('--pin needs `taskset` (Debian package util-linux)');
    throw new QemuError(`taskset ${args.join(' ')} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** Pins every thread of a process (and of its future threads) to `cores`. */
export function pinProcess(pid: number, cores: readonly number[]): void {
  taskset(['-a', '-p', '-c', cores.join(','), String(pid)]);
}

/**
 * Pins a source guest: all its threads to the other cores, then its vCPU threads (from QMP's
 * `query-cpus-fast`) to theirs. Returns the vCPU thread ids.
 */
export async function pinSource(qmp: QmpClient, pid: number, layout: PinLayout): Promise<number[]> {
  pinProcess(pid, layout.otherCores);
  const tids = await qmp.vcpuThreadIds();
  if (tids.length === 0) throw new QemuError('cannot pin: QEMU reported no vCPU thread ids (query-cpus-fast)');
  for (const tid of tids) taskset(['-p', '-c', layout.vcpuCores.join(','), String(tid)]);
  return tids;
}
