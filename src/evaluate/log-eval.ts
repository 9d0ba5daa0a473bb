/**
 * Scoring models on an operator's migration log: k-fold cross-validation with folds by configuration (rows of
 * one memory / dirty rate / bandwidth / downtime limit / technique / workload stay in one fold, so no repeat of
 * a configuration is both trained and scored on), and the errors overall, per technique and per workload. The
 * analytic model learns nothing from the training folds; a learned model (`LogModel.fit`) plugs in beside it.
 * Pure.
 */
import { inputFromScalar, SCALAR_PRIOR, type ScalarPrior } from '../model/from-scalar.js';
import { simulate } from '../model/precopy.js';
import { geometricPrediction } from '../model/textbook.js';
import { loggedConfigKey, type LoggedMigration } from '../record/logged.js';
import { summarizeErrors, type ErrorSummary } from '../calibrate/errors.js';
import { hash } from './cross-validate.js';
import { learnedPredictor, type LearnOptions } from '../calibrate/learned.js';
import { applyScalarLearned, fitScalarLearned } from '../calibrate/learned-scalar.js';
import { fitScalarHistory, resolveScalar } from '../calibrate/scalar-fit.js';

/** What a model predicts of a logged migration. */
export interface LogPrediction {
  totalTimeSec: number;
  transferredBytes: number;
  downtimeSec: number;
}

/** A model scored on a log: fitted on the training folds, it predicts the held-out rows. */
export interface LogModel {
  name: string;
  fit(train: readonly LoggedMigration[]): (row: LoggedMigration) => LogPrediction;
}

