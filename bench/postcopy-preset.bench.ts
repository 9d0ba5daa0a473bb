/**
 * The `postcopy` lab preset's configurations as the current model predicts them (issue 19: post-copy phases long
 * enough to score). Pure: no QEMU, no timings. For each configuration of src/lab/postcopy-matrix.ts, a
 * representative sample — a standard-pass-13 sample of the same workload at the same memory size, its working set
 * grown to the preset's by the rule below — is predicted through the lab's own path (`predictVariant`, the default
 * model deng-bitmap, `sampleAt` the recorded migration start), and the table gives the switch, the bytes pushed
 * after it, the post-copy phase, the total time, the remote faults, and the run's expected wall time (the
 * same-size pass-13 runs' boot + sampling time, plus the migration). Then, for scale, the same model on the
 * post-copy runs of techniques-groups pass 1 (uncapped push: phases of tens of ms) against what they measured.
 * Run:
 *   node --import tsx bench/postcopy-preset.bench.ts [--platform FILE] [--from lab/results/standard-pass13.jsonl]
 *
 * Growing a sample's working set (stated rule, not a measurement): the workload's own distinct dirt over a window
 * w is D(w) = min(rho w, W) for a sequential writer (the dirtier seq, memtester) and W (1 - exp(-rho w / W)) for a
 * uniformly random one (the dirtier random), rho the writer's rate (the dirtier's `rate` pages/s x 4 KiB; for
 * memtester the sample's own first window: its whole 32 MiB in 50 ms). Every curve point (page-sampled and
 * bitmap) gets D_new(w) - D_old(w) added (the kernel's own dirt stays as measured), the zero shares lose the
 * added working set, the RAM layout and compressibility (measured on the old working set) are dropped.
 */
import { readRecordsFile } from '../src/record/load.js';
import { readPlatformFile } from '../src/lab/platform-file.js';
import { predictVariant, sampleAt } from '../src/model/from-sample.js';
import { POSTCOPY_CONFIGS, type PostcopyPresetConfig } from '../src/lab/postcopy-matrix.js';
import type { MigrationRecord, MigrationConfig } from '../src/record/record.js';
import type { VmSample } from '../src/model/sample.js';
import type { Platform, CurvePoint } from '../src/model/types.js';
import type { TechniquePrediction } from '../src/model/techniques.js';

const MIB = 2 ** 20;
const PAGE = 4096;
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const platformPath = arg('--platform');
const platform: Partial<Platform> = platformPath ? readPlatformFile(platformPath) : {};
const from = arg('--from') ?? 'lab/results/standard-pass13.jsonl';
const records = readRecordsFile(from, '--from');

const bytesOf = (s: string | number) => (typeof s === 'number' ? s : Number.parseInt(s, 10) * (s.endsWith('G') ? 1024 * MIB : s.endsWith('K') ? 1024 : MIB));

/** The workload's own distinct dirt over a window, by its kind (see the header). */
function dirtOf(kind: 'seq' | 'random', rho: number, wss: number) {
  return (w: number) => (kind === 'seq' ? Math.min(rho * w, wss) : wss * (1 - Math.exp((-rho * w) / wss)));
}

/** A pass-13 sample of the same workload (and dirtier pattern) at the same memory size, grown to the config's working set. */
function representative(c: PostcopyPresetConfig): { record: MigrationRecord; sample: VmSample } {
  const same = records.filter((r) => r.config.workload === c.workload && r.config.memoryBytes === c.memoryBytes && r.config.params.pattern === c.params.pattern && r.sample.curve.length > 0);
  const r = same[0];
  if (!r) throw new Error(`no ${c.workload} ${c.params.pattern ?? ''} sample at ${c.memoryBytes / MIB} MiB in ${from}`);
  const s = r.sample;
  const kind = c.params.pattern === 'random' ? 'random' : 'seq';
  const oldW = bytesOf(r.config.params.wss);
  const newW = bytesOf(c.params.wss);
  const rhoOf = (cfg: MigrationConfig | PostcopyPresetConfig) => (cfg.workload === 'memtester' ? s.curve[0].dirtiedBytes / s.curve[0].windowSec : Number(cfg.params.rate) * PAGE);
  const dOld = dirtOf(kind, rhoOf(r.config), oldW);
  const dNew = dirtOf(kind, rhoOf(c), newW);
  const grow = (pts: CurvePoint[] | undefined) => {
    if (!pts) return undefined;
    let last = 0;
    return [...pts]
      .sort((a, b) => a.windowSec - b.windowSec)
      .map((p) => ({ windowSec: p.windowSec, dirtiedBytes: (last = Math.max(last, p.dirtiedBytes + dNew(p.windowSec) - dOld(p.windowSec))) }))
      .filter((p, i, a) => i === 0 || p.windowSec > a[i - 1].windowSec);
  };
  const added = (newW - oldW) / s.memoryBytes;
  const zf = (x: number | undefined) => (x === undefined ? undefined : Math.max(0, x - added));
  const w1 = s.curve[0].windowSec;
  const grown: VmSample = {
    ...s,
    dirtyRateBytesPerSec: s.dirtyRateBytesPerSec + (dNew(w1) - dOld(w1)) / w1,
    curve: grow(s.curve)!,
    bitmapCurve: grow(s.bitmapCurve),
    zeroPageFraction: zf(s.zeroPageFraction),
    zeroPageFractionLate: zf(s.zeroPageFractionLate),
    ramLayout: undefined,
    compressibility: undefined,
  };
  return { record: r, sample: sampleAt(grown, r.migrationStartedAt) };
}

