/**
 * The prediction every output answers (predict, batch, the API, advise): the convergence outlook
 * (convergence.ts: the syncs' spread; rate-spread.ts: the dirt rate's; model-error.ts: the model's own) and the
 * migration at its median outcome. The verdict is the probability's (converges when P(converged before the
 * time-out) >= 0.5); the point is the whole migration at the median: its total time the outlook's p50, its bytes,
 * downtime, rounds, throttle and energy the scenario's (rate and sync) whose time is nearest that median on the
 * verdict's side; a verdict of no convergence is the migration run to its time-out. The plain deterministic
 * prediction (`simulate`, techniques.ts `predict`) stays what it was: the sampled rate's run. Pure.
 */
import { predict as predictTechnique, checkTechnique, type TechniquePrediction } from './techniques.js';
import { DEFAULT_DIRT_DISPERSION } from './dispersion.js';
import { deterministicOutlook, overRateSpread, type Cells, type RatePart } from './rate-spread.js';
import { MODEL_ERROR_PRIOR, OUTLOOK_SYNC_NODES, errorQuadrature, mixWith, type ModelError } from './model-error.js';
import { CONVERGENCE_VERDICT_P, OUTLOOK_LEVELS, convergenceOutlook, givenUp, midLevels, predictionAt, syncAt, syncRun, type ConvergenceFields, type SyncRun } from './convergence.js';
import { CATCH_UP_PRIOR, FULL_CATCH_UP, throttleAssumption } from './throttle-assumption.js';
import type { PlainRun, Prediction, PredictInput } from './types.js';

/** The convergence-sync distribution at the midpoints of `nodes` equal-probability cells (rate-spread.ts `Cells`). */
type SyncCells = Cells;

/** One rate's deterministic run: its plain prediction and, where the outlook spread over its syncs, the run read as syncs and each cell's sync. */
interface OutlookPoint {
  prediction: Prediction;
  run?: SyncRun;
  syncs?: number[];
}

/** A deterministic outlook's cells: every node at the point (converged) or at its cost (not). */
function pointCells(point: Prediction, nodes: number): SyncCells {
  const t = point.totalTimeSec;
  return point.converged ? { probability: 1, times: [t], counts: [nodes], giveUps: 0, giveUpSec: Infinity } : { probability: 0, times: [], counts: [], giveUps: nodes, giveUpSec: t };
}

/**
 * `convergenceOutlook(input, nodes)`'s probability, syncTimes and giveUpSec, as cells, without its median and
 * percentiles (which predictWithOutlook's mix replaces): the same numbers, at a fraction of the work.
 */
function outlookCells(input: PredictInput, nodes: number): { point: OutlookPoint; cells: SyncCells } {
  const cv1 = input.vm.dirtDispersion ?? DEFAULT_DIRT_DISPERSION;
  if (input.policy.name !== 'qemu' || (!(cv1 > 0) && !input.vm.dirtPhases)) {
    const prediction = predictTechnique(input);
    return { point: { prediction }, cells: pointCells(prediction, nodes) };
  }
  const rounds: number[] = [];
  const prediction = predictTechnique(input, rounds);
  const r = syncRun(input, prediction, rounds, cv1);
  if (!r) return { point: { prediction }, cells: pointCells(prediction, nodes) };
  const { cells, syncs } = passageCells(r, nodes);
  return { point: { prediction, run: r, syncs }, cells };
}

/** Per node, the P(converged) that reaches its level (firstPassage's test, `f >= level - 1e-12`), kept for the last node count. */
let reachCache: { nodes: number; at: Float64Array } = { nodes: 0, at: new Float64Array(0) };
function reachLevels(nodes: number): Float64Array {
  if (reachCache.nodes !== nodes) reachCache = { nodes, at: Float64Array.from(midLevels(nodes), (level) => level - 1e-12) };
  return reachCache.at;
}

/**
 * `firstPassage(r.q, r.extra, midLevels(nodes))` with its syncs' times, as cells. The levels are increasing and
 * P(converged by sync k) never decreases, so the levels a sync reaches are the next ones in line: one pass over
 * the syncs, not one per level, and the same syncs as firstPassage's.
 */
