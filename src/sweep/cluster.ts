/**
 * The simulated cluster of one PlanetLab day, or of a folder of the researcher's own CSV files (`--trace-dir`),
 * from the files the flags name (the files' errors name the flag, or the file, line and column).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OwnClusterError, parseOwnCluster } from '../sim/own-cluster.js';
import { cloudsimPlanetLabPreset, scalePlanetLabTraces, withBitbrainsMemory, CLOUDSIM_HOSTS, type MemorySource, type PlanetLabTrace } from '../sim/presets.js';
import { listPlanetLabDays, loadPlanetLabDay, type FileOrder } from '../sim/planetlab-loader.js';
import { loadBitbrainsMemoryMb } from '../sim/bitbrains-loader.js';
import { InputError } from '../units.js';

export interface ClusterSource {
  traces: string;
  /** A folder of vms.csv, utilisation.csv and maybe hosts.csv: the cluster instead of PlanetLab's. */
  traceDir?: string;
  fileOrder: FileOrder;
  scale: number;
  seed: number;
  memorySource: MemorySource;
  bitbrains: string;
}

export type SimCluster = ReturnType<typeof cloudsimPlanetLabPreset>;

/** The days the traces hold, or undefined when they cannot be read (then --traces is what is wrong). */
function daysIn(traces: string): string[] | undefined {
  try {
    return listPlanetLabDays(traces);
  } catch {
    return undefined;
  }
}

/** The CSV files of a trace folder, read; a missing one names --trace-dir. */
export function readOwnClusterFiles(dir: string): { vms: string; utilisation: string; hosts?: string } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('--trace-dir', dir, 'must be a folder holding vms.csv and utilisation.csv (docs/simulator.md, "Your own cluster")');
  const read = (f: string) => {
    if (!existsSync(join(dir, f))) throw new InputError('--trace-dir', dir, `has no ${f} (it needs vms.csv and utilisation.csv, and may have hosts.csv)`);
    return readFileSync(join(dir, f), 'utf8');
  };
  return { vms: read('vms.csv'), utilisation: read('utilisation.csv'), ...(existsSync(join(dir, 'hosts.csv')) ? { hosts: read('hosts.csv') } : {}) };
}

/** The cluster of a trace folder; an error names the file's path in it, its line and column. */
export function parseOwnClusterIn(dir: string): SimCluster {
  try {
    return parseOwnCluster(readOwnClusterFiles(dir));
  } catch (e) {
    throw e instanceof OwnClusterError ? e.inFolder(dir) : e;
  }
}

/** What identifies the input files as they are: size and modification time of each (a sweep's runs are keyed by it). */
export function inputStamp(paths: readonly string[]): string {
  return paths.map((p) => (existsSync(p) ? `${statSync(p).size}:${Math.round(statSync(p).mtimeMs)}` : '-')).join('|');
}

/** The files a trace folder's cluster is read from. */
export function ownClusterPaths(dir: string): string[] {
  return ['vms.csv', 'utilisation.csv', 'hosts.csv'].map((f) => join(dir, f));
}

/** Gives the VMs Bitbrains memory sizes when asked (`--memory-source bitbrains`). */
function withMemorySource(cluster: SimCluster, o: ClusterSource): SimCluster {
  if (o.memorySource !== 'bitbrains') return cluster;
  let mem: number[];
  try {
    mem = loadBitbrainsMemoryMb(o.bitbrains);
  } catch (e) {
    throw new InputError('--bitbrains', o.bitbrains, `must hold the Bitbrains Rnd <n>.csv.gz files (${(e as Error).message})`);
  }
  return { ...cluster, vms: withBitbrainsMemory(cluster.vms, mem, o.seed) };
}

export function loadCluster(o: ClusterSource, day: string): SimCluster {
  if (o.traceDir !== undefined) return withMemorySource(parseOwnClusterIn(o.traceDir), o);
  const known = () => {
    const days = daysIn(o.traces);
    return days && days.length > 0 ? `; the days in ${o.traces}: ${days.join(', ')}` : '';
  };
  if (!/^\d{8}$/.test(day)) throw new InputError('--day', day, `must be a date as yyyymmdd${known() || ', e.g. 20110303'}`);
  let traces: PlanetLabTrace[];
  try {
    traces = loadPlanetLabDay(o.traces, day, o.fileOrder);
  } catch (e) {
    const days = daysIn(o.traces);
    if (days && days.length > 0 && !days.includes(day)) throw new InputError('--day', day, `has no traces in ${o.traces}; valid days: ${days.join(', ')}`);
    throw new InputError('--traces', o.traces, `must hold the traces of day ${day} (${(e as Error).message})`);
  }
  if (o.scale > 1) traces = scalePlanetLabTraces(traces, o.scale, o.seed);
  return withMemorySource(cloudsimPlanetLabPreset(traces, CLOUDSIM_HOSTS * o.scale), o);
}
