/**
 * The setup of CloudSim 3.0.3's power examples over PlanetLab traces ("cloudsim-planetlab"): 800 hosts
 * alternating HP ML110 G4 and G5, one VM per trace in four types assigned in contiguous blocks. Pure.
 */
import { HP_ML110_G4_WATTS, HP_ML110_G5_WATTS } from './power.js';
import type { SimHostSpec, SimVmSpec } from './types.js';
import { mulberry32 } from '../stats/random.js';

export const PRESETS = ['cloudsim-planetlab'] as const;
export type Preset = (typeof PRESETS)[number];

export const CLOUDSIM_HOST_TYPES: readonly SimHostSpec[] = Object.freeze([
  { model: 'HP ProLiant ML110 G4 (Xeon 3040)', cores: 2, coreMips: 1860, ramMb: 4096, bwKbps: 1_000_000, powerWatts: HP_ML110_G4_WATTS },
  { model: 'HP ProLiant ML110 G5 (Xeon 3075)', cores: 2, coreMips: 2660, ramMb: 4096, bwKbps: 1_000_000, powerWatts: HP_ML110_G5_WATTS },
]);

/** CloudSim's four VM types (one core each): MIPS and RAM (MB). */
export const CLOUDSIM_VM_TYPES: readonly { mips: number; ramMb: number }[] = Object.freeze([
  { mips: 2500, ramMb: 870 },
  { mips: 2000, ramMb: 1740 },
  { mips: 1000, ramMb: 1740 },
  { mips: 500, ramMb: 613 },
]);
export const CLOUDSIM_VM_BW_KBPS = 100_000;
export const CLOUDSIM_HOSTS = 800;

/** A PlanetLab trace: its file name and its samples (per cent CPU, one per 5 minutes). */
export interface PlanetLabTrace {
  name: string;
  percent: ArrayLike<number>;
}

/** Samples per day at 300 s; the trace gets one more sample, a copy of the last. */
export const SAMPLES_PER_DAY = 288;

/**
 * CloudSim's reading of a trace: the first 288 integers / 100, then d[288] = d[287].
 * @example traceFromPercent([10, 20, ...288 values]) // Float64Array(289) [0.1, 0.2, ..., d287, d287]
 */
export function traceFromPercent(percent: ArrayLike<number>): Float64Array {
  if (percent.length < SAMPLES_PER_DAY) throw new RangeError(`traceFromPercent: a trace needs ${SAMPLES_PER_DAY} samples (got ${percent.length})`);
  const d = new Float64Array(SAMPLES_PER_DAY + 1);
  for (let i = 0; i < SAMPLES_PER_DAY; i++) d[i] = percent[i] / 100;
  d[SAMPLES_PER_DAY] = d[SAMPLES_PER_DAY - 1];
  return d;
}

/**
 * Hosts and VMs of the preset. VM i gets trace i and type floor(i / ceil(n / 4)); host i is a G4 when i is
 * even, a G5 when odd.
 */
export function cloudsimPlanetLabPreset(traces: readonly PlanetLabTrace[], hostCount = CLOUDSIM_HOSTS): { hosts: SimHostSpec[]; vms: SimVmSpec[] } {
  const n = traces.length;
  if (n === 0) throw new RangeError('cloudsimPlanetLabPreset: no traces');
  const block = Math.ceil(n / CLOUDSIM_VM_TYPES.length);
  const hosts = Array.from({ length: hostCount }, (_, i) => CLOUDSIM_HOST_TYPES[i % 2]);
  const vms = traces.map((tr, i): SimVmSpec => {
    const type = CLOUDSIM_VM_TYPES[Math.floor(i / block)];
    return { name: tr.name, mips: type.mips, ramMb: type.ramMb, bwKbps: CLOUDSIM_VM_BW_KBPS, utilisation: traceFromPercent(tr.percent) };
  });
  return { hosts, vms };
}

/** Where a VM's memory size comes from: CloudSim's VM type, or a Bitbrains VM's measured memory use. */
export const MEMORY_SOURCES = ['vm-type', 'bitbrains'] as const;
export type MemorySource = (typeof MEMORY_SOURCES)[number];

/** Smallest memory (MB) a VM gets from Bitbrains (a guest kernel needs some). */
export const MIN_BITBRAINS_MEMORY_MB = 64;

/**
 * Gives each VM the memory of a Bitbrains VM drawn uniformly (mulberry32 seeded by `seed`, one draw per VM in
 * order), at least MIN_BITBRAINS_MEMORY_MB. Deterministic; the VM list is copied.
 * @example withBitbrainsMemory(vms, [271, 8, 72], 1) // each VM's ramMb one of 271, 64, 72
 */
export function withBitbrainsMemory(vms: readonly SimVmSpec[], memoriesMb: readonly number[], seed: number): SimVmSpec[] {
  if (memoriesMb.length === 0) throw new RangeError('withBitbrainsMemory: no memory sizes');
  const random = mulberry32(seed);
  return vms.map((v) => ({ ...v, ramMb: Math.max(MIN_BITBRAINS_MEMORY_MB, memoriesMb[Math.min(memoriesMb.length - 1, Math.floor(random() * memoriesMb.length))]) }));
}

/**
 * A day's traces `factor` times over, for a cluster `factor` times larger: copy 0 is the day itself; copy k
 * multiplies each sample by (1 + e), e uniform in [-jitter, jitter] (mulberry32 seeded by seed + k), rounded
 * and clamped to [0, 100]. Names get `#k`. Deterministic.
 * @example scalePlanetLabTraces(traces, 10).length // 10 x traces.length
 */
export function scalePlanetLabTraces(traces: readonly PlanetLabTrace[], factor: number, seed = 1, jitter = 0.1): PlanetLabTrace[] {
  if (!(Number.isInteger(factor) && factor >= 1)) throw new RangeError(`scalePlanetLabTraces: factor must be an integer >= 1 (got ${factor})`);
  const out: PlanetLabTrace[] = [...traces];
  for (let k = 1; k < factor; k++) {
    const random = mulberry32(seed + k);
    for (const t of traces) {
      const p = new Array<number>(t.percent.length);
      for (let i = 0; i < t.percent.length; i++) p[i] = Math.max(0, Math.min(100, Math.round(t.percent[i] * (1 + jitter * (2 * random() - 1)))));
      out.push({ name: `${t.name}#${k}`, percent: p });
    }
  }
  return out;
}