function passageCells(r: SyncRun, nodes: number): { cells: SyncCells; syncs: number[] } {
  const q = r.q;
  const ks: number[] = [];
  const kn: number[] = [];
  const reachAt = reachLevels(nodes);
  let survive = 1;
  let l = 0;
  for (let k = 0; k < q.length; k++) {
    const before = 1 - survive;
    survive *= 1 - q[k];
    const f = 1 - survive;
    if (!(f > before) || l >= nodes || f < reachAt[l]) continue;
    const from = l;
    while (l < nodes && f >= reachAt[l]) l++;
    ks.push(k + 1);
    kn.push(l - from);
  }
  const last = q.length > 0 ? q[q.length - 1] : 0;
  let reached = l;
  if (r.extra > 0 && last > 0 && survive > 0) {
    const f0 = 1 - survive;
    for (; l < nodes; l++) {
      const need = 1 - ((l + 0.5) / nodes - f0) / survive;
      const m = last >= 1 ? 1 : Math.max(1, Math.ceil(Math.log(Math.max(need, 1e-300)) / Math.log1p(-last) - 1e-9));
      if (m > r.extra) continue;
      reached++;
      if (ks.length > 0 && ks[ks.length - 1] === q.length + m) kn[kn.length - 1]++;
      else ks.push(q.length + m), kn.push(1);
    }
    survive = last >= 1 ? 0 : survive * Math.exp(r.extra * Math.log1p(-last));
  }
  // equal times are one cell, as mixOutlook counts them
  const times: number[] = [];
  const counts: number[] = [];
  const syncs: number[] = [];
  for (let j = 0; j < ks.length; j++) {
    const t = syncAt(r, ks[j]).totalSec;
    let i = 0;
    while (i < times.length && !(times[i] === t || (t !== t && times[i] !== times[i]))) i++;
    if (i < times.length) counts[i] += kn[j];
    else times.push(t), counts.push(kn[j]), syncs.push(ks[j]);
  }
  return { cells: { probability: Math.min(1, Math.max(0, 1 - survive)), times, counts, giveUps: nodes - reached, giveUpSec: r.giveUpSec }, syncs };
}


/** The plain run's key figures, copied (the median may be that very object, changed after). */
const plainOf = (p: Prediction): PlainRun => ({ totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec, converged: p.converged });

/**
 * The migration at the median: `out` (a whole prediction on the verdict's side) given the median's total time,
 * the difference taken up by its pre-copy (the other parts are the scenario's). Mutates and returns `out`.
 */
function atTime<P extends Prediction>(out: P, totalSec: number): P {
  if (out.totalTimeSec !== totalSec) {
    out.precopySec = Math.max(0, out.precopySec + totalSec - out.totalTimeSec);
    out.totalTimeSec = totalSec;
  }
  return out;
}

/** A prediction that does not converge: itself, or the migration run to its time-out (`giveUpSec`) from it. */
function notConverged<P extends Prediction>(p: P, giveUpSec: number): P {
  if (!p.converged) return p;
  return Object.assign(p, { converged: false, reason: 'timeout' as const, precopySec: Math.max(0, giveUpSec - p.setupSec - p.stopCopySec - p.resumeSec), totalTimeSec: giveUpSec });
}

/**
 * The whole migration at the outlook's median (see the module's comment): p >= 0.5, the converged scenario of
 * the three rates' cells whose time is nearest `p50` (the sampled rate's on a tie); else the sampled rate's run
 * to its time-out.
 */
function medianOf(input: PredictInput, parts: readonly RatePart<OutlookPoint>[], probability: number, p50: number): Prediction {
  const mid = parts[0].point;
  if (probability < CONVERGENCE_VERDICT_P) return atTime(mid.run && mid.prediction.converged ? givenUp(input, mid.run) : notConverged(mid.prediction, p50), p50);
  let best: OutlookPoint | undefined;
  let at = -1;
  let dist = Infinity;
  for (const part of parts) {
    const times = part.cells.times;
    for (let j = 0; j < times.length; j++) {
      const d = Math.abs(times[j] - p50);
      if (d < dist) (dist = d), (best = part.point), (at = j);
    }
  }
  if (!best) return atTime(mid.prediction, p50);
  const p = best.run && best.syncs ? predictionAt(input, best.prediction, syncAt(best.run, best.syncs[at])) : best.prediction;
  return atTime(p, p50);
}

/** A deterministic technique's migration at its outlook's median: the rate's prediction on the verdict's side nearest `p50`. */
function medianOfPoints<P extends Prediction>(points: readonly P[], probability: number, p50: number): P {
  const converges = probability >= CONVERGENCE_VERDICT_P;
  let best = points[0];
  let dist = Infinity;
  for (const p of points) {
    const d = Math.abs(p.totalTimeSec - p50);
    if (p.converged === converges && d < dist) (dist = d), (best = p);
  }
  return atTime(converges ? best : notConverged(best, p50), p50);
}

/**
 * The prediction with convergence as a probability: the migration at the outlook's median (the module's
 * comment), its verdict the probability's, with `convergenceProbability` and the total time's 10th/50th/90th
 * percentiles beside it: the syncs' and the dirt rate's spread combined with the model's own error
 * (`opts.modelError`, default the lab-fitted prior MODEL_ERROR_PRIOR; model-error.ts), p taking in the converging
 * outcomes the error carries past the time-out. With NO_MODEL_ERROR, the syncs' spread alone
 * (`convergenceOutlook`). Until stop 28 the point was the deterministic run's (docs/model.md: why it moved).
 */
