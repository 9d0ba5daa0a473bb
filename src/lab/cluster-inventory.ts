/**
 * A cluster document from what operators have: libvirt hosts (src/hypervisor/libvirt/inventory.ts) and, when
 * given, each host's CPU utilisation history from Prometheus (src/metrics/prometheus.ts). `migcost inventory`
 * writes it; `plan --inventory` plans on it directly.
 */
import { InputError } from '../units.js';

export interface ClusterInventoryOptions {
  /** `libvirt:URI[,URI...]` specs or bare URIs, each optionally `name=URI`. */
  libvirt: readonly string[];
  prometheus?: string;
  historySec?: number;
  stepSec?: number;
  hostLabel?: string;
  dirtyRateWindowSec?: number;
  /** The flag the user wrote, named in errors (`--libvirt`, `--inventory`). */
  flag?: string;
}

export async function clusterFromInventory(o: ClusterInventoryOptions): Promise<{ hosts: Record<string, unknown>[]; vms: Record<string, unknown>[] }> {
  const historySec = o.historySec ?? 3600;
  const stepSec = o.stepSec ?? 300;
  if (!(stepSec > 0) || historySec / stepSec > 11_000) throw new InputError('--step', `${stepSec}s`, 'must be > 0 and give at most 11,000 samples over --history (Prometheus\' limit)');
  const { libvirtInventory, parseInventorySpec } = await import('../hypervisor/libvirt/inventory.js');
  const hosts = o.libvirt.flatMap((u) => {
    try {
      return parseInventorySpec(u.startsWith('libvirt:') ? u : `libvirt:${u}`);
    } catch (e) {
      throw new InputError(o.flag ?? '--libvirt', u, (e as Error).message.replace(/^--inventory: "[^"]*" /, ''));
    }
  });
  const doc = await libvirtInventory(hosts, { dirtyRateWindowSec: o.dirtyRateWindowSec });
  if (o.prometheus !== undefined) {
    const { hostUtilisation } = await import('../metrics/prometheus.js');
    const hist = await hostUtilisation({ url: o.prometheus, historySec, stepSec, hostLabel: o.hostLabel ?? 'instance' });
    for (const h of doc.hosts) {
      const values = hist.get(String(h.id));
      if (values && values.length > 0) h.utilisationHistory = values;
    }
  }
  return doc;
}
