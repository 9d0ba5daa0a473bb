/**
 * The learned correction over the scalar analytic model: the base every stored migration (lab, execute, imported)
 * can be predicted by, since each reduces to a log row (memory, one dirty rate, link, downtime limit, technique).
 * `calibrate --learn` fits on it, `predict --db`, batch and the API apply it, `evaluate --learned` scores it. Pure.
 */
import { inputFromScalar, SCALAR_PRIOR, type ScalarPrior } from '../model/from-scalar.js';
import { simulate } from '../model/precopy.js';
import type { LoggedMigration } from '../record/logged.js';
import type { PredictInput } from '../model/types.js';
import { fitLearned, type Figures, type KnownBefore, type LearnOptions, type LearnRow, type LearnedModel, type LearnedPredictor, type LearnedResult } from './learned.js';
import { fitScalarHistory, resolveScalar, type ScalarFit } from './scalar-fit.js';

/**
 * What is known before a migration with what a scalar cannot say filled in by a fit of the log (scalar-fit.ts): the
 * zero share (given, the VM's, the workload's, the log's or the stated assumption), and the prior to read the rate by.
 */
export function resolvedKnown(known: KnownBefore, prior: ScalarPrior = SCALAR_PRIOR, fit?: ScalarFit): { known: KnownBefore; prior: ScalarPrior } {
  const r = resolveScalar(known, fit, prior);
  return { known: { ...known, ...r.scalar }, prior: r.prior };
}

/** The scalar analytic prediction a learned correction corrects (under a fit of the log, when given). */
export function scalarBase(known: KnownBefore, prior: ScalarPrior = SCALAR_PRIOR, fit?: ScalarFit): Figures {
  const r = fit ? resolvedKnown(known, prior, fit) : { known, prior };
  const p = simulate(inputFromScalar(r.known, {}, { prior: r.prior }));
  return { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
}

/** How the base is named in a stored model. */
export function scalarBaseName(prior: ScalarPrior = SCALAR_PRIOR, fit?: ScalarFit): string {
  if (prior.kind === 'linear') return 'scalar analytic, rate constant';
  const k = fit && fit.n > 0 ? fit.workingSetFactor : prior.workingSetFactor;
  return `scalar analytic, rate over ${prior.rateWindowSec} s saturating at ${k}x${fit && fit.n > 0 ? `, non-zero memory and k fitted on ${fit.n} migrations` : ''}`;
}

/** A log row as a training row over the scalar base (its zero share resolved by the fit, as a new row's would be). */
export function learnRow(m: LoggedMigration, prior: ScalarPrior = SCALAR_PRIOR, fit?: ScalarFit): LearnRow {
  const r = fit ? resolvedKnown(m, prior, fit) : { known: m, prior };
  return { known: r.known, base: scalarBase(r.known, r.prior), measured: { totalTimeSec: m.totalTimeSec, transferredBytes: m.transferredBytes, downtimeSec: m.downtimeSec } };
}

/**
 * Fits a correction of the scalar analytic model on log rows: first the scalar fit (non-zero memory, k) on the same
 * rows, stored inside the model so that applying it re-predicts the same base.
 */
export function fitScalarLearned(rows: readonly LoggedMigration[], opts: LearnOptions & { prior?: ScalarPrior } = {}): LearnedModel {
  const prior = opts.prior ?? SCALAR_PRIOR;
  const fit = prior.kind === 'saturating' ? fitScalarHistory(rows, { prior }) : undefined;
  return { ...fitLearned(rows.map((m) => learnRow(m, prior, fit)), scalarBaseName(prior, fit), opts), ...(fit ? { scalarFit: fit } : {}) };
}

/**
 * A learned correction of the scalar model applied to what is known before a migration: the row read by the
 * model's own scalar fit (as it was trained), its base predicted, then corrected. `base` is the figure it corrects.
 */
export function applyScalarLearned(predictor: LearnedPredictor, known: KnownBefore, prior: ScalarPrior = SCALAR_PRIOR): { base: Figures; result: LearnedResult } {
  const fit = predictor.model.scalarFit;
  const k = fit ? resolvedKnown(known, prior, fit).known : known;
  const base = scalarBase(k, prior, fit);
  return { base, result: predictor.apply(k, base) };
}

/**
 * What a prediction's input tells a learned correction: its scalar reading (memory, dirty rate, link, downtime
 * limit, technique, zero pages), or why it cannot be corrected (another stop policy, an adaptive rate).
 */
export function knownFromInput(input: PredictInput): KnownBefore | string {
  if (input.policy.name !== 'qemu') return `policy ${input.policy.name}: the learned correction is of QEMU pre-copy only`;
  if (input.adaptiveRate) return 'an adaptive rate: the learned correction is of a fixed bandwidth only';
  if (input.vm.dirtyModel && input.vm.dirtyModel.kind !== 'constant') return `a ${input.vm.dirtyModel.kind} dirty model: the learned correction is of one scalar dirty rate`;
  return {
    memoryBytes: input.vm.memoryBytes,
    dirtyRateBytesPerSec: input.vm.dirtyRateBytesPerSec,
    bandwidthBytesPerSec: input.bandwidthBytesPerSec,
    downtimeLimitSec: input.policy.downtimeLimitSec ?? 0.3,
    technique: input.policy.autoConverge ? 'auto-converge' : 'precopy',
    ...(input.vm.zeroPageFraction !== undefined ? { zeroPageFraction: input.vm.zeroPageFraction } : {}),
  };
}

/** The answer's `learned` field: the corrected figures, or why the analytic figure stands. */
export type LearnedField =
  | { applied: true; version: number; base: string; totalTimeSec: number; transferredBytes: number; downtimeSec: number }
  | { applied: false; version?: number; reason: string };

/** A stored learned correction applied to one prediction input (the base re-predicted on its scalar reading). */
export function learnedField(predictor: LearnedPredictor | undefined, version: number | undefined, input: PredictInput, names: { workload?: string; vmId?: string } = {}, opts: { fullSample?: boolean } = {}): LearnedField {
  if (!predictor || version === undefined) return { applied: false, reason: 'no learned model in the store (run `migcost calibrate --learn`)' };
  // On the lab's records a correction learned over the full-sample model lowered its median error but raised its
  // p90 (docs/history.md): a sampled VM keeps the default model's figure.
  if (opts.fullSample) return { applied: false, version, reason: 'a full sample: the default model prices it (the learned correction is of scalar inputs)' };
  const known = knownFromInput(input);
  if (typeof known === 'string') return { applied: false, version, reason: known };
  const r = applyScalarLearned(predictor, { ...known, ...names }).result;
  if (!r.applied) return { applied: false, version, reason: r.reason };
  return { applied: true, version, base: predictor.model.base, ...r.figures };
}