export function predictWithOutlook(input: PredictInput, opts: { modelError?: ModelError } = {}): Prediction & ConvergenceFields {
  const modelError = opts.modelError ?? MODEL_ERROR_PRIOR;
  const t = input.technique;
  if (t !== undefined && t.name === 'postcopy') {
    // Post-copy always switches over: its outlook is the deterministic one over the rate spread and the error.
    const o = deterministicOutlook(predictTechnique, input, errorQuadrature(modelError), OUTLOOK_LEVELS);
    const plain = plainOf(o.point);
    const p = medianOfPoints(o.points, o.probability, o.quantiles[1]) as TechniquePrediction & ConvergenceFields;
    p.plain = plain;
    p.convergenceProbability = o.probability;
    [p.timeP10Sec, p.timeP50Sec, p.timeP90Sec] = o.quantiles;
    return p;
  }
  if (t !== undefined && (t.name === 'precopy' || t.name === 'auto-converge')) {
    checkTechnique(t, input);
    const plain = predictWithOutlook({ ...input, technique: undefined, policy: { ...input.policy, autoConverge: t.name === 'auto-converge' } }, opts);
    (plain as TechniquePrediction).technique = t.name;
    return plain;
  }
  // Plain pre-copy, and every technique that converges by its switch-over test (XBZRLE, multifd, dirty-limit): a
  // first passage over the rounds' syncs (convergence.ts), with the technique's own rates and threshold.
  if (t !== undefined) checkTechnique(t, input);
  const qd = errorQuadrature(modelError);
  if (!qd) {
    // no model error: the syncs' spread alone, its median outcome (this call's own object)
    const o = convergenceOutlook(input, undefined, predictTechnique);
    const out = (t ? withTechniqueFields(o.point, o.median) : o.median) as Prediction & ConvergenceFields;
    out.plain = plainOf(o.point);
    out.convergenceProbability = o.convergenceProbability;
    out.timeP10Sec = o.timeP10Sec;
    out.timeP50Sec = o.timeP50Sec;
    out.timeP90Sec = o.timeP90Sec;
    return t ? out : withAssumption(input, out, opts);
  }
  // the convergence sync's spread combined with the model's own error (model-error.ts)
  const { cells, parts } = overRateSpread(input, (i) => outlookCells(i, OUTLOOK_SYNC_NODES));
  const mix = mixWith(qd, cells.times, cells.counts, cells.giveUps, cells.giveUpSec, OUTLOOK_LEVELS);
  // an error that carries a converging migration past the time-out's cost is one that does not converge
  const probability = cells.probability * mix.stillConverged;
  const plain = plainOf(parts[0].point.prediction);
  const median = medianOf(input, parts, probability, mix.quantiles[1]);
  const out = (t ? withTechniqueFields(parts[0].point.prediction, median) : median) as Prediction & ConvergenceFields;
  out.plain = plain;
  out.convergenceProbability = probability;
  [out.timeP10Sec, out.timeP50Sec, out.timeP90Sec] = mix.quantiles;
  return t ? out : withAssumption(input, out, opts);
}

/**
 * A technique's migration at the median: the median's figures over the sampled rate's prediction, which keeps the
 * technique's own fields (ratios, cache hits, the limit) as its deterministic run has them.
 */
function withTechniqueFields(point: Prediction, median: Prediction): Prediction {
  return median === point ? median : Object.assign({}, point, median);
}

/**
 * An auto-converge outlook whose verdict hangs on how the guest answers the throttle (throttle-assumption.ts): the
 * probability weighs the vCPU-load reading and a full catch-up by CATCH_UP_PRIOR; the migration, its percentiles
 * and its plain prediction are those of the reading on the verdict's side. Otherwise `out` as it is.
 */
function withAssumption(input: PredictInput, out: Prediction & ConvergenceFields, opts: { modelError?: ModelError }): Prediction & ConvergenceFields {
  const assumption = throttleAssumption(input, out);
  if (!assumption) return out;
  const caught = predictWithOutlook({ ...input, vm: { ...input.vm, throttleResponse: FULL_CATCH_UP } }, opts);
  const probability = (1 - CATCH_UP_PRIOR) * out.convergenceProbability + CATCH_UP_PRIOR * caught.convergenceProbability;
  const side = probability >= CONVERGENCE_VERDICT_P ? out : caught;
  side.convergenceProbability = probability;
  side.assumption = assumption;
  return side;
}
