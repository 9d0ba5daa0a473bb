/**
 * Convergence as a probability (qemu policy). The deterministic model gives each dirty-bitmap sync one pending
 * estimate and converges at the first one under the switch-over threshold (bandwidth x downtime limit). Here the
 * pending estimate at each sync is a random variable: normal, with the deterministic value as its mean and, as its
 * standard deviation, the round's dirt times the dirt's coefficient of variation at the round's length
 * (`vm.dirtDispersion / sqrt(t)`, capped at 1). Syncs are independent (their rounds' dirt is written in disjoint
 * intervals), so the migration converges first at sync k with probability S(k-1) x q(k), where q(k) = P(pending(k)
 * <= threshold) and the survival S(k) = prod_{j<=k} (1 - q(j)): a first-passage problem, computed exactly over the
 * deterministic run's syncs. Past the deterministic run's last sync (its convergence, or the steady state a run
 * that never converges settles in) the syncs are taken as copies of the last one, up to the time-out. The time to converge
 * at sync k is the deterministic run's time up to that sync plus its stop-and-copy and resume; a migration not
 * converged by the time-out costs what the time-out costs. Pure; the plain prediction (`simulate`) does not compute it.
 */
import { predict as predictTechnique, checkTechnique, type TechniquePrediction } from './techniques.js';
import { simulate, simulateWithSyncs, POLICY_DEFAULTS, SYNC_FIELDS } from './precopy.js';
import { DEFAULT_DIRT_DISPERSION } from './dispersion.js';
import { LIU_WIRED_ENERGY, wiredEnergyJoules } from './energy.js';
import type { Prediction, PredictInput } from './types.js';

/** The verdict: converges when the probability of converging before the time-out is at least this. */
export const CONVERGENCE_VERDICT_P = 0.5;
/** The per-sync standard deviation is at most this share of the round's dirt (a normal with a larger CV is no model). */
const MAX_ROUND_CV = 1;

export interface ConvergenceOutlook {
  /** P(the migration converges before the time-out), in [0, 1]. */
  convergenceProbability: number;
  /** Percentiles of the total migration time (a migration not converged costs the time-out's total time). */
  timeP10Sec: number;
  timeP50Sec: number;
  timeP90Sec: number;
  /** The migration at the median outcome: converged (at the median sync) when p >= 0.5, else the time-out's. */
  median: Prediction;
}

/** The convergence fields every output carries beside a prediction. */
export type ConvergenceFields = Omit<ConvergenceOutlook, 'median'>;

