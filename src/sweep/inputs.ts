/**
 * A sweep's grid from what a user asked for, checked before any run starts (a day the traces lack, a trace folder's
 * bad line, a missing Bitbrains folder: each an InputError naming the flag, or the file, line and column), with the
 * stamp of the input files and migcost's version in every run's key.
 */
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { listPlanetLabDays, type FileOrder } from '../sim/planetlab-loader.js';
import { loadBitbrainsMemoryMb } from '../sim/bitbrains-loader.js';
import type { SimDetector } from '../sim/detectors.js';
import type { MemorySource } from '../sim/presets.js';
import type { CostObjective, MigrationModel } from '../sim/types.js';
import { InputError } from '../units.js';
import { inputStamp, ownClusterPaths, parseOwnClusterIn } from './cluster.js';
import { expandGrid, type SweepRun, type SweepSource } from './grid.js';

/** migcost's version (package.json: src/sweep and dist/sweep are both two levels below the root). */
export const MIGCOST_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export interface GridRequest {
  days: readonly string[];
  traces: string;
  traceDir?: string;
  fileOrder: FileOrder;
  scale: number;
  bitbrains: string;
  migrationModel: MigrationModel;
  detectors: readonly SimDetector[];
  params?: readonly string[];
  policies: readonly string[];
  objectives?: readonly CostObjective[];
  seeds: readonly number[];
  memorySources: readonly MemorySource[];
}

function checkDays(traces: string, days: readonly string[]): void {
  let known: string[];
  try {
    known = listPlanetLabDays(traces);
  } catch (e) {
    throw new InputError('--traces', traces, `must be the PlanetLab archive or a folder holding <day>/ (${(e as Error).message})`);
  }
  for (const d of days) {
    if (!/^\d{8}$/.test(d)) throw new InputError('--days', d, `must be a date as yyyymmdd; the days in ${traces}: ${known.join(', ')}`);
    if (!known.includes(d)) throw new InputError('--days', d, `has no traces in ${traces}; valid days: ${known.join(', ')}`);
  }
}

/** Every run of the grid, inputs complete and checked. */
export function sweepGrid(q: GridRequest): SweepRun[] {
  let source: SweepSource;
  let days: readonly string[];
  let stamp: string;
  if (q.traceDir !== undefined) {
    const dir = resolve(q.traceDir);
    parseOwnClusterIn(q.traceDir); // its errors name the file, line and column, before any run
    if (q.scale !== 1) throw new InputError('--scale', q.scale, 'applies to PlanetLab traces only, not with --trace-dir');
    source = { kind: 'trace-dir', dir };
    days = [basename(dir)];
    stamp = inputStamp(ownClusterPaths(dir));
  } else {
    const traces = resolve(q.traces);
    checkDays(traces, q.days);
    source = { kind: 'planetlab', traces, fileOrder: q.fileOrder, scale: q.scale };
    days = q.days;
    stamp = inputStamp([traces]);
  }
  const bitbrains = resolve(q.bitbrains);
  if (q.memorySources.includes('bitbrains')) {
    try {
      loadBitbrainsMemoryMb(bitbrains);
    } catch (e) {
      throw new InputError('--bitbrains', q.bitbrains, `must hold the Bitbrains Rnd <n>.csv.gz files (${(e as Error).message})`);
    }
    stamp += `|bitbrains ${inputStamp([bitbrains])}`;
  }
  return expandGrid({
    source, days, detectors: q.detectors, params: q.params, policies: q.policies, objectives: q.objectives, seeds: q.seeds,
    memorySources: q.memorySources, bitbrains, migrationModel: q.migrationModel, stamp, version: MIGCOST_VERSION,
  });
}
