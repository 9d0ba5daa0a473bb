/**
 * A policy sweep's grid: days x detectors x parameters x policies (x objectives) x memory sources x seeds, each
 * point one simulated run with every input spelled out, and the run's key (a hash of all of them) under which its
 * result is stored. Expanding is pure; the key hashes the canonical JSON of the inputs.
 */
import { createHash } from 'node:crypto';
import { SIM_DETECTOR_DEFAULTS, SIM_DETECTORS, type SimDetector } from '../sim/detectors.js';
import { parsePolicy } from '../sim/compare.js';
import type { MemorySource } from '../sim/presets.js';
import type { FileOrder } from '../sim/planetlab-loader.js';
import type { CostObjective, MigrationModel } from '../sim/types.js';
import { InputError } from '../units.js';

/** Where a run's VMs come from: PlanetLab traces (one day of them) or a folder of the researcher's own CSV files. */
export type SweepSource =
  | { kind: 'planetlab'; traces: string; fileOrder: FileOrder; scale: number }
  | { kind: 'trace-dir'; dir: string };

/** Every input of one simulated run. Two runs with equal inputs give equal results. */
export interface SweepRun {
  source: SweepSource;
  /** The PlanetLab day (yyyymmdd), or the trace folder's name. */
  day: string;
  detector: SimDetector;
  detectorParam: number;
  /** A selection, optionally `:objective` and `+co` (as `simulate --policies`). */
  policy: string;
  seed: number;
  memorySource: MemorySource;
  /** The Bitbrains folder, with memorySource bitbrains only. */
  bitbrains?: string;
  migrationModel: MigrationModel;
  /** What identifies the input files as they were (size and modification time), so changed data is run again. */
  stamp: string;
  /** migcost's version: another version may simulate differently. */
  version: string;
}

export interface SweepSpec {
  source: SweepSource;
  /** Days (PlanetLab) or the one trace folder name. */
  days: readonly string[];
  detectors: readonly SimDetector[];
  /** Each `x` (every detector) or `detector=x`; a detector none names runs with its default parameter. */
  params?: readonly string[];
  policies: readonly string[];
  /** Crossed with each moa / optimal policy that names no objective. */
  objectives?: readonly CostObjective[];
  seeds: readonly number[];
  memorySources: readonly MemorySource[];
  bitbrains: string;
  migrationModel: MigrationModel;
  stamp: string;
  version: string;
}

/**
 * The parameters of each detector from `--params`: `0.8` applies to every detector, `thr=0.8` to one.
 * @example detectorParams(['thr'], ['0.7', 'thr=0.9']) // Map { 'thr' => [0.7, 0.9] }
 */
export function detectorParams(detectors: readonly SimDetector[], params: readonly string[] = []): Map<SimDetector, number[]> {
  const out = new Map<SimDetector, number[]>(detectors.map((d) => [d, []]));
  for (const p of params) {
    const m = /^(?:([a-z]+)=)?(.+)$/.exec(p.trim());
    const det = m?.[1];
    const x = Number(m?.[2]);
    if (!m || !Number.isFinite(x) || x < 0) throw new InputError('--params', p, 'must be a number >= 0, or detector=number (e.g. 0.8,mad=2.5)');
    if (det !== undefined && !(SIM_DETECTORS as readonly string[]).includes(det)) throw new InputError('--params', p, `names no detector (${SIM_DETECTORS.join(', ')})`);
    if (det !== undefined && !detectors.includes(det as SimDetector)) throw new InputError('--params', p, `names ${det}, which is not in --detectors (${detectors.join(', ')})`);
    for (const d of det === undefined ? detectors : [det as SimDetector]) if (!out.get(d)!.includes(x)) out.get(d)!.push(x);
  }
  for (const [d, xs] of out) if (xs.length === 0) xs.push(SIM_DETECTOR_DEFAULTS[d]);
  return out;
}

/** Each policy, those of moa / optimal without an objective once per objective. */
export function policiesWithObjectives(policies: readonly string[], objectives: readonly CostObjective[] = []): string[] {
  const out: string[] = [];
  for (const p of policies) {
    const { selection, objective, consolidationOrder } = parsePolicy(p);
    if (objectives.length === 0 || objective !== undefined || (selection !== 'moa' && selection !== 'optimal')) out.push(p);
    else for (const o of objectives) out.push(`${selection}:${o}${consolidationOrder ? '+co' : ''}`);
  }
  return [...new Set(out)];
}

/** The grid, day by day (a worker keeps a day's cluster while its runs last), each run's inputs complete. */
export function expandGrid(spec: SweepSpec): SweepRun[] {
  const params = detectorParams(spec.detectors, spec.params);
  const policies = policiesWithObjectives(spec.policies, spec.objectives);
  const runs: SweepRun[] = [];
  for (const day of spec.days)
    for (const memorySource of spec.memorySources)
      for (const seed of spec.seeds)
        for (const detector of spec.detectors)
          for (const detectorParam of params.get(detector)!)
            for (const policy of policies)
              runs.push({
                source: spec.source, day, detector, detectorParam, policy, seed, memorySource,
                ...(memorySource === 'bitbrains' ? { bitbrains: spec.bitbrains } : {}),
                migrationModel: spec.migrationModel, stamp: spec.stamp, version: spec.version,
              });
  return runs;
}

/** JSON with object keys sorted at every level: the same inputs always give the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The run's key: SHA-256 (hex) of its inputs' canonical JSON. */
export function runKey(run: SweepRun): string {
  return createHash('sha256').update(canonicalJson(run)).digest('hex');
}
