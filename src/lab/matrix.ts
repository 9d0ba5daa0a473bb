/** The lab's configuration matrices (pure). */
import type { MigrationConfig, Workload } from '../record/record.js';
import type { TechniqueOptions } from '../model/types.js';
import { postcopyMatrix, POSTCOPY_ROUNDS } from './postcopy-matrix.js';
import { techniqueConfig, type TechniqueVm } from './technique-config.js';

export { POSTCOPY_CONFIGS, POSTCOPY_ROUNDS, postcopyMatrix, type PostcopyPresetConfig } from './postcopy-matrix.js';

const MIB = 2 ** 20;

/** Workload variants: name, workload and its guest parameters. */
export const WORKLOAD_SETS: { name: string; workload: Workload; params: Record<string, string | number> }[] = [
  { name: 'idle', workload: 'idle', params: {} },
  { name: 'dirtier-seq', workload: 'dirtier', params: { wss: '64M', rate: 15000, pattern: 'seq' } },
  { name: 'dirtier-random', workload: 'dirtier', params: { wss: '96M', rate: 12000, pattern: 'random' } },
  { name: 'memtester', workload: 'memtester', params: { wss: '32M' } },
  { name: 'stress-ng', workload: 'stress-ng', params: { wss: '16M' } },
  { name: 'dbench', workload: 'dbench', params: { clients: 1 } },
  { name: 'redis', workload: 'redis', params: { clients: 1 } },
];

/**
 * Held-out workloads, built unlike the ones the model was tuned on, whose pass is recorded before any rule is tuned
 * on it (docs/lab.md, "Held-out workloads"): a sequential writer paced by the clock with unbounded catch-up (run
 * with auto-converge on, where the catch-up matters), a random writer alternating 2 s of writes with 3 s of reading
 * and verifying, redis under a load that follows a sine (a request-driven server: its dirt follows the load), and
 * a second random writer implementation near the smaller bandwidth cap (12,000 pages/s: 47 MiB/s).
 */
export const HELDOUT_WORKLOAD_SETS: { name: string; workload: Workload; params: Record<string, string | number>; autoConverge: boolean }[] = [
  { name: 'dirtier-clock', workload: 'dirtier', params: { wss: '32M', rate: 20000, pattern: 'seq', pace: 'clock' }, autoConverge: true },
  { name: 'dirtier-phases', workload: 'dirtier', params: { wss: '96M', rate: 12000, pattern: 'random', phases: '2s:write,3s:read' }, autoConverge: false },
  { name: 'redis-load', workload: 'redis-load', params: { rate: 2000, load: 'sine', period: 10, keys: 50000 }, autoConverge: false },
  { name: 'scatter', workload: 'scatter', params: { wss: '64M', rate: 12000 }, autoConverge: false },
];
export const HELDOUT_MEMORY_SIZES = [256 * MIB, 512 * MIB];
export const HELDOUT_BANDWIDTHS = [50 * MIB, 100 * MIB];
/** How long `lab matrix --preset heldout` (and `techniques-groups`, since stop 28: memtester's verify phases) samples each VM for phases (`sample --horizon`), s. */
export const HELDOUT_HORIZON_SEC = 10;
/** Repeats of every held-out configuration unless told (at least 2: the repeat oracle needs them). */
export const HELDOUT_REPEATS = 2;

export const MEMORY_SIZES = [256 * MIB, 512 * MIB, 1024 * MIB];
export const BANDWIDTHS = [50 * MIB, 100 * MIB, 200 * MIB];
export const DOWNTIME_LIMITS = [0.1, 0.3];
export const AUTO_CONVERGE = [false, true];

export const MATRIX_PRESETS = ['ci', 'standard', 'full', 'heldout', 'techniques', 'techniques-full', 'techniques-groups', 'postcopy', 'libvirt'] as const;

/**
 * The libvirt preset's migrations that cannot converge before their time-out (pre-copy with a downtime limit of
 * 50 ms on a slow link, a guest dirtying far more than it: the threshold is 1 MiB or less, the working set 32-96
 * MiB), so that `lab report --in-flight` measures how long before the time-out watch warned; the last one with
 * auto-converge, which at +10 % a pass has not reached the throttle it needs within 25 s.
 */