/** Boot + settle + sampling time of the pass's runs of this size (startedAt -> migrationStartedAt), median. */
function overheadSec(memoryBytes: number, workload: string): number {
  const xs = records
    .filter((r) => r.config.memoryBytes === memoryBytes && r.config.workload === workload && r.migrationStartedAt)
    .map((r) => (Date.parse(r.migrationStartedAt!) - Date.parse(r.startedAt)) / 1000)
    .sort((a, b) => a - b);
  return xs.length ? xs[Math.floor(xs.length / 2)] : NaN;
}

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
console.log(`postcopy preset, model deng-bitmap, platform ${platformPath ?? 'none (as the lab records without .lab/platform.json)'}, samples from ${from}`);
console.log('config | switch | pre-copy bw | cap | switch at s | pushed MiB | phase s | total s | remote faults | run wall s (est.)');
console.log('---|---|---|---|---|---|---|---|---|---');
const phases: number[] = [];
let wallSum = 0;
for (const c of POSTCOPY_CONFIGS) {
  const { sample } = representative(c);
  const cfg: MigrationConfig = { memoryBytes: c.memoryBytes, workload: c.workload, params: c.params, bandwidthBytesPerSec: c.bandwidthBytesPerSec, downtimeLimitSec: c.downtimeLimitSec, autoConverge: false, timeoutSec: 30, technique: c.technique };
  const p = predictVariant('deng-bitmap', sample, cfg, platform) as TechniquePrediction;
  const t = c.technique;
  const trig = t.postcopyAfterSec !== undefined ? `${t.postcopyAfterSec} s` : `pass ${t.postcopyAfterPasses ?? 1}`;
  phases.push(p.postcopyPhaseSec ?? 0);
  const wall = overheadSec(c.memoryBytes, c.workload) + p.totalTimeSec;
  wallSum += wall;
  console.log(`${c.name} | ${trig} | ${c.bandwidthBytesPerSec / MIB} MiB/s | ${t.maxPostcopyBandwidthBytesPerSec / MIB} MiB/s | ${f(p.switchoverSec)} | ${f((p.postcopyBytes ?? 0) / MIB, 0)} | ${f(p.postcopyPhaseSec)} | ${f(p.totalTimeSec)} | ${f(p.remoteFaults, 0)} | ${f(wall, 0)}`);
}
const sorted = [...phases].sort((a, b) => a - b);
console.log(`phases: min ${f(sorted[0])} s, median ${f(sorted[Math.floor(sorted.length / 2)])} s, max ${f(sorted.at(-1))} s over ${phases.length} configurations (x 2 rounds = ${phases.length * 2} runs, ~${f((2 * wallSum) / 60, 0)} min of lab time)`);

// For scale: the uncapped post-copy runs of techniques-groups pass 1.
const groups = 'lab/results/techniques-groups-pass1.jsonl';
console.log(`\n${groups}, post-copy runs (uncapped push), re-predicted with the same model and platform:`);
console.log('group | measured phase s | predicted phase s | measured / predicted remote faults');
for (const r of readRecordsFile(groups, '--from')) {
  if (r.config.technique?.name !== 'postcopy') continue;
  const p = predictVariant('deng-bitmap', sampleAt(r.sample, r.migrationStartedAt), r.config, platform) as TechniquePrediction;
  console.log(`${r.config.group} | ${f(r.measured.postcopyPhaseSec, 3)} | ${f(p.postcopyPhaseSec, 3)} | ${r.measured.remoteFaults ?? '-'} / ${f(p.remoteFaults, 1)}`);
}
