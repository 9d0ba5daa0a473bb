import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import Table from 'cli-table3';
import { InputError, formatBytes } from '../../../units.js';
import { durationArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';

/** The options of `migcost inventory`. */
export interface InventoryFlags {
  libvirt: string[];
  prometheus?: string;
  history: number;
  step: number;
  prometheusHostLabel: string;
  dirtyRateWindow?: number;
  output?: string;
  json?: true;
}

/**
 * `migcost inventory`: a cluster document (what `plan --cluster` reads) from libvirt hosts, with hosts'
 * utilisation history from Prometheus when given, so the history-based detectors can run on a real fleet.
 */
export function inventoryCommand(): Command {
  return new Command('inventory')
    .description("list libvirt hosts and their running domains as a cluster for `plan`, with utilisation history from Prometheus")
    .requiredOption('--libvirt <uri...>', 'libvirt connection URIs, one per host; name=URI names a host (default: its hostname)')
    .option('--prometheus <url>', "Prometheus' base URL: hosts' CPU utilisation history from node_exporter's node_cpu_seconds_total")
    .addOption(parsedOption('--history <time>', 'how far back the utilisation history goes', durationArg('--history'), '1h'))
    .addOption(parsedOption('--step <time>', 'between utilisation samples', durationArg('--step'), '5min'))
    .option('--prometheus-host-label <label>', "the label that names a host in Prometheus (its :port dropped for 'instance')", 'instance')
    .addOption(parsedOption('--dirty-rate-window <time>', "also measure each VM's dirty rate over this many whole seconds (libvirt's domdirtyrate-calc)", durationArg('--dirty-rate-window')))
    .option('--output <file>', 'write the cluster JSON here')
    .option('--json', 'print the cluster JSON')
    .action(async (o: InventoryFlags) => {
      try {
        if (o.dirtyRateWindow !== undefined && !(Number.isInteger(o.dirtyRateWindow) && o.dirtyRateWindow >= 1 && o.dirtyRateWindow <= 60)) {
          throw new InputError('--dirty-rate-window', `${o.dirtyRateWindow}s`, 'libvirt measures whole seconds from 1s to 60s');
        }
        const { clusterFromInventory } = await import('../../../lab/cluster-inventory.js');
        const doc = await clusterFromInventory({ libvirt: o.libvirt, prometheus: o.prometheus, historySec: o.history, stepSec: o.step, hostLabel: o.prometheusHostLabel, dirtyRateWindowSec: o.dirtyRateWindow });
        // Parsed as plan would: the document is checked before it is written.
        const { parseCluster } = await import('../../../plan/cluster.js');
        parseCluster(doc);
        const json = JSON.stringify(doc, null, 2);
        if (o.output) writeFileSync(o.output, `${json}\n`);
        if (o.json) process.stdout.write(`${json}\n`);
        else {
          const t = new Table({ head: ['host', 'cpus', 'memory', 'VMs', 'utilisation history'], style: { head: [], border: [] } });
          for (const h of doc.hosts) {
            const hist = h.utilisationHistory as number[] | undefined;
            t.push([String(h.id), String(h.cpu), formatBytes(Number(h.memory)), String(doc.vms.filter((v) => v.host === h.id).length), hist ? `${hist.length} samples, last ${(hist[hist.length - 1] * 100).toFixed(1)} %` : '-']);
          }
          process.stdout.write(`${t.toString()}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });
}
