/** The simulated cluster of one PlanetLab day, from the trace files the flags name (the files' errors name the flag). */
import { cloudsimPlanetLabPreset, scalePlanetLabTraces, withBitbrainsMemory, CLOUDSIM_HOSTS, type MemorySource, type PlanetLabTrace } from '../../../sim/presets.js';
import { listPlanetLabDays, loadPlanetLabDay, type FileOrder } from '../../../sim/planetlab-loader.js';
import { loadBitbrainsMemoryMb } from '../../../sim/bitbrains-loader.js';
import { InputError } from '../../../units.js';

export interface ClusterSource {
  traces: string;
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

export function loadCluster(o: ClusterSource, day: string): SimCluster {
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
  const cluster = cloudsimPlanetLabPreset(traces, CLOUDSIM_HOSTS * o.scale);
  if (o.memorySource === 'bitbrains') {
    let mem: number[];
    try {
      mem = loadBitbrainsMemoryMb(o.bitbrains);
    } catch (e) {
      throw new InputError('--bitbrains', o.bitbrains, `must hold the Bitbrains Rnd <n>.csv.gz files (${(e as Error).message})`);
    }
    cluster.vms = withBitbrainsMemory(cluster.vms, mem, o.seed);
  }
  return cluster;
}
