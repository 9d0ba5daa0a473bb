/**
 * Data-centre scale (issue 22, item 1): wall time, CPU time and peak resident set of one simulated day of the
 * cloudsim-planetlab preset at --scale 10 (8,000 hosts, ~10,520 VMs) and --scale 25 (20,000 hosts, ~26,300
 * VMs), THR 0.8 / MMT (the simulate command's default), each in its own process so that each peak RSS is its
 * own. Targets: <= 20 s and <= 60 s, peak RSS <= 2 GiB. The machine may be shared: the load average is
 * printed with each figure, and CPU time (user + system) next to wall time.
 * Usage: node --import tsx bench/scale.bench.ts [--scales 10,25] [--day 20110303] [--detector thr --param 0.8 --selection mmt]
 * Profile: node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/scale.bench.ts --one 10
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE } from '../src/sim/planetlab-loader.js';
import { cloudsimPlanetLabPreset, scalePlanetLabTraces, simulateCluster, CLOUDSIM_HOSTS, type SimDetector, type SimSelection } from '../src/sim/index.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? dflt : args[i + 1];
};
const day = flag('day', '20110303');
const detector = flag('detector', 'thr') as SimDetector;
const param = Number(flag('param', '0.8'));
const selection = flag('selection', 'mmt') as SimSelection;
const TARGET_SEC: Record<number, number> = { 10: 20, 25: 60 };
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

const one = flag('one', '');
if (one !== '') {
  const scale = Number(one);
  const t0 = performance.now();
  const traces = scalePlanetLabTraces(loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, day, 'tar'), scale);
  const preset = cloudsimPlanetLabPreset(traces, CLOUDSIM_HOSTS * scale);
  const loadSec = (performance.now() - t0) / 1000;
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  const r = simulateCluster({ ...preset, detector, detectorParam: param, selection });
  const sec = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const rssMiB = (process.resourceUsage().maxRSS * 1024) / 2 ** 20;
  const target = TARGET_SEC[scale];
  console.log(
    `scale ${scale} (${preset.hosts.length} hosts, ${preset.vms.length} VMs), ${day} ${detector} ${param} / ${selection}: ` +
      `${sec.toFixed(1)} s wall, ${cpuSec.toFixed(1)} s CPU${target ? ` (target <= ${target} s)` : ''}; traces loaded in ${loadSec.toFixed(1)} s; ` +
      `peak RSS ${rssMiB.toFixed(0)} MiB (target <= 2048); ${r.migrations} migrations, ${r.energyKWh.toFixed(2)} kWh; load average ${load()}`,
  );
} else {
  const self = fileURLToPath(import.meta.url);
  for (const scale of flag('scales', '10,25').split(',').map(Number)) {
    const pass = args.filter((a, i) => a !== '--scales' && args[i - 1] !== '--scales');
    const run = spawnSync(process.execPath, ['--import', 'tsx', self, ...pass, '--one', String(scale)], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
