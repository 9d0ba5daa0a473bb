/**
 * Workload classes that give a simulated VM a memory dirty rate, which neither PlanetLab nor Bitbrains
 * records. A VM's class is read from its CPU trace (mean and coefficient of variation over the day); its dirty
 * rate is the class's rate at 100 % of its vCPU times its CPU utilisation when the migration starts, and the
 * pages it dirties fall in a writable working set of a fixed share of its memory. Pure.
 *
 * | class            | rule (trace)                  | dirty rate at 100 % CPU | working set | where the numbers come from |
 * |------------------|-------------------------------|-------------------------|-------------|-----------------------------|
 * | idle             | mean < 5 %                    | 1 MiB/s                 | 5 % of RAM  | lab: an idle 256 MiB guest migrates in 3 syncs with 14 ms downtime (LAB-NOTES "Reference points"); Liu 2011 Fig. 8: idle Linux "at relative low level" |
 * | batch            | mean < 40 %, CV < 0.5         | 10 MiB/s                | 10 % of RAM | Liu 2011 Fig. 8-9: TPC-C and Dbench dirty at a low, steady rate with a small working set (~2,500 pages/0.5 s read off the plot ~ 20 MiB/s at full load; half of it taken for a steady batch job) |
 * | web              | mean < 40 %, CV >= 0.5        | 40 MiB/s                | 25 % of RAM | Liu 2011 Fig. 8: SPECweb2005 has "a consistently high dirtying rate" (~10,000 pages/0.5 s ~ 78 MiB/s at its peak, halved for the mean of a bursty server) |
 * | memory-intensive | mean >= 40 %                  | 78 MiB/s                | 50 % of RAM | lab: the sequential dirtier at 20,000 pages/s (78 MiB/s) is the fastest that still converges under a 100 MiB/s cap (30,000 never does); Liu 2011 Fig. 9: Linpack "a quite large WWS and very high memory dirtying rate" |
 *
 * The thresholds (5 %, 40 %, CV 0.5) are this project's choice, not a paper's: they split the 20110303 day
 * into roughly 30 % idle, 50 % batch/web and a few per cent memory-intensive VMs. Rates are MiB/s (2^20 B/s).
 */

export const WORKLOAD_CLASSES = ['idle', 'batch', 'web', 'memory-intensive'] as const;
export type WorkloadClass = (typeof WORKLOAD_CLASSES)[number];

export interface WorkloadClassSpec {
  /** Dirty rate at 100 % of the VM's vCPU (bytes/s); scaled linearly by its utilisation. */
  dirtyRateAtFullCpuBytesPerSec: number;
  /** Writable working set as a share of the VM's memory (0, 1]. */
  workingSetFraction: number;
}

const MiB = 2 ** 20;

/** The table above, as data. */
export const WORKLOAD_CLASS_SPECS: Readonly<Record<WorkloadClass, Readonly<WorkloadClassSpec>>> = Object.freeze({
  idle: Object.freeze({ dirtyRateAtFullCpuBytesPerSec: 1 * MiB, workingSetFraction: 0.05 }),
  batch: Object.freeze({ dirtyRateAtFullCpuBytesPerSec: 10 * MiB, workingSetFraction: 0.1 }),
  web: Object.freeze({ dirtyRateAtFullCpuBytesPerSec: 40 * MiB, workingSetFraction: 0.25 }),
  'memory-intensive': Object.freeze({ dirtyRateAtFullCpuBytesPerSec: 78 * MiB, workingSetFraction: 0.5 }),
});

/** Class thresholds on the trace (fractions). */
export const IDLE_MEAN_BELOW = 0.05;
export const MEMORY_INTENSIVE_MEAN_FROM = 0.4;
export const WEB_CV_FROM = 0.5;

/**
 * The class of a VM from its utilisation trace (fractions): mean < 5 % idle; mean >= 40 % memory-intensive;
 * otherwise web when the coefficient of variation (population stdev / mean) is >= 0.5, else batch.
 * @example classifyTrace([0.01, 0.02]) // 'idle'
 * @example classifyTrace([0.1, 0.3]) // mean 0.2, stdev 0.1, CV 0.5: 'web'
 */
export function classifyTrace(trace: ArrayLike<number>): WorkloadClass {
  const n = trace.length;
  if (n === 0) return 'idle';
  let sum = 0;
  for (let i = 0; i < n; i++) sum += trace[i];
  const mean = sum / n;
  if (mean < IDLE_MEAN_BELOW) return 'idle';
  if (mean >= MEMORY_INTENSIVE_MEAN_FROM) return 'memory-intensive';
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (trace[i] - mean) ** 2;
  const cv = Math.sqrt(ss / n) / mean;
  return cv >= WEB_CV_FROM - 1e-12 ? 'web' : 'batch';
}

/**
 * Dirty rate (bytes/s) of a VM of `cls` at CPU utilisation `u` (clamped to [0, 1]).
 * @example dirtyRateBytesPerSec('web', 0.5) // 20 MiB/s = 20,971,520
 */
export function dirtyRateBytesPerSec(cls: WorkloadClass, u: number): number {
  const c = Math.max(0, Math.min(1, u));
  return WORKLOAD_CLASS_SPECS[cls].dirtyRateAtFullCpuBytesPerSec * c;
}
