/**
 * Plans a synthetic cluster of 10,000 hosts and 100,000 VMs (10 % of hosts hot) with every policy and prints
 * the time per plan (parse excluded) and what each plan costs. Run: node --import tsx bench/plan.bench.ts
 */
import os from 'node:os';
import { parseCluster } from '../src/plan/cluster.js';
import { planMitigation, type SelectionPolicy } from '../src/plan/planner.js';

const HOSTS = Number(process.argv[2] ?? 10_000);
const VMS = Number(process.argv[3] ?? 100_000);
let seed = 42;
const r = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const hosts = Array.from({ length: HOSTS }, (_, i) => ({ id: `h${i}`, cpu: 32, memory: '128GiB', bandwidth: '10Gbit/s' }));
const vms = Array.from({ length: VMS }, (_, i) => {
  const h = i % HOSTS;
  const hot = h % 10 === 0; // every tenth host is over-committed
  return { id: `v${i}`, host: `h${h}`, cpu: hot ? 4 + Math.floor(r() * 3) : 1 + Math.floor(r() * 2), memory: `${(hot ? 8 : 4) + Math.floor(r() * 8)}GiB`, dirtyRate: `${Math.floor(r() * 200)}MiB/s`, zeroPageFraction: r() * 0.5 };
});
const t0 = performance.now();
const cluster = parseCluster({ hosts, vms });
console.log(`# plan: ${HOSTS.toLocaleString()} hosts, ${VMS.toLocaleString()} VMs (${os.cpus()[0]?.model}, node ${process.version}); parse ${((performance.now() - t0) / 1000).toFixed(2)} s`);
console.log('policy\tseconds\tmoves\thot before\thot after\tpredicted GiB sent');
for (const policy of ['moa', 'optimal', 'mia', 'ra', 'mmt', 'mu'] as SelectionPolicy[]) {
  const t = performance.now();
  const p = planMitigation(cluster, { policy });
  const sec = (performance.now() - t) / 1000;
  console.log(`${policy}\t${sec.toFixed(2)}\t${p.moves.length}\t${p.hotBefore.length}\t${p.hotAfter.length}\t${(p.total.transferredBytes / 2 ** 30).toFixed(0)}`);
}
