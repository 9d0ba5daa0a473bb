/**
 * The options of POST /v1/simulate beyond day, detector, selection and param: what `migcost simulate` also
 * offers (objective, consolidation order, migration model, memory source, file order, scale, baseline, and
 * how migrations are priced). Each one absent leaves the route as it was: CloudSim's defaults, and every
 * migration priced at one dirty rate at full CPU (20 MiB/s, `predictPricer`). The dashboard sends
 * `pricer: 'workload-class'`, the CLI's pricing, so its figures match `migcost simulate`'s.
 */
import { join } from 'node:path';
import { scalePlanetLabTraces, withBitbrainsMemory, MEMORY_SOURCES, type MemorySource, type PlanetLabTrace } from '../../sim/presets.js';
import { predictPricer, workloadClassPricer, DEFAULT_PREDICT_PRICER, type MigrationPricer } from '../../sim/pricer.js';
import { FILE_ORDERS, type FileOrder } from '../../sim/planetlab-loader.js';
import { loadBitbrainsMemoryMb, DEFAULT_BITBRAINS_DIR } from '../../sim/bitbrains-loader.js';
import { CONSOLIDATION_ORDERS, COST_OBJECTIVES, MIGRATION_MODELS, type ConsolidationOrder, type CostObjective, type MigrationModel, type SimulationConfig, type SimVmSpec } from '../../sim/types.js';
import { parseRate } from '../../units.js';
import { HttpError } from '../errors.js';

/** How each migration is priced by migcost's model. */
export const SIM_PRICERS = ['one-rate', 'workload-class'] as const;

export interface SimulateOptions {
  objective?: CostObjective;
  consolidation?: ConsolidationOrder;
  migrationModel?: MigrationModel;
  memorySource?: MemorySource;
  fileOrder?: FileOrder;
  scale?: number;
  baseline?: 'npa' | 'dvfs';
  pricer?: (typeof SIM_PRICERS)[number];
  dirtyRateAtFullCpu?: number | string;
}

/** JSON-schema properties, spread into the route's body schema. */
export const simulateOptionsSchema = {
  objective: { type: 'string', enum: [...COST_OBJECTIVES], description: 'what moa / optimal minimise per VM (default sla)' },
  consolidation: { type: 'string', enum: [...CONSOLIDATION_ORDERS], description: "which under-loaded hosts are emptied first (default CloudSim's utilisation)" },
  migrationModel: { type: 'string', enum: [...MIGRATION_MODELS], description: "a migration's duration: CloudSim's RAM / (bw / 2) (default) or migcost's prediction" },
  memorySource: { type: 'string', enum: [...MEMORY_SOURCES], description: "VM memory: CloudSim's VM type (default) or a Bitbrains VM's mean use" },
  fileOrder: { type: 'string', enum: [...FILE_ORDERS], description: 'VM i gets the i-th trace in archive order (default) or sorted by name' },
  scale: { type: 'integer', minimum: 1, maximum: 4, description: 'n x the hosts and VMs (the day replicated with ±10 % jitter)' },
  baseline: { type: 'string', enum: ['npa', 'dvfs'], description: 'no migrations: every host at full power (npa) or power following utilisation (dvfs)' },
  pricer: { type: 'string', enum: [...SIM_PRICERS], description: "one dirty rate at full CPU for every VM (default, `dirtyRateAtFullCpu`, 20 MiB/s) or the VM's workload class (the CLI's)" },
  dirtyRateAtFullCpu: { type: ['number', 'string'], description: 'with pricer one-rate: bytes/s, or a rate such as 20MiB/s' },
} as const;

/** The day's traces as the options shape them: scaled, for `scale` times the hosts. */
export function scaledTraces(traces: PlanetLabTrace[], o: SimulateOptions, seed: number): PlanetLabTrace[] {
  return (o.scale ?? 1) > 1 ? scalePlanetLabTraces(traces, o.scale!, seed) : traces;
}

/** VMs with Bitbrains memory sizes when asked (the folder beside the PlanetLab archive's folder). */
export function withMemorySource(vms: SimVmSpec[], o: SimulateOptions, seed: number, tracesPath?: string): SimVmSpec[] {
  if (o.memorySource !== 'bitbrains') return vms;
  const dir = tracesPath ? join(tracesPath, '..', '..', 'bitbrains-rnd') : DEFAULT_BITBRAINS_DIR;
  let mem: number[];
  try {
    mem = loadBitbrainsMemoryMb(dir);
  } catch (e) {
    throw new HttpError(400, `memorySource: no Bitbrains traces on this server (${(e as Error).message})`, 'memorySource', { cause: e });
  }
  return withBitbrainsMemory(vms, mem, seed);
}

/** The pricer: one rate at full CPU (the route's default) or the workload classes (the CLI's). */
export function pricerFor(o: SimulateOptions): MigrationPricer {
  if (o.pricer === 'workload-class') return workloadClassPricer();
  if (o.dirtyRateAtFullCpu === undefined) return predictPricer(DEFAULT_PREDICT_PRICER);
  let rate: number;
  try {
    rate = parseRate('dirtyRateAtFullCpu', o.dirtyRateAtFullCpu);
  } catch (e) {
    throw new HttpError(400, (e as Error).message, 'dirtyRateAtFullCpu', { cause: e });
  }
  return predictPricer({ ...DEFAULT_PREDICT_PRICER, dirtyRateAtFullCpuBytesPerSec: rate });
}

/** The simulateCluster fields the options set (none when absent). */
export function simulationExtras(o: SimulateOptions): Partial<SimulationConfig> {
  return {
    ...(o.objective ? { costObjective: o.objective } : {}),
    ...(o.consolidation ? { consolidationOrder: o.consolidation } : {}),
    ...(o.migrationModel ? { migrationModel: o.migrationModel } : {}),
    ...(o.baseline ? { baseline: o.baseline } : {}),
  };
}