export const LIBVIRT_TIMEOUT_CONFIGS: { memMiB: number; set: string; bwMiB: number; ac: boolean }[] = [
  { memMiB: 256, set: 'dirtier-random', bwMiB: 20, ac: false },
  { memMiB: 512, set: 'dirtier-seq', bwMiB: 20, ac: false },
  { memMiB: 256, set: 'memtester', bwMiB: 10, ac: false },
  { memMiB: 512, set: 'dirtier-seq', bwMiB: 20, ac: true },
];
/** Their downtime limit (s) and completion time-out (s). */
export const LIBVIRT_TIMEOUT_LIMIT_SEC = 0.05;
export const LIBVIRT_TIMEOUT_SEC = 25;

/**
 * The techniques the lab runs under TCG (dirty-limit cannot: it needs KVM's dirty ring), each as QEMU is set for
 * it: multifd with each compression (zlib is also what `compress` means).
 */
export const LAB_TECHNIQUES: readonly TechniqueOptions[] = [
  { name: 'precopy' },
  { name: 'auto-converge' },
  { name: 'postcopy' },
  { name: 'xbzrle' },
  { name: 'multifd' },
  { name: 'multifd', multifdCompression: 'zstd' },
  { name: 'multifd', multifdCompression: 'zlib' },
];
/** The techniques matrix's links and limits. */
export const TECHNIQUE_BANDWIDTHS = [50 * MIB, 200 * MIB];
export const TECHNIQUE_DOWNTIME_LIMITS = [0.1, 0.3];
export type MatrixPreset = (typeof MATRIX_PRESETS)[number];

function combos(): { bw: number; dl: number; ac: boolean }[] {
  const out: { bw: number; dl: number; ac: boolean }[] = [];
  for (const bw of BANDWIDTHS) for (const dl of DOWNTIME_LIMITS) for (const ac of AUTO_CONVERGE) out.push({ bw, dl, ac });
  return out;
}

/**
 * - ci: three short 256 MiB runs (idle, sequential dirtier, redis);
 * - standard: every memory size x workload, each with two of the 12 (bandwidth, limit, auto-converge)
 *   combinations in rotation (so every combination appears), plus `repeats` runs of three configurations
 *   for the noise floor;
 * - full: the whole factorial (3 x 7 x 3 x 2 x 2 = 252 runs);
 * - heldout: the held-out workloads (`HELDOUT_WORKLOAD_SETS`, each with its own auto-converge setting) x 256 and
 *   512 MiB x 50 and 100 MiB/s x both downtime limits, every configuration `repeats` times (at least 2; default
 *   2): 4 x 2 x 2 x 2 x 2 = 64 runs, in rounds (all configurations once, then again) so a drift in the machine's
 *   load spreads over every configuration;
 * - postcopy: post-copy phases long enough to score (postcopy-matrix.ts): 12 configurations x `repeats` rounds
 *   (default 2): 24 runs;
 * - libvirt: the libvirt lab pass, 24 runs with four that time out (libvirtMatrix).
 */
export function labMatrix(preset: MatrixPreset, opts: { timeoutSec?: number; repeats?: number } = {}): MigrationConfig[] {
  const timeoutSec = opts.timeoutSec ?? 30;
  const mk = (mem: number, w: { workload: Workload; params: Record<string, string | number> }, c: { bw: number; dl: number; ac: boolean }): MigrationConfig => ({
    memoryBytes: mem,
    workload: w.workload,
    params: { ...w.params },
    bandwidthBytesPerSec: c.bw,
    downtimeLimitSec: c.dl,
    autoConverge: c.ac,
    timeoutSec,
  });
  const cs = combos();
  if (preset === 'heldout') {
    const once: MigrationConfig[] = [];
    for (const mem of HELDOUT_MEMORY_SIZES) for (const w of HELDOUT_WORKLOAD_SETS) for (const bw of HELDOUT_BANDWIDTHS) for (const dl of DOWNTIME_LIMITS) once.push(mk(mem, w, { bw, dl, ac: w.autoConverge }));
    const rounds = Math.max(2, opts.repeats ?? HELDOUT_REPEATS);
    const out: MigrationConfig[] = [];
    for (let r = 0; r < rounds; r++) for (const c of once) out.push({ ...c, params: { ...c.params } });
    return out;
  }
  if (preset === 'techniques-groups') return techniqueGroupsMatrix(timeoutSec, opts.repeats ?? TECHNIQUE_GROUP_ROUNDS);
  if (preset === 'postcopy') return postcopyMatrix(timeoutSec, opts.repeats ?? POSTCOPY_ROUNDS);
  if (preset === 'libvirt') return libvirtMatrix(mk, cs, opts.repeats ?? 2);
  if (preset === 'techniques' || preset === 'techniques-full') return techniquesMatrix(preset === 'techniques-full', timeoutSec, opts.repeats ?? 3);
  if (preset === 'ci') {
    return [WORKLOAD_SETS[0], WORKLOAD_SETS[1], WORKLOAD_SETS[6]].map((w) => mk(256 * MIB, w, { bw: 100 * MIB, dl: 0.3, ac: false }));
  }
  const out: MigrationConfig[] = [];
  if (preset === 'full') {
    for (const mem of MEMORY_SIZES) for (const w of WORKLOAD_SETS) for (const c of cs) out.push(mk(mem, w, c));
    return out;
  }
  let i = 0;
  for (const mem of MEMORY_SIZES) {
    for (const w of WORKLOAD_SETS) {
      out.push(mk(mem, w, cs[i % cs.length]));
      out.push(mk(mem, w, cs[(i + 7) % cs.length]));
      i++;
    }
  }
  const repeats = opts.repeats ?? 3;
  const repeated = [mk(256 * MIB, WORKLOAD_SETS[1], cs[2]), mk(512 * MIB, WORKLOAD_SETS[6], cs[3]), mk(256 * MIB, WORKLOAD_SETS[0], cs[0])];
  for (const c of repeated) for (let r = 0; r < repeats; r++) out.push({ ...c, params: { ...c.params } });
  return out;
}

