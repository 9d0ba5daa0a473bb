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

/** The VMs of a cluster document and where each can be sampled: a QMP socket, or a libvirt connection and domain. */
export function qmpPaths(doc: unknown): { id: string; qmp?: string; libvirt?: { uri: string; domain: string } }[] {
  const vms = (doc as { vms?: unknown[] }).vms ?? [];
  return vms.map((v) => v as { id: string; qmp?: unknown; libvirtUri?: unknown; domain?: unknown }).map((v) => ({
    id: v.id,
    qmp: typeof v.qmp === 'string' ? v.qmp : undefined,
    libvirt: typeof v.libvirtUri === 'string' && typeof v.domain === 'string' ? { uri: v.libvirtUri, domain: v.domain } : undefined,
  }));
}

/**
 * Samples every VM of the cluster document with a QMP socket (short windows: 50 ms, 250 ms, 1 s) or a libvirt
 * connection and domain (`libvirtUri` + `domain`, as `migcost inventory` writes them: libvirt's own calls, one
 * 1 s window, no taint), one at a time; `onSampling` is told each VM before it is sampled.
 */
export async function liveSamples(doc: unknown, zeroPages: boolean, onSampling: (vm: string, where: string) => void = () => {}): Promise<Map<string, VmSample>> {
  const out = new Map<string, VmSample>();
  const all = qmpPaths(doc);
  if (!all.some((v) => v.qmp !== undefined || v.libvirt !== undefined)) throw new InputError('--live', 'cluster', 'no VM has a "qmp" socket path, or "libvirtUri" and "domain", to sample');
  for (const v of all) {
    if (v.qmp !== undefined) {
      onSampling(v.id, v.qmp);
      out.set(v.id, await sampleOverQmp(v.id, v.qmp, zeroPages));
    } else if (v.libvirt !== undefined) {
      if (zeroPages) throw new InputError('--zero-pages', 'true', `vms.${v.id} is a libvirt domain: libvirt has no call to count zero pages`);
      onSampling(v.id, `${v.libvirt.uri} domain ${v.libvirt.domain}`);
      out.set(v.id, await sampleOverLibvirt(v.id, v.libvirt));
    }
  }
  return out;
}

async function sampleOverQmp(id: string, path: string, zeroPages: boolean): Promise<VmSample> {
  const { QmpClient } = await import('../hypervisor/qemu/qmp.js');
  const { sampleVm } = await import('../hypervisor/qemu/sample.js');
  let qmp;
  try {
    qmp = await QmpClient.connect(path, { retry: false });
  } catch (e) {
    throw new InputError(`vms.${id}.qmp`, path, `cannot be reached (${(e as Error).message})`);
  }
  try {
    return await sampleVm(qmp, { windowsSec: [...QUICK_WINDOWS_SEC], zeroPages });
  } finally {
    qmp.close();
  }
}

async function sampleOverLibvirt(id: string, lv: { uri: string; domain: string }): Promise<VmSample> {
  const { Virsh, LibvirtError } = await import('../hypervisor/libvirt/virsh.js');
  const { sampleDomain } = await import('../hypervisor/libvirt/sample.js');
  try {
    return await sampleDomain(new Virsh(lv.uri), lv.domain, { windowsSec: [1] });
  } catch (e) {
    if (e instanceof InputError || (e instanceof LibvirtError && /failed to connect|Domain not found|failed to get domain/i.test(e.message))) {
      throw new InputError(`vms.${id}.domain`, lv.domain, `cannot be sampled on ${lv.uri} (${(e as Error).message})`);
    }
    throw e;
  }
}
