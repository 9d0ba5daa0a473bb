/**
 * The measured samples `migcost plan` prices a cluster's VMs from: each VM's latest sample in the store, or a
 * fresh one taken now over the QMP socket the cluster file names. Both give a map VM id -> VmSample that
 * src/plan/cluster.ts's withSamples applies.
 */
import { QUICK_WINDOWS_SEC } from '../hypervisor/qemu/windows.js';
import type { VmSample } from '../model/sample.js';
import { InputError } from '../units.js';

/** Each VM's latest stored sample, whatever stored it (agent, `sample`, lab, execute). */
export async function storeSamples(db: string, vmIds: string[]): Promise<Map<string, VmSample>> {
  const { openStore } = await import('../store/store.js');
  const store = await openStore(db);
  try {
    return await store.latestSamples(vmIds);
  } finally {
    await store.close();
  }
}

/** The VMs of a cluster document and the QMP socket each names, if any. */
export function qmpPaths(doc: unknown): { id: string; qmp?: string }[] {
  const vms = (doc as { vms?: unknown[] }).vms ?? [];
  return vms.map((v) => v as { id: string; qmp?: unknown }).map((v) => ({ id: v.id, qmp: typeof v.qmp === 'string' ? v.qmp : undefined }));
}

/**
 * Samples every VM of the cluster document with a QMP socket, one at a time (short windows: 50 ms, 250 ms,
 * 1 s); `onSampling` is told each VM before it is sampled.
 */
export async function liveSamples(doc: unknown, zeroPages: boolean, onSampling: (vm: string, qmp: string) => void = () => {}): Promise<Map<string, VmSample>> {
  const { QmpClient } = await import('../hypervisor/qemu/qmp.js');
  const { sampleVm } = await import('../hypervisor/qemu/sample.js');
  const out = new Map<string, VmSample>();
  const live = qmpPaths(doc).filter((v): v is { id: string; qmp: string } => v.qmp !== undefined);
  if (live.length === 0) throw new InputError('--live', 'cluster', 'no VM has a "qmp" socket path to sample');
  for (const v of live) {
    onSampling(v.id, v.qmp);
    let qmp;
    try {
      qmp = await QmpClient.connect(v.qmp, { retry: false });
    } catch (e) {
      throw new InputError(`vms.${v.id}.qmp`, v.qmp, `cannot be reached (${(e as Error).message})`);
    }
    try {
      out.set(v.id, await sampleVm(qmp, { windowsSec: [...QUICK_WINDOWS_SEC], zeroPages }));
    } finally {
      qmp.close();
    }
  }
  return out;
}
