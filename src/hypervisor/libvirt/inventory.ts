/**
 * A cluster from what libvirt hosts say: each connection is a host (`nodeinfo`: CPUs and memory), each running
 * domain a VM on it (`domstats --cpu-total --vcpu --balloon`: vCPUs, memory, CPU time read twice to get the busy
 * share), and, when asked, each VM's dirty rate from one `domdirtyrate-calc` window (libvirt's own calls: no
 * pass-through, no taint). The result is a cluster document in the format `plan --cluster` reads.
 */
import { LibvirtError, Virsh, parseKeyValues, intField, optionalInt } from './virsh.js';

export interface InventoryHost {
  /** The host's id in the cluster: given (`name=URI`) or libvirt's hostname. */
  id: string;
  uri: string;
}

/** `libvirt:URI[,URI...]`, each optionally `name=URI` (hosts whose daemons report the same hostname need names). */
export function parseInventorySpec(spec: string): InventoryHost[] {
  const m = /^libvirt:(.+)$/.exec(spec);
  if (!m) throw new LibvirtError(`--inventory: "${spec}" must be libvirt:URI[,URI...] (e.g. libvirt:qemu:///system or libvirt:h1=qemu+ssh://h1/system)`);
  return m[1].split(',').map((part) => {
    const eq = /^([A-Za-z0-9._-]+)=(.+)$/.exec(part);
    return eq ? { id: eq[1], uri: eq[2] } : { id: '', uri: part };
  });
}

/** Reads `domstats` for every running domain of one connection. */
async function domainStats(v: Virsh): Promise<Map<string, Map<string, string>>> {
  const out = await v.run(['domstats', '--cpu-total', '--vcpu', '--balloon', '--state', '--list-running']);
  const byDomain = new Map<string, Map<string, string>>();
  for (const block of out.split(/\n(?=Domain: ')/)) {
    const name = /^Domain: '(.*)'/.exec(block.trim())?.[1];
    if (name === undefined) continue;
    byDomain.set(name, parseKeyValues(block, '='));
  }
  return byDomain;
}

export interface InventoryOptions {
  /** Between the two CPU-time reads (default 1 s). */
  cpuWindowSec?: number;
  /** Also measure each VM's dirty rate over this many whole seconds (domdirtyrate-calc); default: not measured. */
  dirtyRateWindowSec?: number;
}

/** The cluster document (`{hosts, vms}`, units as strings) of these libvirt hosts. */
export async function libvirtInventory(hosts: readonly InventoryHost[], o: InventoryOptions = {}): Promise<{ hosts: Record<string, unknown>[]; vms: Record<string, unknown>[] }> {
  const docHosts: Record<string, unknown>[] = [];
  const vms: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const vmIds = new Set<string>();
  const windowSec = o.cpuWindowSec ?? 1;
  for (const h of hosts) {
    const v = new Virsh(h.uri);
    const node = parseKeyValues(await v.run(['nodeinfo']), ':');
    const cpus = Number(node.get('CPU(s)'));
    const memKiB = /^(\d+) KiB$/.exec(node.get('Memory size') ?? '')?.[1];
    if (!(cpus > 0) || memKiB === undefined) throw new LibvirtError(`nodeinfo on ${h.uri}: no CPU(s) or Memory size`);
    const id = h.id || (await v.run(['hostname'])).trim();
    if (seen.has(id)) throw new LibvirtError(`--inventory: two hosts are called "${id}": name them (libvirt:h1=URI1,h2=URI2)`);
    seen.add(id);
    docHosts.push({ id, cpu: cpus, memory: Number(memKiB) * 1024, libvirtUri: h.uri });
    const first = await domainStats(v);
    const t0 = performance.now();
    if (o.dirtyRateWindowSec !== undefined) {
      for (const name of first.keys()) await v.run(['domdirtyrate-calc', '--domain', name, '--seconds', String(o.dirtyRateWindowSec), '--mode', 'page-sampling']);
    }
    const wait = Math.max(windowSec, (o.dirtyRateWindowSec ?? 0) + 0.3) * 1000;
    await new Promise((r) => setTimeout(r, wait));
    const second = await domainStats(v);
    const elapsedSec = (performance.now() - t0) / 1000;
    for (const [name, s0] of first) {
      const s1 = second.get(name);
      if (!s1) continue; // it stopped or left in between
      const vcpus = intField(s1, 'vcpu.current', 'domstats');
      const busy = Math.min(1, Math.max(0, (intField(s1, 'cpu.time', 'domstats') - intField(s0, 'cpu.time', 'domstats')) / 1e9 / elapsedSec / vcpus));
      const memory = (optionalInt(s1, 'balloon.maximum') ?? optionalInt(s1, 'balloon.current') ?? 0) * 1024;
      const vmId = vmIds.has(name) ? `${id}/${name}` : name;
      vmIds.add(vmId);
      const vm: Record<string, unknown> = { id: vmId, host: id, cpu: vcpus * busy, memory, libvirtUri: h.uri, domain: name };
      if (busy > 0) vm.cpuUtilisation = busy;
      if (o.dirtyRateWindowSec !== undefined) {
        const d = parseKeyValues(await v.run(['domstats', '--dirtyrate', '--', name]), '=');
        if (optionalInt(d, 'dirtyrate.calc_status') === 2) vm.dirtyRate = (optionalInt(d, 'dirtyrate.megabytes_per_second') ?? 0) * 2 ** 20;
      }
      vms.push(vm);
    }
  }
  return { hosts: docHosts, vms };
}