/**
 * Every technique the lab runs x every workload x 3 memory sizes x (2 bandwidths x 2 downtime limits). `full`:
 * the whole factorial (7 x 7 x 3 x 4 = 588 runs). Else each (technique, workload, memory) cell takes 2 of the 4
 * links and limits in rotation, so that each technique meets every link and limit at every memory size (294 runs).
 * Both add `repeats` runs of two configurations per technique (a dirtier and redis at 256 MiB) for the noise floor.
 */
export function techniquesMatrix(full: boolean, timeoutSec: number, repeats: number): MigrationConfig[] {
  const links: { bw: number; dl: number }[] = [];
  for (const bw of TECHNIQUE_BANDWIDTHS) for (const dl of TECHNIQUE_DOWNTIME_LIMITS) links.push({ bw, dl });
  const mk = (t: TechniqueOptions, mem: number, w: (typeof WORKLOAD_SETS)[number], l: { bw: number; dl: number }): MigrationConfig =>
    techniqueConfig({ memoryBytes: mem, workload: w.workload, params: w.params, bandwidthBytesPerSec: l.bw, downtimeLimitSec: l.dl }, t, timeoutSec);
  const out: MigrationConfig[] = [];
  for (const t of LAB_TECHNIQUES) {
    let i = 0;
    for (const mem of MEMORY_SIZES) {
      for (const w of WORKLOAD_SETS) {
        if (full) for (const l of links) out.push(mk(t, mem, w, l));
        else {
          out.push(mk(t, mem, w, links[i % links.length]));
          out.push(mk(t, mem, w, links[(i + 1) % links.length]));
        }
        i++;
      }
    }
  }
  for (const t of LAB_TECHNIQUES) {
    for (const c of [mk(t, 256 * MIB, WORKLOAD_SETS[1], links[1]), mk(t, 256 * MIB, WORKLOAD_SETS[6], links[3])]) {
      for (let r = 0; r < repeats; r++) out.push({ ...c, params: { ...c.params }, technique: { ...c.technique! } });
    }
  }
  return out;
}

/**
 * The decision groups (issue 19, item 5): VM configurations each migrated with every technique the lab runs, so
 * every choice `advise` could make for it has a measured outcome. Chosen so the techniques differ:
 * - dirtier-hot: a sequential writer at 58.6 MiB/s over 48 MiB behind a 50 MiB/s link. Pre-copy and multifd
 *   (none, zstd: the pages are random) cannot converge, auto-converge only late, post-copy does; XBZRLE does from
 *   pass 3 (the working set fits its 64 MiB cache, and each rewrite changes 8 bytes of a page);
 * - memtester at 200 MiB/s and a 100 ms limit: whole-page pattern rewrites (XBZRLE overflows, the patterns
 *   compress), where pre-copy's downtime runs far over its limit (66-259 ms measured at 300 ms);
 * - redis at 100 MiB/s: a request-driven server, everything converges and the techniques differ by little;
 * - idle at 50 MiB/s: mostly zero pages, the baseline where no technique should be worth its cost.
 */