/** Standard normal CDF, |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26), exactly 0.5 at 0 and 0/1 in the far tails. */
export function normalCdf(z: number): number {
  if (z === 0) return 0.5;
  if (z > 9) return 1;
  if (z < -9) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z > 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** One sync: the migration's state if it switched over there. */
interface Sync {
  totalSec: number;
  precopySec: number;
  sentBytes: number;
  stopBytes: number;
  stopSec: number;
  rounds: number;
  throttle: number;
}

function fromPoint(point: Prediction): ConvergenceOutlook & { point: Prediction } {
  const t = point.totalTimeSec;
  return { convergenceProbability: point.converged ? 1 : 0, timeP10Sec: t, timeP50Sec: t, timeP90Sec: t, median: point, point };
}

/**
 * The probability of converging before the time-out, the 10th/50th/90th percentiles of the total time, and the
 * migration at the median outcome. Deterministic (p = 0 or 1, every percentile the point's time) for the xen and
 * liu policies and for `vm.dirtDispersion: 0`. `point` is the plain prediction, `simulate(input)`, from the same run.
 * @example convergenceOutlook({ vm: { memoryBytes: 2 ** 30, dirtyRateBytesPerSec: 2 ** 20 }, bandwidthBytesPerSec: 2 ** 27,
 *   policy: { name: 'qemu' } }).convergenceProbability // 1: far under the threshold
 */
export function convergenceOutlook(input: PredictInput): ConvergenceOutlook & { point: Prediction } {
  const cv1 = input.vm.dirtDispersion ?? DEFAULT_DIRT_DISPERSION;
  if (input.policy.name !== 'qemu' || !(cv1 > 0)) return fromPoint(simulate(input));
  const run = simulateWithSyncs(input);
  return outlookOf(input, run.prediction, run.syncs, cv1);
}

/** The outlook from the deterministic run and its rounds (SYNC_FIELDS numbers each: see precopy.ts). */
function outlookOf(input: PredictInput, point: Prediction, flat: readonly number[], cv1: number): ConvergenceOutlook & { point: Prediction } {
  const timeout = input.policy.timeoutSec ?? POLICY_DEFAULTS.qemu.timeoutSec;
  const limit = input.policy.downtimeLimitSec ?? POLICY_DEFAULTS.qemu.downtimeLimitSec;
  // A run given up at its time-out: its last round ends at the clock, not at a sync.
  const n = Math.floor(flat.length / SYNC_FIELDS) - (point.converged ? 0 : 1);
  if (n <= 0) return fromPoint(point);
  const zeroPerDirty = input.vm.dirtyZeroShare ? input.vm.dirtyZeroShare / (1 - input.vm.dirtyZeroShare) : 0;
  const q = new Array<number>(n);
  let precopy = 0;
  for (let k = 0; k < n; k++) {
    const i = k * SYNC_FIELDS;
    precopy += flat[i];
    // the switch-over check after round k uses the bandwidth of round k + 1
    const rate = flat[(k + 1 < n ? i + SYNC_FIELDS : i) + 2];
    q[k] = syncProbability(flat[i], flat[i + 3], flat[i + 5], rate * limit, cv1, zeroPerDirty);
  }
  const lastAt = (n - 1) * SYNC_FIELDS;
  const lastSec = flat[lastAt];
  const lastPrecopy = point.converged ? point.precopySec : precopy;
  // First passage over the syncs, then over copies of the last one up to the time-out.
  const extra = lastSec > 0 ? Math.max(0, Math.floor((timeout - lastPrecopy) / lastSec + 1e-9)) : 0;
  const fp = firstPassage(q, extra);
  const p = fp.probability;
  const stopRate = point.stopCopyBytes > 0 && point.stopCopySec > 0 ? point.stopCopyBytes / point.stopCopySec : 0;
  /** The migration switching over at sync `at` (1-based; past n, the m-th copy of the last). */
  const syncAt = (at: number): Sync => {
    const k = Math.min(at, n);
    const m = at - k;
    let pre = 0;
    let sent = 0;
    let throttle = 0;
    for (let j = 0; j < k; j++) {
      const i = j * SYNC_FIELDS;
      pre += flat[i];
      sent += flat[i + 1];
      if (flat[i + 6] > throttle) throttle = flat[i + 6];
    }
    const i = (k - 1) * SYNC_FIELDS;
    const last = point.converged && k === n;
    if (last) pre = point.precopySec;
    const stopBytes = last ? point.stopCopyBytes : flat[i + 4];
    const stopSec = last ? point.stopCopySec : stopBytes / (stopRate > 0 ? stopRate : flat[i + 2]);
    pre += m * flat[i];
    return { precopySec: pre, sentBytes: sent + m * flat[i + 1], stopBytes, stopSec, rounds: at, throttle, totalSec: point.setupSec + pre + stopSec + point.resumeSec };
  };
  // A migration not converged by the time-out costs what the time-out costs.
  const giveUpSec = point.converged ? point.setupSec + timeout + point.stopCopySec + point.resumeSec : point.totalTimeSec;
  const found = fp.at.map((at) => (at === undefined ? undefined : syncAt(at)));
  const time = (s: Sync | undefined) => (s ? s.totalSec : giveUpSec);
  const at = found[1];
  const median = at && p >= CONVERGENCE_VERDICT_P ? medianPrediction(input, point, at) : point;
  return { convergenceProbability: p, timeP10Sec: time(found[0]), timeP50Sec: time(found[1]), timeP90Sec: time(found[2]), median, point };
}

/**
 * First passage over independent syncs: sync k (1-based) converges with probability q[k-1], and `copies` more
 * syncs follow with the last one's probability. Returns P(converged by the last sync) and, per level (default the
 * 10th, 50th and 90th percentiles), the first sync by which P(converged) reaches it (undefined: not before the
 * time-out). Pure.
 * @example firstPassage([0.5], 9) // probability 1 - 0.5^10; at [1, 1, 4]: P(by sync k) = 1 - 0.5^k
 */
export function firstPassage(q: readonly number[], copies = 0, levels: readonly number[] = [0.1, 0.5, 0.9]): { probability: number; at: (number | undefined)[] } {
  const at: (number | undefined)[] = levels.map(() => undefined);
  let survive = 1;
  for (let k = 0; k < q.length; k++) {
    const before = 1 - survive;
    survive *= 1 - q[k];
    const f = 1 - survive;
    for (let l = 0; l < levels.length; l++) if (at[l] === undefined && f > before && f >= levels[l] - 1e-12) at[l] = k + 1;
  }
  const last = q.length > 0 ? q[q.length - 1] : 0;
  if (copies > 0 && last > 0 && survive > 0) {
    const f0 = 1 - survive;
    for (let l = 0; l < levels.length; l++) {
      if (at[l] !== undefined) continue;
      // the smallest m with f0 + survive (1 - (1 - last)^m) >= level
      const need = 1 - (levels[l] - f0) / survive;
      const m = last >= 1 ? 1 : Math.max(1, Math.ceil(Math.log(Math.max(need, 1e-300)) / Math.log1p(-last) - 1e-9));
      if (m <= copies) at[l] = q.length + m;
    }
    survive = last >= 1 ? 0 : survive * Math.exp(copies * Math.log1p(-last));
  }
  return { probability: Math.min(1, Math.max(0, 1 - survive)), at };
}

/**
 * P(the pending estimate after a round of `sec` s that dirtied `dirtied` bytes is at most the threshold): normal
 * about the deterministic estimate, with sd = min(1, cv1 / sqrt(sec)) x the round's dirt (its zero pages included,
 * at most the estimate).
 */
function syncProbability(sec: number, dirtied: number, est: number, threshold: number, cv1: number, zeroPerDirty: number): number {
  const cv = sec > 0 ? Math.min(MAX_ROUND_CV, cv1 / Math.sqrt(sec)) : MAX_ROUND_CV;
  const sd = cv * Math.min(est, dirtied * (1 + zeroPerDirty));
  if (!(sd > 0)) return est <= threshold ? 1 : 0;
  return normalCdf((threshold - est) / sd);
}

/** The prediction of a migration that switches over at sync `s`. */
function medianPrediction(input: PredictInput, point: Prediction, s: Sync): Prediction {
  if (point.converged && s.rounds === point.rounds) return point;
  const transferredBytes = s.sentBytes + s.stopBytes;
  const e = input.energy;
  const energyJoules = e && e.kind === 'wireless' ? (point.transferredBytes > 0 ? (point.energyJoules * transferredBytes) / point.transferredBytes : point.energyJoules) : wiredEnergyJoules(e ?? LIU_WIRED_ENERGY, transferredBytes);
  return {
    totalTimeSec: s.totalSec,
    downtimeSec: s.stopSec + point.resumeSec,
    transferredBytes,
    rounds: s.rounds,
    converged: true,
    reason: 'fits-downtime-limit',
    energyJoules,
    setupSec: point.setupSec,
    precopySec: s.precopySec,
    stopCopySec: s.stopSec,
    stopCopyBytes: s.stopBytes,
    resumeSec: point.resumeSec,
    maxThrottle: s.throttle,
  };
}

/** The convergence fields of an outlook (what every output adds to a prediction). */
export function convergenceFields(o: ConvergenceFields): ConvergenceFields {
  return { convergenceProbability: o.convergenceProbability, timeP10Sec: o.timeP10Sec, timeP50Sec: o.timeP50Sec, timeP90Sec: o.timeP90Sec };
}

/**
 * The prediction with convergence as a probability beside it: the plain (deterministic) prediction and verdict,
 * plus `convergenceProbability` and the total time's 10th/50th/90th percentiles. What predict, batch and the API
 * answer. The point stays the deterministic run's, not the outlook's median: the median was tried as the point
 * and verdict (p >= 0.5) and made the held-out lab figures worse (docs/model.md). Pure.
 */
export function predictWithOutlook(input: PredictInput): Prediction & ConvergenceFields {
  const t = input.technique;
  if (t !== undefined && t.name !== 'precopy' && t.name !== 'auto-converge') {
    // The other techniques are deterministic here: the probability is the verdict, the percentiles the point.
    const p = predictTechnique(input) as Prediction & ConvergenceFields;
    p.convergenceProbability = p.converged ? 1 : 0;
    p.timeP10Sec = p.timeP50Sec = p.timeP90Sec = p.totalTimeSec;
    return p;
  }
  if (t !== undefined) {
    checkTechnique(t, input);
    const plain = predictWithOutlook({ ...input, technique: undefined, policy: { ...input.policy, autoConverge: t.name === 'auto-converge' } });
    (plain as TechniquePrediction).technique = t.name;
    return plain;
  }
  const o = convergenceOutlook(input);
  // the point is this call's own object: the fields are added to it, not copied with it
  const out = o.point as Prediction & ConvergenceFields;
  out.convergenceProbability = o.convergenceProbability;
  out.timeP10Sec = o.timeP10Sec;
  out.timeP50Sec = o.timeP50Sec;
  out.timeP90Sec = o.timeP90Sec;
  return out;
}
