/**
 * Every technique held against its measured migrations (issue 19's figures): per technique, the model's total-time
 * and bytes errors (median, p90), the downtime's median absolute error, the post-copy phase's median error, and
 * the repeat oracle of the same technique (each run predicted by the median of its configuration's other repeats
 * on the same machine), with the targets each figure is held to. Pure.
 */
import { CONVERGENCE_VERDICT_P } from '../model/convergence.js';
import { median, repeatOracle, summarizeErrors, type ErrorSummary } from '../calibrate/errors.js';
import { configKey, hostKey, type MigrationConfig, type MigrationRecord } from '../record/record.js';
import { ADVISE_TECHNIQUES } from '../plan/advise.js';
import type { TechniquePrediction } from '../model/techniques.js';
import { METRICS, type Metric } from './report.js';

/**
 * The technique a record ran with, by advise's labels: precopy, auto-converge, postcopy, xbzrle, multifd,
 * multifd+zstd, multifd+zlib (`compress` is multifd with zlib), dirty-limit. A record from before techniques
 * is precopy or auto-converge as its config says.
 * @example techniqueLabel({ ...config, technique: { name: 'multifd', multifdCompression: 'zstd' } }) // 'multifd+zstd'
 */
export function techniqueLabel(c: Pick<MigrationConfig, 'technique' | 'autoConverge'>): string {
  const t = c.technique;
  if (!t) return c.autoConverge ? 'auto-converge' : 'precopy';
  if (t.name === 'compress') return 'multifd+zlib';
  if (t.name === 'multifd') return t.multifdCompression && t.multifdCompression !== 'none' ? `multifd+${t.multifdCompression}` : 'multifd';
  return t.name;
}

