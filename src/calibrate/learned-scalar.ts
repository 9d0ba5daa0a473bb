/**
 * The learned correction over the scalar analytic model: the base every stored migration (lab, execute, imported)
 * can be predicted by, since each reduces to a log row (memory, one dirty rate, link, downtime limit, technique).
 * `calibrate --learn` fits on it, `predict --db`, batch and the API apply it, `evaluate --learned` scores it. Pure.
 */
import { inputFromScalar, SCALAR_PRIOR, type ScalarPrior } from '../model/from-scalar.js';
import { simulate } from '../model/precopy.js';
import type { LoggedMigration } from '../record/logged.js';
import type { PredictInput } from '../model/types.js';
import { fitLearned, type Figures, type KnownBefore, type LearnOptions, type LearnRow, type LearnedModel, type LearnedPredictor } from './learned.js';

/** The scalar analytic prediction a learned correction corrects. */
export function scalarBase(known: KnownBefore, prior: ScalarPrior = SCALAR_PRIOR): Figures {
  const p = simulate(inputFromScalar(known, {}, { prior }));
  return { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
}

/** How the base is named in a stored model. */
export function scalarBaseName(prior: ScalarPrior = SCALAR_PRIOR): string {
  return prior.kind === 'linear' ? 'scalar analytic, rate constant' : `scalar analytic, rate over ${prior.rateWindowSec} s saturating at ${prior.workingSetFactor}x`;
}

/** A log row as a training row over the scalar base. */
export function learnRow(m: LoggedMigration, prior: ScalarPrior = SCALAR_PRIOR): LearnRow {
  return { known: m, base: scalarBase(m, prior), measured: { totalTimeSec: m.totalTimeSec, transferredBytes: m.transferredBytes, downtimeSec: m.downtimeSec } };
}

/** Fits a correction of the scalar analytic model on log rows. */
export function fitScalarLearned(rows: readonly LoggedMigration[], opts: LearnOptions & { prior?: ScalarPrior } = {}): LearnedModel {
  const prior = opts.prior ?? SCALAR_PRIOR;
  return fitLearned(rows.map((m) => learnRow(m, prior)), scalarBaseName(prior), opts);
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
  const k = { ...known, ...names };
  const r = predictor.apply(k, scalarBase(k));
  if (!r.applied) return { applied: false, version, reason: r.reason };
  return { applied: true, version, base: predictor.model.base, ...r.figures };
}
