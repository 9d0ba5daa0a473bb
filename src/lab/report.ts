/**
 * The validation report: every model variant's error against the measured migrations, per workload and
 * overall, the convergence verdicts, and the noise floor of repeated identical runs. Pure.
 */
import { repeatSpread, summarizeErrors, type ErrorSummary } from '../calibrate/errors.js';
import { configKey, hostKey, type LabConfig, type LabRecord } from './types.js';

/** The workload's name in the report: the dirtier is split by its page order. */
export function workloadName(c: LabConfig): string {
  return c.workload === 'dirtier' ? `dirtier-${c.params.pattern ?? 'seq'}` : c.workload;
}

export const METRICS = ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const;
export type Metric = (typeof METRICS)[number];

export interface VariantRow {
  variant: string;
  workload: string;
  /** Errors over the migrations that completed and that the variant predicted to converge. */
  errors: Record<Metric, ErrorSummary>;
  /** Of all migrations: how many the variant got right on converging or not. */
  convergenceRight: number;
  convergenceTotal: number;
}

export interface LabReport {
  migrations: number;
  completed: number;
  notConverged: number;
  rows: VariantRow[];
  /** Spread of repeated identical runs, per metric (the floor no predictor can beat). */
  noiseFloor: Record<Metric, ErrorSummary>;
}

function rowFor(variant: string, workload: string, records: readonly LabRecord[]): VariantRow {
  const errors = {} as Record<Metric, ErrorSummary>;
  const usable = records.filter((r) => r.measured.status === 'completed' && r.predicted[variant]?.converged);
  for (const m of METRICS) errors[m] = summarizeErrors(usable.map((r) => ({ predicted: r.predicted[variant][m], measured: r.measured[m] })));
  let right = 0;
  for (const r of records) if (r.predicted[variant] && r.predicted[variant].converged === (r.measured.status === 'completed')) right++;
  return { variant, workload, errors, convergenceRight: right, convergenceTotal: records.length };
}

/** Builds the report over records; `variants` defaults to every variant found in them. */
export function buildLabReport(records: readonly LabRecord[], variants?: readonly string[]): LabReport {
  const vs = variants ?? [...new Set(records.flatMap((r) => Object.keys(r.predicted)))];
  const workloads = [...new Set(records.map((r) => workloadName(r.config)))].sort();
  const rows: VariantRow[] = [];
  for (const v of vs) {
    rows.push(rowFor(v, 'all', records));
    for (const w of workloads) rows.push(rowFor(v, w, records.filter((r) => workloadName(r.config) === w)));
  }
  const groups = new Map<string, LabRecord[]>();
  for (const r of records) {
    if (r.measured.status !== 'completed') continue;
    // Repeats are runs of one configuration on one machine: another machine is another platform.
    const k = `${hostKey(r)}|${configKey(r.config)}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const noiseFloor = {} as Record<Metric, ErrorSummary>;
  for (const m of METRICS) noiseFloor[m] = repeatSpread([...groups.values()].map((g) => g.map((r) => r.measured[m])));
  return {
    migrations: records.length,
    completed: records.filter((r) => r.measured.status === 'completed').length,
    notConverged: records.filter((r) => r.measured.status !== 'completed').length,
    rows,
    noiseFloor,
  };
}
