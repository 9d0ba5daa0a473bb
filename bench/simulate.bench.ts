/**
 * Seconds per simulated day of the cloudsim-planetlab preset (800 hosts, 1,052 VMs, 20110303), in process,
 * one core; trace loading is timed apart. `--scale n` runs n x the hosts and n x the VMs (the day replicated
 * with deterministic ±10 % jitter); `--model migcost` uses migcost's migration times. Prints wall time, and
 * the peak resident set (resourceUsage().maxRSS) and heap after each run.
 * Usage: node --import tsx bench/simulate.bench.ts [--scale 10] [--day 20110303] [--model cloudsim|migcost] [thr:0.8:mmt ...]
 */
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE } from '../src/sim/planetlab-loader.js';
import { cloudsimPlanetLabPreset, scalePlanetLabTraces, simulateCluster, workloadClassPricer, CLOUDSIM_HOSTS, type MigrationModel, type SimDetector, type SimSelection } from '../src/sim/index.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const scale = Number(flag('scale', '1'));
const day = flag('day', '20110303');
const model = flag('model', 'cloudsim') as MigrationModel;
const configs = args.length > 0 ? args : scale > 1 ? ['lr:1.2:mmt'] : ['thr:0.8:mmt', 'iqr:1.5:mmt', 'mad:2.5:mmt', 'lr:1.2:mmt', 'lr:1.2:mc', 'thr:0.8:mu'];
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const t0 = performance.now();
const traces = scalePlanetLabTraces(loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, day, 'tar'), scale);
const preset = cloudsimPlanetLabPreset(traces, CLOUDSIM_HOSTS * scale);
console.log(`load ${day} x${scale} (${preset.hosts.length} hosts, ${traces.length} VMs): ${((performance.now() - t0) / 1000).toFixed(2)} s`);
for (const c of configs) {
  const [detector, param, selection] = c.split(':');
  const t = performance.now();
  let lastLine = t;
  const r = simulateCluster({
    ...preset,
    detector: detector as SimDetector,
    detectorParam: Number(param),
    selection: selection as SimSelection,
    migrationModel: model,
    pricer: workloadClassPricer(),
    onStep: (done, total) => {
      const now = performance.now();
      if (now - lastLine > 10_000) {
        lastLine = now;
        process.stderr.write(`  ${c}: step ${done}/${total} (${((now - t) / 1000).toFixed(0)} s)\n`);
      }
    },
  });
  const sec = (performance.now() - t) / 1000;
  const mem = process.memoryUsage();
  console.log(
    `${c} (${model}): ${sec.toFixed(2)} s per simulated day (${r.steps} steps, ${r.migrations} migrations, ${r.energyKWh.toFixed(2)} kWh, ESV ${r.esv.toExponential(3)}); ` +
      `peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}, heap ${mb(mem.heapUsed)}`,
  );
}
