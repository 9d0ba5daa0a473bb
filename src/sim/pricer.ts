/**
 * Pricing a migration the cluster simulator starts: what migcost's pre-copy model says it costs. CloudSim
 * prices none of this (a migration there lasts RAM / bandwidth and costs 10 % of the VM's CPU).
 * - `workloadClassPricer` (the simulator's default): each VM's dirty rate and writable working set come from
 *   its workload class (`workload-classes.ts`) and its CPU utilisation when the migration starts.
 * - `predictPricer`: one dirty rate at full CPU for every VM (kept for callers that want a single knob).
 */
import { predict } from '../model/index.js';
import type { PolicyOptions } from '../model/index.js';
import { WORKLOAD_CLASS_SPECS, type WorkloadClass } from './workload-classes.js';

/** One migration as the simulator starts it. */
export interface MigrationRequest {
  vmName: string;
  memoryBytes: number;
  /** CPU utilisation of the VM when the migration starts (fraction, may exceed 1 in traces). */
  cpuUtilisation: number;
  bandwidthBytesPerSec: number;
  startSec: number;
  /** The VM's workload class (workload-classes.ts); `batch` when absent. */
  workloadClass?: WorkloadClass;
}

/** What a migration costs. */
export interface MigrationPrice {
  transferredBytes: number;
  downtimeSec: number;
  totalTimeSec: number;
  converged: boolean;
  energyJoules: number;
}

/** The hook: later pricers will know each VM's workload class (dirty-rate curve) and memory. */
export interface MigrationPricer {
  price(m: MigrationRequest): MigrationPrice;
}

export interface PredictPricerConfig {
  /** Dirty rate of a VM at 100 % CPU; scaled linearly by its utilisation (bytes/s). */
  dirtyRateAtFullCpuBytesPerSec: number;
  policy: PolicyOptions;
}

/** Default: QEMU's stop rule (300 ms downtime limit, 600 s time-out), 20 MiB/s dirtied at full CPU. */
export const DEFAULT_PREDICT_PRICER: Readonly<PredictPricerConfig> = Object.freeze({
  dirtyRateAtFullCpuBytesPerSec: 20 * 2 ** 20,
  policy: { name: 'qemu', downtimeLimitSec: 0.3 } as PolicyOptions,
});

/**
 * Prices each migration with `predict` (Liu's wired energy model by default). Predictions are memoised on
 * (memory, rounded utilisation, bandwidth): a day of the preset has ~30,000 migrations over a few VM types.
 */
export function predictPricer(cfg: PredictPricerConfig = DEFAULT_PREDICT_PRICER): MigrationPricer {
  if (!(cfg.dirtyRateAtFullCpuBytesPerSec >= 0)) throw new RangeError('predictPricer: dirtyRateAtFullCpuBytesPerSec must be >= 0');
  const memo = new Map<string, MigrationPrice>();
  return {
    price(m) {
      const u = Math.max(0, Math.min(1, m.cpuUtilisation));
      const key = `${m.memoryBytes}|${u.toFixed(3)}|${m.bandwidthBytesPerSec}`;
      let p = memo.get(key);
      if (!p) {
        const r = predict({
          vm: { memoryBytes: m.memoryBytes, dirtyRateBytesPerSec: Number(u.toFixed(3)) * cfg.dirtyRateAtFullCpuBytesPerSec },
          bandwidthBytesPerSec: m.bandwidthBytesPerSec,
          policy: cfg.policy,
        });
        p = { transferredBytes: r.transferredBytes, downtimeSec: r.downtimeSec, totalTimeSec: r.totalTimeSec, converged: r.converged, energyJoules: r.energyJoules };
        memo.set(key, p);
      }
      return p;
    },
  };
}

/** QEMU's stop rule with auto-converge (so every migration ends), 300 ms downtime limit, 600 s time-out. */
export const SIM_MIGRATION_POLICY: Readonly<PolicyOptions> = Object.freeze({ name: 'qemu', downtimeLimitSec: 0.3, autoConverge: true } as PolicyOptions);

/**
 * Prices each migration with `predict` from the VM's workload class: dirty rate = class rate at full CPU x
 * utilisation (clamped to [0, 1], rounded to 0.01 for the memo), working set = class share of its memory,
 * Liu's wired energy. Memoised on (class, memory, utilisation, bandwidth).
 * @example workloadClassPricer().price({ vmName: 'a', memoryBytes: 2 ** 30, cpuUtilisation: 0.5, bandwidthBytesPerSec: 62.5 * 2 ** 20, startSec: 0, workloadClass: 'web' })
 */
export function workloadClassPricer(policy: PolicyOptions = SIM_MIGRATION_POLICY): MigrationPricer {
  const memo = new Map<string, MigrationPrice>();
  return {
    price(m) {
      const cls = m.workloadClass ?? 'batch';
      const u = Math.round(Math.max(0, Math.min(1, m.cpuUtilisation)) * 100) / 100;
      const key = `${cls}|${m.memoryBytes}|${u}|${m.bandwidthBytesPerSec}`;
      let p = memo.get(key);
      if (!p) {
        const spec = WORKLOAD_CLASS_SPECS[cls];
        const r = predict({
          vm: {
            memoryBytes: m.memoryBytes,
            dirtyRateBytesPerSec: spec.dirtyRateAtFullCpuBytesPerSec * u,
            workingSetBytes: spec.workingSetFraction * m.memoryBytes,
            cpuUtilisation: Math.max(u, 0.01),
          },
          bandwidthBytesPerSec: m.bandwidthBytesPerSec,
          policy,
        });
        p = { transferredBytes: r.transferredBytes, downtimeSec: r.downtimeSec, totalTimeSec: r.totalTimeSec, converged: r.converged, energyJoules: r.energyJoules };
        memo.set(key, p);
      }
      return p;
    },
  };
}