/** advise's order of the techniques, then any other label in alphabetical order. */
export function byAdviseOrder(labels: Iterable<string>): string[] {
  const order = ADVISE_TECHNIQUES.map((t) => t.label);
  const rank = (l: string) => (order.includes(l) ? order.indexOf(l) : order.length);
  return [...new Set(labels)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The figures issue 19 holds every technique to on a held-out pass. */
export const TECHNIQUE_TARGETS = {
  /** Total time and bytes: median error at most 5 % ... */
  medianError: 0.05,
  /** ... and p90 within 3 points of the repeat oracle's p90. */
  p90OverOracle: 0.03,
  /** Downtime: median absolute error at most 30 ms. */
  downtimeMedianAbsSec: 0.03,
  /** Post-copy: the phase's length, median error at most 15 %. */
  postcopyPhaseMedianError: 0.15,
} as const;

/** Each target met (true), missed (false), or not judged (undefined: no runs, or no repeats for the oracle). */
export interface TechniqueVerdicts {
  timeMedian?: boolean;
  timeP90?: boolean;
  bytesMedian?: boolean;
  bytesP90?: boolean;
  downtime?: boolean;
  postcopyPhase?: boolean;
}

export interface TechniqueRow {
  technique: string;
  migrations: number;
  completed: number;
  /** Of all its migrations: how many the model got right on converging or not (its deterministic run). */
  convergenceRight: number;
  /** The same by the outlook's probability (converges when p >= 0.5), where the report was given it. */
  probabilityRight?: number;
  /** Over the completed migrations the model said would converge. */
  errors: Record<Metric, ErrorSummary>;
  /** The repeat oracle over this technique's completed repeats (repeats: host and configuration alike). */
  oracle: Record<Metric, ErrorSummary>;
  /** post-copy only: the phase after the switch, predicted against measured (`postcopyPhaseSec`), and its oracle. */
  postcopyPhase?: ErrorSummary;
  postcopyPhaseOracle?: ErrorSummary;
  /**
   * post-copy: completed runs whose reported downtime is their whole post-copy phase — QEMU's 0 ms sentinel
   * (migration.c `migration_downtime_end`: a switch that rounds to 0 ms is overwritten at completion with STOP ->
   * completed; docs/techniques.md). Their downtime is not the switch's; counted, not corrected.
   */
  downtimeIsPhase?: number;
  /**
   * post-copy: the guest's stall, predicted (`postcopyBlockedSec`) against the destination's measured
   * `postcopy-blocktime`, over the completed runs that read it: how many, the median absolute error and both medians (s).
   */
  postcopyStall?: { n: number; medianAbsSec: number; measuredMedianSec: number; predictedMedianSec: number };
  verdicts: TechniqueVerdicts;
}

/** A post-copy run whose reported downtime is its phase (QEMU's 0 ms sentinel), within 5 ms. */
export function downtimeIsPhase(m: MigrationRecord['measured']): boolean {
  const phase = m.postcopyPhaseSec;
  return m.status === 'completed' && phase !== undefined && phase > 0 && m.downtimeSec >= phase - 0.005;
}

const judged = (s: ErrorSummary | undefined, ok: (s: ErrorSummary) => boolean): boolean | undefined => (s && s.n > 0 ? ok(s) : undefined);

function verdictsOf(row: Omit<TechniqueRow, 'verdicts'>): TechniqueVerdicts {
  const T = TECHNIQUE_TARGETS;
  const p90 = (m: Metric) => (row.errors[m].n > 0 && row.oracle[m].n > 0 ? row.errors[m].p90 <= row.oracle[m].p90 + T.p90OverOracle : undefined);
  return {
    timeMedian: judged(row.errors.totalTimeSec, (s) => s.median <= T.medianError),
    timeP90: p90('totalTimeSec'),
    bytesMedian: judged(row.errors.transferredBytes, (s) => s.median <= T.medianError),
    bytesP90: p90('transferredBytes'),
    downtime: judged(row.errors.downtimeSec, (s) => s.medianAbs <= T.downtimeMedianAbsSec),
    postcopyPhase: judged(row.postcopyPhase, (s) => s.median <= T.postcopyPhaseMedianError),
  };
}

/** The repeat groups of some records: completed runs of one configuration on one machine, in first-seen order. */
function repeatValues(records: readonly MigrationRecord[], value: (r: MigrationRecord) => number | undefined): number[][] {
  const groups = new Map<string, number[]>();
  for (const r of records) {
    if (r.measured.status !== 'completed') continue;
    const v = value(r);
    if (v === undefined) continue;
    const k = `${hostKey(r)}|${configKey(r.config)}`;
    groups.set(k, [...(groups.get(k) ?? []), v]);
  }
  return [...groups.values()];
}

/** One technique's row over its records, as `variant` predicted them. */
export function techniqueRow(technique: string, records: readonly MigrationRecord[], variant = 'deng-bitmap', probability?: (r: MigrationRecord) => number): TechniqueRow {
  const predicted = (r: MigrationRecord) => r.predicted[variant] as TechniquePrediction | undefined;
  const usable = records.filter((r) => r.measured.status === 'completed' && predicted(r)?.converged);
  const errors = {} as Record<Metric, ErrorSummary>;
  const oracle = {} as Record<Metric, ErrorSummary>;
  for (const m of METRICS) {
    errors[m] = summarizeErrors(usable.map((r) => ({ predicted: predicted(r)![m], measured: r.measured[m] })));
    oracle[m] = repeatOracle(repeatValues(records, (r) => r.measured[m]));
  }
  let right = 0;
  for (const r of records) if (predicted(r) && predicted(r)!.converged === (r.measured.status === 'completed')) right++;
  const row: Omit<TechniqueRow, 'verdicts'> = {
    technique,
    migrations: records.length,
    completed: records.filter((r) => r.measured.status === 'completed').length,
    convergenceRight: right,
    ...(probability ? { probabilityRight: records.filter((r) => probability(r) >= CONVERGENCE_VERDICT_P === (r.measured.status === 'completed')).length } : {}),
    errors,
    oracle,
  };
  const phased = usable.filter((r) => predicted(r)!.postcopyPhaseSec !== undefined && r.measured.postcopyPhaseSec !== undefined);
  if (technique === 'postcopy' || phased.length > 0) {
    row.postcopyPhase = summarizeErrors(phased.map((r) => ({ predicted: predicted(r)!.postcopyPhaseSec!, measured: r.measured.postcopyPhaseSec! })));
    row.postcopyPhaseOracle = repeatOracle(repeatValues(records, (r) => r.measured.postcopyPhaseSec));
    row.downtimeIsPhase = records.filter((r) => downtimeIsPhase(r.measured)).length;
    const stalled = usable.filter((r) => r.measured.postcopyBlocktimeSec !== undefined && predicted(r)!.postcopyBlockedSec !== undefined);
    if (stalled.length > 0) {
      const m = stalled.map((r) => r.measured.postcopyBlocktimeSec!);
      const p = stalled.map((r) => predicted(r)!.postcopyBlockedSec!);
      row.postcopyStall = { n: stalled.length, medianAbsSec: median(m.map((x, i) => Math.abs(p[i] - x))), measuredMedianSec: median(m), predictedMedianSec: median(p) };
    }
  }
  return { ...row, verdicts: verdictsOf(row) };
}

/** One row per technique found in the records, in advise's order. */
export function techniqueReport(records: readonly MigrationRecord[], variant = 'deng-bitmap', probability?: (r: MigrationRecord) => number): TechniqueRow[] {
  const by = new Map<string, MigrationRecord[]>();
  for (const r of records) {
    const l = techniqueLabel(r.config);
    by.set(l, [...(by.get(l) ?? []), r]);
  }
  return byAdviseOrder(by.keys()).map((l) => techniqueRow(l, by.get(l)!, variant, probability));
}

