/**
 * A policy sweep on 1 worker thread and on 2: 4 PlanetLab days x the 17 default policies (thr 0.8, CloudSim
 * migrations), no store. Prints both wall times, the speed-up (issue 22's target: >= 1.8x on 2 cores), whether the
 * results are identical, and the load average before and after (the machine may be shared).
 * Usage: node --import tsx bench/sweep.bench.ts [--days 20110303,20110306,20110309,20110322] [--policies mmt,mc] [--workers 2]
 */
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_COMPARE_POLICIES } from '../src/sim/compare.js';
import { DEFAULT_PLANETLAB_ARCHIVE } from '../src/sim/planetlab-loader.js';
import { DEFAULT_BITBRAINS_DIR } from '../src/sim/bitbrains-loader.js';
import { sweepGrid } from '../src/sweep/inputs.js';
import { runSweep } from '../src/sweep/sweep.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const days = opt('days', '20110303,20110306,20110309,20110322').split(',');
const policies = opt('policies', DEFAULT_COMPARE_POLICIES.join(',')).split(',');
const workers = Number(opt('workers', '2'));
const runs = sweepGrid({
  days, traces: DEFAULT_PLANETLAB_ARCHIVE, fileOrder: 'tar', scale: 1, bitbrains: DEFAULT_BITBRAINS_DIR, migrationModel: 'cloudsim',
  detectors: ['thr'], policies, seeds: [1], memorySources: ['vm-type'],
});
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

async function timed(n: number) {
  const t0 = performance.now();
  const results = await runSweep(runs, { workers: n, onProgress: (d, t) => process.stderr.write(`\r${n} worker(s): ${d}/${t} runs`) });
  process.stderr.write('\n');
  return { sec: (performance.now() - t0) / 1000, results: results.map((r) => r.result) };
}

const loadBefore = load();
const one = await timed(1);
const many = await timed(workers);
console.log(`sweep of ${runs.length} runs (${days.length} days x ${policies.length} policies, thr 0.8, cloudsim migrations)`);
console.log(`  1 worker:  ${one.sec.toFixed(1)} s`);
console.log(`  ${workers} workers: ${many.sec.toFixed(1)} s`);
console.log(`  speed-up:  ${(one.sec / many.sec).toFixed(2)}x (target >= 1.8x on 2 cores)`);
console.log(`  results identical: ${isDeepStrictEqual(one.results, many.results)}`);
console.log(`  load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}`);
