/**
 * Scoring the convergence outlook (model/convergence.ts) against measured migrations: each record's default-model
 * input from its own sample (`inputFromSample`, default options), predicted by `predictWithOutlook`, then
 * - verdicts: right by the plain deterministic prediction (`simulate`, the sampled rate's run) and by the
 *   probability (converges iff p >= 0.5: the outlook's own verdict), and the Brier score of the probability;
 * - total time: median / p90 absolute % error of the deterministic point and of the outlook's p50 (its point),
 *   each on the completed runs it predicts to converge;
 * - the [p10, p90] interval of total time (the model's error in it: the prior with given constants, else fitted
 *   out of fold): its coverage on completed runs (nominal 80 %) and median width;
 * - the repeat oracle of total time, as the plain report computes it.
 * A run converged when it completed (the lab cancels a migration at its time-out); failed runs are no verdict and
 * are left out. Pure.
 */
import { summarizeErrors, median, type ErrorSummary } from '../calibrate/errors.js';
import { CONVERGENCE_VERDICT_P, type ConvergenceFields } from '../model/convergence.js';
import { predictWithOutlook } from '../model/outlook.js';
import { inputFromSample, sampleAt } from '../model/from-sample.js';
import { phasesFromSample } from '../model/phases.js';
import type { Platform, Prediction, PredictInput } from '../model/types.js';
import type { MigrationRecord } from '../record/record.js';
import { hash, outOfFoldPlatforms } from './cross-validate.js';
import { modelErrorFromHistory } from '../calibrate/interval.js';
import type { ModelError } from '../model/model-error.js';
import { simulate } from '../model/precopy.js';
import { configKey } from '../record/record.js';
import { repeatFloor, verdictOracle, workloadName } from './report.js';

/** One scored run: the measured outcome against the outlook's prediction. */
export interface OutlookCase {
  workload: string;
  /** Completed (converged before its time-out) or not. */
  converged: boolean;
  measuredTotalTimeSec: number;
  /** The outlook's: its probability and percentiles. */
  prediction: ConvergenceFields;
  /** The plain deterministic prediction's verdict and time. */
  deterministic: Pick<Prediction, 'converged' | 'totalTimeSec'>;
}

export interface OutlookRow {
  workload: string;
  runs: number;
  completed: number;
  notConverged: number;
  /** Verdicts right of `runs`: by the deterministic prediction, and by the probability (p >= 0.5). */
  deterministicRight: number;
  probabilityRight: number;
  /** Mean of (p - converged)^2 over the runs (0 perfect, 0.25 a coin at 0.5); undefined without runs. */
  brier: number | undefined;
  /** Total time, on completed runs the deterministic point predicts to converge. */
  deterministicError: ErrorSummary;
  /** Total time of the outlook's p50, on completed runs with p >= 0.5. */
  p50Error: ErrorSummary;
  /** [p10, p90] of total time on completed runs: how many, how many inside (ends included), share, median width / p50. */
  interval: { n: number; covered: number; coverage: number | undefined; medianWidth: number | undefined };
}

export interface OutlookEval {
  /** 'all' first, then one row per workload. */
  rows: OutlookRow[];
  /** Failed runs (neither completed nor cancelled at the time-out): not scored. */
  failed: number;
  /** Total time's repeat oracle over the completed runs (report.ts `repeatFloor`). */
  repeatOracle: ErrorSummary;
  /** The verdict's repeat oracle (report.ts `verdictOracle`): repeated runs, and how many the majority of their configuration's other runs gets right. */
  verdictOracle: { runs: number; right: number };
  /** Records whose sample carries a longer look (`phases`), those in which it saw a quiet phase, and the probability verdicts that change without it. */
  phases: { records: number; quiet: number; verdictsChanged: number };
}

/** One row over the cases given. Pure. */
export function scoreOutlookCases(workload: string, cases: readonly OutlookCase[]): OutlookRow {
  let deterministicRight = 0;
  let probabilityRight = 0;
  let brierSum = 0;
  const det: { predicted: number; measured: number }[] = [];
  const p50: { predicted: number; measured: number }[] = [];
  const widths: number[] = [];
  let covered = 0;
  for (const c of cases) {
    const p = c.prediction;
    const d = c.deterministic;
    if (d.converged === c.converged) deterministicRight++;
    if (p.convergenceProbability >= CONVERGENCE_VERDICT_P === c.converged) probabilityRight++;
    brierSum += (p.convergenceProbability - (c.converged ? 1 : 0)) ** 2;
    if (!c.converged) continue;
    const t = c.measuredTotalTimeSec;
    if (d.converged) det.push({ predicted: d.totalTimeSec, measured: t });
    if (p.convergenceProbability >= CONVERGENCE_VERDICT_P) p50.push({ predicted: p.timeP50Sec, measured: t });
    if (t >= p.timeP10Sec && t <= p.timeP90Sec) covered++;
    widths.push(p.timeP50Sec > 0 ? (p.timeP90Sec - p.timeP10Sec) / p.timeP50Sec : 0);
  }
  const n = widths.length;
  return {
    workload,
    runs: cases.length,
    completed: n,
    notConverged: cases.length - n,
    deterministicRight,
    probabilityRight,
    brier: cases.length > 0 ? brierSum / cases.length : undefined,
    deterministicError: summarizeErrors(det),
    p50Error: summarizeErrors(p50),
    interval: { n, covered, coverage: n > 0 ? covered / n : undefined, medianWidth: n > 0 ? median(widths) : undefined },
  };
}

