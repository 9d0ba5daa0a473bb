/**
 * Where a libvirt-driven pass's error lies, next to the QMP passes': the default model (deng-bitmap, platform
 * constants fitted out of fold, 5 folds by configuration, as `lab report`) on
 * - the libvirt pass (total time and bytes, median / p90 absolute error, over the completed runs predicted to
 *   converge before their time-out);
 * - the same runs with each run's MEASURED setup (job start to its first pass, which no pre-migration prediction
 *   can know) in place of the fitted one: what the error would be without libvirt's setup jitter;
 * - the QMP passes, all of them, and only the configurations the libvirt pass ran (like for like: the QMP figure
 *   is over a workload mix weighted to idle and redis, the libvirt preset's to every workload equally).
 *
 * Run: node --import tsx bench/libvirt-vs-qmp.bench.ts LIBVIRT.jsonl QMP.jsonl [QMP.jsonl ...]
 */
import { readFileSync } from 'node:fs';
import { crossValidate, outOfFoldPlatforms } from '../src/evaluate/cross-validate.js';
import { configKey, type MigrationRecord } from '../src/record/record.js';
import { quantileR7 } from '../src/stats/quantile.js';

const [libvirtFile, ...qmpFiles] = process.argv.slice(2);
if (!libvirtFile || qmpFiles.length === 0) {
  console.error('usage: node --import tsx bench/libvirt-vs-qmp.bench.ts LIBVIRT.jsonl QMP.jsonl [QMP.jsonl ...]');
  process.exit(2);
}
const load = (f: string): MigrationRecord[] => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MigrationRecord);

/** Absolute percentage errors of total time (with `setupShift` added to each prediction) and bytes. */
function errors(records: readonly MigrationRecord[], keep: (r: MigrationRecord) => boolean, setupShift: (r: MigrationRecord) => number = () => 0) {
  const time: number[] = [];
  const bytes: number[] = [];
  for (const r of records) {
    const p = r.predicted['deng-bitmap'];
    const m = r.measured;
    if (!keep(r) || m.status !== 'completed' || !p || !(p.totalTimeSec <= r.config.timeoutSec)) continue;
    time.push((Math.abs(p.totalTimeSec + setupShift(r) - m.totalTimeSec) / m.totalTimeSec) * 100);
    bytes.push((Math.abs(p.transferredBytes - m.transferredBytes) / m.transferredBytes) * 100);
  }
  return { time, bytes };
}
const pct = (a: readonly number[]) => (a.length ? `${quantileR7(a, 0.5).toFixed(1)} % / ${quantileR7(a, 0.9).toFixed(1)} %` : 'n/a');
const row = (label: string, e: { time: number[]; bytes: number[] }) => console.log(`| ${label} | ${e.time.length} | ${pct(e.time)} | ${pct(e.bytes)} |`);

const libvirt = load(libvirtFile);
const qmp = qmpFiles.flatMap(load);
const lvCv = crossValidate(libvirt, 5);
const lvPlatform = outOfFoldPlatforms(libvirt, 5);
const qmpCv = crossValidate(qmp, 5);
const keys = new Set(libvirt.map((r) => configKey(r.config)));
const setups = libvirt.filter((r) => r.measured.status === 'completed').map((r) => r.measured.setupSec);

console.log('| runs | n | total time: median / p90 | bytes: median / p90 |');
console.log('|---|---|---|---|');
row(`libvirt: ${libvirtFile}`, errors(lvCv, () => true));
row('libvirt, each run\'s measured setup in place of the fitted one', errors(lvCv, () => true, (r) => r.measured.setupSec - (lvPlatform(r).setupSec ?? 0)));
row('QMP passes, all', errors(qmpCv, () => true));
row('QMP passes, the libvirt pass\'s configurations', errors(qmpCv, (r) => keys.has(configKey(r.config))));
console.log(`libvirt setup (job start to the first pass), completed runs: ${Math.min(...setups).toFixed(2)}-${Math.max(...setups).toFixed(2)} s, median ${quantileR7(setups, 0.5).toFixed(2)} s`);
