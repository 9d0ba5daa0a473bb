/**
 * Every selection policy on the same cluster and day: CloudSim's (mmt, mc, rs, mu) and the cost-aware ones
 * (moa, optimal) under each cost objective, with each run's ESV, traffic and downtime set against the MMT
 * run's. Pure (the caller loads the day).
 */
import { simulateCluster } from './engine.js';
import { workloadClassPricer } from './pricer.js';
import type { SimDetector } from './detectors.js';
import type { SimSelection } from './selection.js';
import type { ConsolidationOrder, CostObjective, MigrationModel, SimHostSpec, SimVmSpec, SimulationResult } from './types.js';

/**
 * A policy to compare: `mmt`, or `moa:traffic`, `optimal:sla`, ... (objective after the colon); a `+co`
 * suffix empties under-loaded hosts in cost order (`consolidationOrder: 'cost'`) instead of CloudSim's.
 */
export const DEFAULT_COMPARE_POLICIES: readonly string[] = Object.freeze([
  'mmt', 'mc', 'rs', 'mu',
  'moa:traffic', 'moa:downtime', 'moa:cost', 'moa:sla', 'moa:sla-per-mips', 'moa:relief', 'moa:sla-per-relief',
  'optimal:traffic', 'optimal:sla-per-mips',
  'mmt+co', 'moa:sla-per-mips+co', 'optimal:sla-per-mips+co', 'moa:relief+co',
]);

export interface CompareRow {
  day: string;
  policy: string;
  energyKWh: number;
  migrations: number;
  slatah: number;
  pdm: number;
  slav: number;
  esv: number;
  transferredBytes: number;
  downtimeSec: number;
  /** (x - MMT's x) / MMT's x; NaN without an MMT run that day. */
  esvVsMmt: number;
  bytesVsMmt: number;
  downtimeVsMmt: number;
  wallSec: number;
}

export interface CompareConfig {
  day: string;
  cluster: { hosts: SimHostSpec[]; vms: SimVmSpec[] };
  detector: SimDetector;
  detectorParam: number;
  migrationModel: MigrationModel;
  policies?: readonly string[];
  seed?: number;
  onRun?: (policy: string, r: SimulationResult) => void;
}

/**
 * Parses `moa:sla` into a selection and an objective, `optimal:sla-per-mips+co` also into the cost-ordered consolidation.
 * @example parsePolicy('mmt+co') // { selection: 'mmt', consolidationOrder: 'cost' }
 */
export function parsePolicy(p: string): { selection: SimSelection; objective?: CostObjective; consolidationOrder?: ConsolidationOrder } {
  const co = p.endsWith('+co');
  const [selection, objective] = (co ? p.slice(0, -3) : p).split(':');
  return { selection: selection as SimSelection, ...(objective ? { objective: objective as CostObjective } : {}), ...(co ? { consolidationOrder: 'cost' as const } : {}) };
}

export function comparePolicies(cfg: CompareConfig): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const policy of cfg.policies ?? DEFAULT_COMPARE_POLICIES) {
    const { selection, objective, consolidationOrder } = parsePolicy(policy);
    const t0 = performance.now();
    const r = simulateCluster({
      ...cfg.cluster,
      detector: cfg.detector,
      detectorParam: cfg.detectorParam,
      selection,
      seed: cfg.seed ?? 1,
      migrationModel: cfg.migrationModel,
      ...(objective ? { costObjective: objective } : {}),
      ...(consolidationOrder ? { consolidationOrder } : {}),
      pricer: workloadClassPricer(),
    });
    cfg.onRun?.(policy, r);
    rows.push({
      day: cfg.day,
      policy,
      energyKWh: r.energyKWh,
      migrations: r.migrations,
      slatah: r.slatah,
      pdm: r.pdm,
      slav: r.slav,
      esv: r.esv,
      transferredBytes: r.migrationCost?.transferredBytes ?? NaN,
      downtimeSec: r.migrationCost?.downtimeSec ?? NaN,
      esvVsMmt: NaN,
      bytesVsMmt: NaN,
      downtimeVsMmt: NaN,
      wallSec: (performance.now() - t0) / 1000,
    });
  }
  const mmt = rows.find((r) => r.policy === 'mmt');
  if (mmt) {
    for (const r of rows) {
      r.esvVsMmt = (r.esv - mmt.esv) / mmt.esv;
      r.bytesVsMmt = (r.transferredBytes - mmt.transferredBytes) / mmt.transferredBytes;
      r.downtimeVsMmt = (r.downtimeSec - mmt.downtimeSec) / mmt.downtimeSec;
    }
  }
  return rows;
}