export const TECHNIQUE_GROUPS: (TechniqueVm & { name: string })[] = [
  { name: 'dirtier-hot', memoryBytes: 256 * MIB, workload: 'dirtier', params: { wss: '48M', rate: 15000, pattern: 'seq' }, bandwidthBytesPerSec: 50 * MIB, downtimeLimitSec: 0.3 },
  { name: 'memtester', memoryBytes: 256 * MIB, workload: 'memtester', params: { wss: '32M' }, bandwidthBytesPerSec: 200 * MIB, downtimeLimitSec: 0.1 },
  { name: 'redis', memoryBytes: 512 * MIB, workload: 'redis', params: { clients: 1 }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.3 },
  { name: 'idle', memoryBytes: 512 * MIB, workload: 'idle', params: {}, bandwidthBytesPerSec: 50 * MIB, downtimeLimitSec: 0.1 },
];
/** Rounds of the decision groups unless told (2: the repeat oracle needs two runs of each configuration). */
export const TECHNIQUE_GROUP_ROUNDS = 2;

/**
 * `techniques-groups`: every group of TECHNIQUE_GROUPS migrated with every LAB_TECHNIQUES technique, its runs one
 * after another, in `rounds` rounds (all groups once, then again): 4 x 7 x 2 = 56 runs. Each run's config says its
 * group, `<name> r<round>` (one decision instance: one VM configuration, every technique).
 */
export function techniqueGroupsMatrix(timeoutSec: number, rounds: number): MigrationConfig[] {
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError('techniqueGroupsMatrix: rounds must be an integer >= 1');
  const out: MigrationConfig[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const g of TECHNIQUE_GROUPS) {
      for (const t of LAB_TECHNIQUES) {
        out.push({ ...techniqueConfig(g, t, timeoutSec), group: `${g.name} r${r}` });
      }
    }
  }
  return out;
}

/**
 * The libvirt lab pass (`lab matrix --driver libvirt --preset libvirt`): every standard workload at 256 and 512 MiB,
 * each with one of the 12 (bandwidth, limit, auto-converge) combinations in rotation (14 runs), `repeats` runs of
 * three of them for the noise floor (default 2: 6 runs), and the four that cannot converge before their 25 s
 * time-out (LIBVIRT_TIMEOUT_CONFIGS): 24 runs.
 */
function libvirtMatrix(mk: (mem: number, w: { workload: Workload; params: Record<string, string | number> }, c: { bw: number; dl: number; ac: boolean }) => MigrationConfig, cs: { bw: number; dl: number; ac: boolean }[], repeats: number): MigrationConfig[] {
  const out: MigrationConfig[] = [];
  let i = 0;
  for (const mem of [256 * MIB, 512 * MIB]) for (const w of WORKLOAD_SETS) out.push(mk(mem, w, cs[(i++ * 5) % cs.length]));
  for (const c of [out[1], out[6], out[8]]) for (let r = 0; r < repeats; r++) out.push({ ...c, params: { ...c.params } });
  for (const t of LIBVIRT_TIMEOUT_CONFIGS) {
    const w = WORKLOAD_SETS.find((x) => x.name === t.set)!;
    out.push({ ...mk(t.memMiB * MIB, w, { bw: t.bwMiB * MIB, dl: LIBVIRT_TIMEOUT_LIMIT_SEC, ac: t.ac }), timeoutSec: LIBVIRT_TIMEOUT_SEC });
  }
  return out;
}

/** A short label for a workload and its parameters. */
export function workloadLabel(c: MigrationConfig): string {
  const p = Object.entries(c.params).map(([k, v]) => `${k}=${v}`).join(' ');
  return p ? `${c.workload} (${p})` : c.workload;
}

/** A guest workload's parameters as the guest reads them (working set in whole MiB, "48M"). */
export function workloadParams(p: { wssBytes?: number; rate?: number; pattern?: string; clients?: number; pace?: string; phases?: string; load?: string; period?: number; keys?: number }): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  if (p.wssBytes !== undefined) params.wss = `${Math.round(p.wssBytes / 2 ** 20)}M`;
  if (p.rate !== undefined) params.rate = p.rate;
  if (p.pattern !== undefined) params.pattern = p.pattern;
  if (p.clients !== undefined) params.clients = p.clients;
  for (const k of ['pace', 'phases', 'load', 'period', 'keys'] as const) if (p[k] !== undefined) params[k] = p[k];
  return params;
}
