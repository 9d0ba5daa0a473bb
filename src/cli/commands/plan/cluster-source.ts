/**
 * Where `migcost plan` gets its cluster: a file (`--cluster`), or libvirt hosts listed now (`--inventory
 * libvirt:URI[,URI...]`, with `--prometheus URL` for the hosts' utilisation history), as `migcost inventory`
 * builds it.
 */
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import { InputError } from '../../../units.js';

export interface ClusterSourceFlags {
  cluster?: string;
  inventory?: string;
  prometheus?: string;
}

export const inventoryOption = () => new Option('--inventory <spec>', 'instead of --cluster: list libvirt hosts and their running domains now, libvirt:URI[,URI...] (name=URI names a host), as `migcost inventory` does');
export const prometheusOption = () => new Option('--prometheus <url>', "with --inventory: hosts' CPU utilisation history (the last hour, 5 min steps) from node_exporter's node_cpu_seconds_total");

/** The cluster document, unparsed (plan parses it, and --live and --emit read its extra fields). */
export async function clusterDocument(o: ClusterSourceFlags): Promise<unknown> {
  if ((o.cluster === undefined) === (o.inventory === undefined)) throw new InputError('--cluster', o.cluster ?? '', 'give exactly one of --cluster FILE or --inventory libvirt:URI[,URI...]');
  if (o.prometheus !== undefined && o.inventory === undefined) throw new InputError('--prometheus', o.prometheus, 'goes with --inventory (a --cluster file carries its own utilisationHistory)');
  if (o.inventory !== undefined) {
    if (!o.inventory.startsWith('libvirt:')) throw new InputError('--inventory', o.inventory, 'must be libvirt:URI[,URI...] (e.g. libvirt:qemu:///system or libvirt:h1=qemu+ssh://h1/system)');
    const { clusterFromInventory } = await import('../../../lab/cluster-inventory.js');
    return clusterFromInventory({ libvirt: [o.inventory], prometheus: o.prometheus, flag: '--inventory' });
  }
  try {
    return JSON.parse(readFileSync(o.cluster!, 'utf8'));
  } catch (e) {
    throw new InputError('--cluster', o.cluster!, `must be a readable JSON file (${(e as Error).message})`);
  }
}
