/**
 * Seconds per simulated day of the cloudsim-planetlab preset (800 hosts, 1,052 VMs, 20110303), in process,
 * one core; trace loading is timed apart. Usage: node --import tsx bench/simulate.bench.ts [thr:0.8:mmt ...]
 */
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE } from '../src/sim/planetlab-loader.js';
import { cloudsimPlanetLabPreset, simulateCluster, predictPricer, type SimDetector, type SimSelection } from '../src/sim/index.js';

const configs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['thr:0.8:mmt', 'iqr:1.5:mmt', 'mad:2.5:mmt', 'lr:1.2:mmt', 'lr:1.2:mc', 'thr:0.8:mu'];
const t0 = performance.now();
const traces = loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, '20110303', 'tar');
const preset = cloudsimPlanetLabPreset(traces);
console.log(`load 20110303 (${traces.length} traces from the .tar.gz): ${((performance.now() - t0) / 1000).toFixed(2)} s`);
for (const c of configs) {
  const [detector, param, selection] = c.split(':');
  const t = performance.now();
  const r = simulateCluster({ ...preset, detector: detector as SimDetector, detectorParam: Number(param), selection: selection as SimSelection, pricer: predictPricer() });
  const sec = (performance.now() - t) / 1000;
  console.log(`${c}: ${sec.toFixed(2)} s per simulated day (${r.steps} steps, ${r.migrations} migrations, ${r.energyKWh.toFixed(2)} kWh)`);
}
