/**
 * The validation report: every model variant's error against the measured migrations, per workload and
 * overall, the convergence verdicts, and the noise floor of repeated identical runs. Pure.
 */
import { repeatOracle, repeatSpread, summarizeErrors, type ErrorSummary } from '../calibrate/errors.js';
import { configKey, hostKey, type MigrationConfig, type MigrationRecord } from '../record/record.js';

/** The workload's name in the report: the dirtier is split by its page order, and its held-out modes apart. */
export function workloadName(c: MigrationConfig): string {
  if (c.workload !== 'dirtier') return c.workload;
  const mode = c.params.phases !== undefined ? '-phases' : c.params.pace === 'clock' ? '-clock' : '';
  return `dirtier-${c.params.pattern ?? 'seq'}${mode}`;
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
  /** Each repeated run predicted by the median of its configuration's other runs on that machine (held out). */
  repeatOracle: Record<Metric, ErrorSummary>;
  /** Where the error lies: one variant's errors on configurations whose repeats agree and on those whose do not. */
  repeatability?: Repeatability;
}

/**
 * A hindsight diagnostic, not a prediction: configurations are split by how their own repeats on one machine
 * went. Erratic: its runs did not all end the same way (completed / not), or its completed runs' total times
 * spread by more than `spreadLimit` ((max - min) / min). No point prediction can be near all runs of an erratic
 * configuration; the errors on the others say how well the model does where the outcome is decided by the
 * sample. Configurations run once count as repeatable (nothing says otherwise).
 */
export interface Repeatability {
  variant: string;
  spreadLimit: number;
  repeatable: { configurations: number; migrations: number; errors: Record<Metric, ErrorSummary> };
  erratic: { configurations: number; migrations: number; errors: Record<Metric, ErrorSummary>; keys: string[] };
}

/** Total-time spread above which a configuration's repeats are called erratic. */
export const ERRATIC_SPREAD = 0.2;

/** Repeats are runs of one configuration on one machine (another machine is another platform), keyed host|config. */
function repeatGroups(records: readonly MigrationRecord[]): Map<string, MigrationRecord[]> {
  const groups = new Map<string, MigrationRecord[]>();
  for (const r of records) {
    const k = `${hostKey(r)}|${configKey(r.config)}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return groups;
}

/** One variant's errors over the migrations that completed and that it predicted to converge. */
function errorsFor(variant: string, records: readonly MigrationRecord[]): Record<Metric, ErrorSummary> {
  const usable = records.filter((r) => r.measured.status === 'completed' && r.predicted[variant]?.converged);
  const errors = {} as Record<Metric, ErrorSummary>;
  for (const m of METRICS) errors[m] = summarizeErrors(usable.map((r) => ({ predicted: r.predicted[variant][m], measured: r.measured[m] })));
  return errors;
}

export function repeatability(records: readonly MigrationRecord[], variant: string, spreadLimit = ERRATIC_SPREAD): Repeatability {
  const groups = repeatGroups(records);
  const side = () => ({ configurations: 0, migrations: 0, records: [] as MigrationRecord[], keys: [] as string[] });
  const calm = side();
  const wild = side();
  for (const [k, g] of groups) {
    const done = g.filter((r) => r.measured.status === 'completed');
    const t = done.map((r) => r.measured.totalTimeSec);
    const spread = t.length >= 2 ? (Math.max(...t) - Math.min(...t)) / Math.min(...t) : 0;
    const erratic = (done.length > 0 && done.length < g.length) || spread > spreadLimit;
    const s = erratic ? wild : calm;
    s.configurations++;
    s.migrations += g.length;
    for (const r of g) s.records.push(r);
    s.keys.push(k);
  }
  return {
    variant,
    spreadLimit,
    repeatable: { configurations: calm.configurations, migrations: calm.migrations, errors: errorsFor(variant, calm.records) },
    erratic: { configurations: wild.configurations, migrations: wild.migrations, errors: errorsFor(variant, wild.records), keys: wild.keys.sort() },
  };
}

function rowFor(variant: string, workload: string, records: readonly MigrationRecord[]): VariantRow {
  const errors = errorsFor(variant, records);
  let right = 0;
  for (const r of records) if (r.predicted[variant] && r.predicted[variant].converged === (r.measured.status === 'completed')) right++;
  return { variant, workload, errors, convergenceRight: right, convergenceTotal: records.length };
}

/**
 * What repeats of identical configurations say, per metric, over the completed records: their spread (the noise
 * floor) and the repeat oracle (each run predicted by the median of its configuration's other runs on that machine).
 */
export function repeatFloor(records: readonly MigrationRecord[]): { noiseFloor: Record<Metric, ErrorSummary>; repeatOracle: Record<Metric, ErrorSummary> } {
  const groups = repeatGroups(records.filter((r) => r.measured.status === 'completed'));
  const noiseFloor = {} as Record<Metric, ErrorSummary>;
  const oracle = {} as Record<Metric, ErrorSummary>;
  for (const m of METRICS) {
    const values = [...groups.values()].map((g) => g.map((r) => r.measured[m]));
    noiseFloor[m] = repeatSpread(values);
    oracle[m] = repeatOracle(values);
  }
  return { noiseFloor, repeatOracle: oracle };
}

/**
 * The convergence verdict's repeat oracle: each run of a configuration run more than once on one machine, its
 * verdict (completed before the time-out, or not) predicted by the majority of that configuration's other runs
 * there — a tie counts half right. What knowing how every other identical migration ended would score: where a
 * configuration ends differently from run to run, no verdict from the configuration can be right every time.
 * Runs neither completed nor cancelled are left out. Pure.
 * @example verdictOracle([a1 completed, a2 completed, a3 cancelled]) // { runs: 3, right: 1 } (a3's others say completed: wrong; a1's and a2's others tie: half each)
 */
export function verdictOracle(records: readonly MigrationRecord[]): { runs: number; right: number } {
  const groups = repeatGroups(records.filter((r) => r.measured.status === 'completed' || r.measured.status === 'cancelled'));
  let runs = 0;
  let right = 0;
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const done = g.filter((r) => r.measured.status === 'completed').length;
    for (const r of g) {
      const mine = r.measured.status === 'completed';
      const yes = done - (mine ? 1 : 0);
      const no = g.length - 1 - yes;
      runs++;
      right += yes === no ? 0.5 : yes > no === mine ? 1 : 0;
    }
  }
  return { runs, right };
}

/** Builds the report over records; `variants` defaults to every variant found in them. */
export function buildLabReport(records: readonly MigrationRecord[], variants?: readonly string[]): LabReport {
  const vs = variants ?? [...new Set(records.flatMap((r) => Object.keys(r.predicted)))];
  const workloads = [...new Set(records.map((r) => workloadName(r.config)))].sort();
  const rows: VariantRow[] = [];
  for (const v of vs) {
    rows.push(rowFor(v, 'all', records));
    for (const w of workloads) rows.push(rowFor(v, w, records.filter((r) => workloadName(r.config) === w)));
  }
  const { noiseFloor, repeatOracle: oracle } = repeatFloor(records);
  const main = vs.includes('deng-bitmap') ? 'deng-bitmap' : vs[0];
  return {
    migrations: records.length,
    completed: records.filter((r) => r.measured.status === 'completed').length,
    notConverged: records.filter((r) => r.measured.status !== 'completed').length,
    rows,
    noiseFloor,
    repeatOracle: oracle,
    ...(main !== undefined ? { repeatability: repeatability(records, main) } : {}),
  };
}