/** The analytic model on scalar inputs (`inputFromScalar`) under a prior for the rate: nothing to fit. */
export function analyticModel(prior: ScalarPrior = SCALAR_PRIOR, name = 'analytic'): LogModel {
  return {
    name,
    fit: () => (row) => {
      const p = simulate(inputFromScalar(row, {}, { prior }));
      return { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
    },
  };
}

/**
 * The analytic model on scalar inputs with what a scalar cannot say fitted on the training folds
 * (src/calibrate/scalar-fit.ts): each held-out row's non-zero memory from its VM's, else its workload's, else the
 * whole training log's past migrations, and the working-set factor k. What `evaluate` scores as `analytic`.
 */
export function fittedAnalyticModel(prior: Extract<ScalarPrior, { kind: 'saturating' }> = SCALAR_PRIOR, name = 'analytic', opts: { grid?: readonly number[] } = {}): LogModel {
  return {
    name,
    fit: (train) => {
      const fit = fitScalarHistory(train, { prior, ...opts });
      return (row) => {
        const r = resolveScalar(row, fit, prior);
        const p = simulate(inputFromScalar(r.scalar, {}, { prior: r.prior }));
        return { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
      };
    },
  };
}

/** The analytic model with its non-zero memory and k fitted on the training folds (the default prior's window). */
export const ANALYTIC_MODEL: LogModel = fittedAnalyticModel();

/** The analytic model on the stated prior alone (no zero pages, k = 2): what a store with no history answers. */
export const PRIOR_MODEL: LogModel = analyticModel(SCALAR_PRIOR, 'analytic, prior only');

/** The textbook geometric model (src/model/textbook.ts), the yardstick: nothing to fit. */
export const TEXTBOOK_MODEL: LogModel = { name: 'textbook', fit: () => (row) => geometricPrediction(row) };

/**
 * Each row's fold: the configurations, ordered by a hash of their key, dealt round-robin to k folds (balanced in
 * configurations; the same file gives the same folds).
 */
export function foldsByConfiguration(rows: readonly LoggedMigration[], k: number): number[] {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`folds: must be a whole number >= 2 (got ${k})`);
  const keys = rows.map(loggedConfigKey);
  const order = [...new Set(keys)].sort((a, b) => hash(a) - hash(b) || (a < b ? -1 : a > b ? 1 : 0));
  const foldOf = new Map(order.map((key, i) => [key, i % k]));
  return keys.map((key) => foldOf.get(key) as number);
}

export interface ScoredRow {
  row: LoggedMigration;
  fold: number;
  /** By model name. */
  predicted: Record<string, LogPrediction>;
}

/** Every row predicted by every model fitted on the other folds. */
export function crossValidateLog(rows: readonly LoggedMigration[], models: readonly LogModel[], k = 5): ScoredRow[] {
  const folds = foldsByConfiguration(rows, k);
  const out: ScoredRow[] = rows.map((row, i) => ({ row, fold: folds[i], predicted: {} }));
  for (let f = 0; f < k; f++) {
    const train = rows.filter((_, i) => folds[i] !== f);
    for (const m of models) {
      const predict = m.fit(train);
      for (const s of out) if (s.fold === f) s.predicted[m.name] = predict(s.row);
    }
  }
  return out;
}

/** A group's errors: absolute percentage errors of time and bytes (fractions), downtime's in seconds. */
export interface LogErrors {
  n: number;
  time: ErrorSummary;
  bytes: ErrorSummary;
  downtime: ErrorSummary;
}

export interface LogEvaluation {
  folds: number;
  rows: number;
  configurations: number;
  /** By model name: overall, per technique, per workload (a row without one under `(none)`). */
  models: Record<string, { overall: LogErrors; byTechnique: Record<string, LogErrors>; byWorkload: Record<string, LogErrors> }>;
}

export const NO_NAME = '(none)';

function errorsOf(scored: readonly ScoredRow[], model: string): LogErrors {
  const pairs = (pick: (p: LogPrediction) => number) => scored.map((s) => ({ predicted: pick(s.predicted[model]), measured: pick(s.row) }));
  return { n: scored.length, time: summarizeErrors(pairs((p) => p.totalTimeSec)), bytes: summarizeErrors(pairs((p) => p.transferredBytes)), downtime: summarizeErrors(pairs((p) => p.downtimeSec)) };
}

function grouped(scored: readonly ScoredRow[], model: string, by: (r: LoggedMigration) => string | undefined): Record<string, LogErrors> {
  const groups = new Map<string, ScoredRow[]>();
  for (const s of scored) {
    const key = by(s.row) ?? NO_NAME;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  return Object.fromEntries([...groups.keys()].sort().map((key) => [key, errorsOf(groups.get(key) as ScoredRow[], model)]));
}

/** Cross-validates the models on the log and summarises their errors. */
export function evaluateLog(rows: readonly LoggedMigration[], models: readonly LogModel[] = [ANALYTIC_MODEL], k = 5): { evaluation: LogEvaluation; scored: ScoredRow[] } {
  const scored = crossValidateLog(rows, models, k);
  const evaluation: LogEvaluation = {
    folds: k,
    rows: rows.length,
    configurations: new Set(rows.map(loggedConfigKey)).size,
    models: Object.fromEntries(models.map((m) => [m.name, { overall: errorsOf(scored, m.name), byTechnique: grouped(scored, m.name, (r) => r.technique), byWorkload: grouped(scored, m.name, (r) => r.workload) }])),
  };
  return { evaluation, scored };
}

/**
 * The learned correction (src/calibrate/learned.ts) over the scalar analytic model: fitted on the training folds,
 * it corrects the held-out rows; where a row lies outside what it was trained on, the analytic figure stands.
 */
export function learnedModel(prior: Extract<ScalarPrior, { kind: 'saturating' }> = SCALAR_PRIOR, name = 'learned', opts: LearnOptions = {}): LogModel {
  return {
    name,
    fit: (train) => {
      const model = fitScalarLearned(train, { ...opts, prior });
      const predictor = learnedPredictor(model);
      return (row) => {
        const { base, result: r } = applyScalarLearned(predictor, row, prior);
        return r.applied ? r.figures : base;
      };
    },
  };
}