/** The default model's input for one record: its sample as of the migration's start, the record's configuration. */
function inputFor(r: MigrationRecord, platform: Partial<Platform>, withoutPhases = false): PredictInput {
  const sample = sampleAt(r.sample, r.migrationStartedAt);
  return inputFromSample(withoutPhases ? { ...sample, phases: undefined } : sample, r.config, platform);
}

/** The default model's outlook for one record (`predictWithOutlook`). */
export function outlookFor(r: MigrationRecord, platform: Partial<Platform>, opts: { withoutPhases?: boolean; modelError?: ModelError } = {}): Prediction & ConvergenceFields {
  return predictWithOutlook(inputFor(r, platform, opts.withoutPhases), { modelError: opts.modelError });
}

/** The default model's plain deterministic prediction for one record (`simulate`). */
export function plainFor(r: MigrationRecord, platform: Partial<Platform>): Prediction {
  return simulate(inputFor(r, platform));
}

/**
 * The model's own error for each record, fitted out of fold: the relative errors (measured / predicted - 1) of
 * total time and bytes of the other folds' completed records that the deterministic point, with this record's
 * constants, predicts to converge (calibrate/interval.ts `modelErrorFromHistory`; the prior with fewer than 20).
 */
function outOfFoldErrors(records: readonly MigrationRecord[], k: number, platformOf: (r: MigrationRecord) => Partial<Platform>): (r: MigrationRecord) => ModelError | undefined {
  const fold = (r: MigrationRecord) => hash(configKey(r.config)) % k;
  const cache = new Map<Partial<Platform>, ModelError | undefined>();
  return (r) => {
    const platform = platformOf(r);
    if (cache.has(platform)) return cache.get(platform);
    const f = fold(r);
    const rel = { totalTimeSec: [] as number[], transferredBytes: [] as number[] };
    for (const o of records) {
      if (fold(o) === f || o.measured.status !== 'completed') continue;
      const p = plainFor(o, platform);
      if (!p.converged || !(p.totalTimeSec > 0) || !(p.transferredBytes > 0)) continue;
      rel.totalTimeSec.push(o.measured.totalTimeSec / p.totalTimeSec - 1);
      rel.transferredBytes.push(o.measured.transferredBytes / p.transferredBytes - 1);
    }
    const e = modelErrorFromHistory(rel);
    cache.set(platform, e);
    return e;
  };
}

/**
 * Scores the outlook over records. `platform`: these constants for every record, and the model's error is the
 * prior (model/model-error.ts); absent, each record's constants are fitted out of fold (`folds`, default 5) as the
 * plain report's are (cross-validate.ts `outOfFoldPlatforms`), and so is the model's error (`outOfFoldErrors`).
 */
export function evaluateOutlook(records: readonly MigrationRecord[], opts: { platform?: Partial<Platform>; folds?: number } = {}): OutlookEval {
  const given = opts.platform;
  const platformOf = given !== undefined ? () => given : outOfFoldPlatforms(records, opts.folds ?? 5);
  const errorOf = given !== undefined ? () => undefined : outOfFoldErrors(records, opts.folds ?? 5, platformOf);
  const scored = records.filter((r) => r.measured.status === 'completed' || r.measured.status === 'cancelled');
  const phases = { records: 0, quiet: 0, verdictsChanged: 0 };
  const cases: OutlookCase[] = scored.map((r) => {
    const modelError = errorOf(r);
    const prediction = outlookFor(r, platformOf(r), { modelError });
    if (r.sample.phases) phases.records++;
    if (phasesFromSample(r.sample)) {
      phases.quiet++;
      const without = outlookFor(r, platformOf(r), { withoutPhases: true, modelError });
      if (without.convergenceProbability >= CONVERGENCE_VERDICT_P !== prediction.convergenceProbability >= CONVERGENCE_VERDICT_P) phases.verdictsChanged++;
    }
    return { workload: workloadName(r.config), converged: r.measured.status === 'completed', measuredTotalTimeSec: r.measured.totalTimeSec, prediction, deterministic: plainFor(r, platformOf(r)) };
  });
  const workloads = [...new Set(cases.map((c) => c.workload))].sort();
  return {
    rows: [scoreOutlookCases('all', cases), ...workloads.map((w) => scoreOutlookCases(w, cases.filter((c) => c.workload === w)))],
    failed: records.length - scored.length,
    repeatOracle: repeatFloor(scored).repeatOracle.totalTimeSec,
    verdictOracle: verdictOracle(scored),
    phases,
  };
}
