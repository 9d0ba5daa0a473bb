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
 * `predictWithOutlook` combines this with the model's own error (model-error.ts).
 *
 * Phases (`vm.dirtPhases`, from a sample's longer look): the deterministic run stands for the busy phase; a sync
 * lands in a quiet phase with probability `quietShare`, and there the round's new dirt is scaled by
 * `quietRoundFactor` (the quiet rate over the part of the round a quiet run covers) while what was left pending
 * has drained over the quiet run so far (`quietSyncProbability`); such a sync stops with at most the threshold. Each sync's probability is
 * the mix, q(k) = (1 - share) q_busy(k) + share q_quiet(k), so a quiet phase that lets the migration converge
 * counts with its probability. Without phases, exactly as above.
 *
 * `predictWithOutlook` (outlook.ts) takes all this at three dirt rates (rate-spread.ts: the sampled one, and sped
 * up and slowed down by the rate's own spread, weights 1/6, 2/3, 1/6) and mixes them; the other techniques too,
 * from their deterministic predictions at those rates.
 */
import { simulate, simulateWithSyncs, POLICY_DEFAULTS, SYNC_FIELDS } from './precopy.js';
import { DEFAULT_DIRT_DISPERSION } from './dispersion.js';
import { quietRoundFactor } from './phases.js';
import { LIU_WIRED_ENERGY, wiredEnergyJoules } from './energy.js';
import type { DirtPhases, Prediction, PredictInput } from './types.js';

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
  /** With `nodes`: the total time at the midpoints of `nodes` equal-probability cells of the sync distribution (undefined: not converged), and a migration not converged's cost. */
  syncTimes?: (number | undefined)[];
  giveUpSec?: number;
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
export interface Sync {
  totalSec: number;
  precopySec: number;
  sentBytes: number;
  /** The stop-and-copy's wire bytes and time. */
  stopBytes: number;
  stopSec: number;
  rounds: number;
  throttle: number;
}

function fromPoint(point: Prediction, nodes?: number): ConvergenceOutlook & { point: Prediction } {
  const t = point.totalTimeSec;
  const o: ConvergenceOutlook & { point: Prediction } = { convergenceProbability: point.converged ? 1 : 0, timeP10Sec: t, timeP50Sec: t, timeP90Sec: t, median: point, point };
  if (nodes) Object.assign(o, { syncTimes: new Array<number | undefined>(nodes).fill(point.converged ? t : undefined), giveUpSec: point.converged ? Infinity : t });
  return o;
}

/** The outlook's percentiles' levels. */
export const OUTLOOK_LEVELS: readonly number[] = [0.1, 0.5, 0.9];

/** The levels at the midpoints of `nodes` equal-probability cells. */
export const midLevels = (nodes: number) => Array.from({ length: nodes }, (_, i) => (i + 0.5) / nodes);

/**
 * The probability of converging before the time-out, the 10th/50th/90th percentiles of the total time, and the
 * migration at the median outcome. Deterministic (p = 0 or 1, every percentile the point's time) for the xen and
 * liu policies and for `vm.dirtDispersion: 0`. `point` is the plain prediction, `simulate(input)`, from the same run.
 * @example convergenceOutlook({ vm: { memoryBytes: 2 ** 30, dirtyRateBytesPerSec: 2 ** 20 }, bandwidthBytesPerSec: 2 ** 27,
 *   policy: { name: 'qemu' } }).convergenceProbability // 1: far under the threshold
 */
export function convergenceOutlook(input: PredictInput, nodes?: number, predictAt: SyncedPredict = plainSynced): ConvergenceOutlook & { point: Prediction } {
  const cv1 = input.vm.dirtDispersion ?? DEFAULT_DIRT_DISPERSION;
  if (input.policy.name !== 'qemu' || (!(cv1 > 0) && !input.vm.dirtPhases)) return fromPoint(predictAt(input), nodes);
  const syncs: number[] = [];
  const point = predictAt(input, syncs);
  return outlookOf(input, point, syncs, cv1, nodes);
}

/** A prediction that, given `syncs`, lists its pre-copy rounds there (SYNC_FIELDS each): `simulate`, or techniques.ts `predict`. */
export type SyncedPredict = (input: PredictInput, syncs?: number[]) => Prediction;
const plainSynced: SyncedPredict = (input, syncs) => (syncs ? simulateWithSyncs(input, undefined, syncs).prediction : simulate(input));

/** The deterministic run read as syncs: per-sync probabilities `q` (n of them, then `extra` copies of the last). */
export interface SyncRun {
  point: Prediction;
  flat: readonly number[];
  n: number;
  q: number[];
  extra: number;
  limit: number;
  phases: DirtPhases | undefined;
  /** Raw bytes the socket buffers take at the stop-and-copy, in wire bytes (Platform.stopCopyBufferedBytes). */
  buffered: number;
  /** A migration not converged by the time-out costs what the time-out costs. */
  giveUpSec: number;
}

/** The run's syncs and their probabilities (SYNC_FIELDS numbers each in `flat`: see precopy.ts); undefined: no sync to spread over. */
export function syncRun(input: PredictInput, point: Prediction, flat: readonly number[], cv1: number): SyncRun | undefined {
  const timeout = input.policy.timeoutSec ?? POLICY_DEFAULTS.qemu.timeoutSec;
  const limit = input.policy.downtimeLimitSec ?? POLICY_DEFAULTS.qemu.downtimeLimitSec;
  // A run given up at its time-out: its last round ends at the clock, not at a sync.
  const n = Math.floor(flat.length / SYNC_FIELDS) - (point.converged ? 0 : 1);
  if (n <= 0) return undefined;
  const phases = input.vm.dirtPhases;
  const zeroPerDirty = input.vm.dirtyZeroShare ? input.vm.dirtyZeroShare / (1 - input.vm.dirtyZeroShare) : 0;
  let q = new Array<number>(n);
  const qQuiet = phases ? new Array<number>(n) : undefined;
  let precopy = 0;
  for (let k = 0; k < n; k++) {
    const i = k * SYNC_FIELDS;
    precopy += flat[i];
    // the switch-over check after round k uses the bandwidth of round k + 1 (QEMU's: wire bytes, which a technique's
    // compression or deltas make fewer than the raw pages its estimate counts)
    const threshold = flat[(k + 1 < n ? i + SYNC_FIELDS : i) + 8] * limit;
    q[k] = syncProbability(flat[i], flat[i + 3], flat[i + 5], threshold, cv1, zeroPerDirty);
    if (qQuiet) qQuiet[k] = quietSyncProbability(phases!, flat, i, threshold, cv1, zeroPerDirty);
  }
  const lastSec = flat[(n - 1) * SYNC_FIELDS];
  const lastPrecopy = point.converged ? point.precopySec : precopy;
  // First passage over the syncs, then over copies of the last one up to the time-out.
  let extra = lastSec > 0 ? Math.max(0, Math.floor((timeout - lastPrecopy) / lastSec + 1e-9)) : 0;
  // a sync lands in a quiet phase as the phases alternate (phaseHazards)
  if (phases && qQuiet) ({ q, extra } = phaseHazards(phases, flat, q, qQuiet, extra));
  const giveUpSec = point.converged ? point.setupSec + timeout + point.stopCopySec + point.resumeSec : point.totalTimeSec;
  return { point, flat, n, q, extra, limit, phases, buffered: input.platform?.stopCopyBufferedBytes ?? 0, giveUpSec };
}

/** Copies of the last sync the phase chain follows before it takes the hazard as settled (then firstPassage's copies). */
const MAX_CHAIN_COPIES = 10_000;

/**
 * Phases as an alternating process: the guest's quiet runs last `quietRunSec` on average and its busy runs
 * `quietRunSec x (1 - quietShare) / quietShare` (so that it is quiet `quietShare` of the time), switching as a
 * two-state Markov chain in continuous time; a throttle x slows the guest's own clock, so its phases run at 1 - x
 * of their pace. At each sync the guest is busy or quiet by the chain, and converges with `busy[k]` or `quiet[k]`.
 * Returns the hazards firstPassage takes (the probability of converging at sync k given not before), with the
 * copies of the last sync followed until the hazard settles (at most MAX_CHAIN_COPIES; the rest as copies of the
 * last hazard). Consecutive syncs are correlated, unlike a coin for each: a guest caught busy waits for its next
 * quiet run, longer under a heavier throttle. The chain starts stationary (a migration starts anywhere in the
 * cycle). Without a run length (`quietRunSec` 0) the phases switch at every instant: a coin per sync, weighted
 * by the share. Pure.
 * @example phaseHazards({ quietShare: 0.5, quietFactor: 0, quietRunSec: 1 }, two 0.1 s rounds, [0, 0], [1, 1], 0).q
 *   // [0.5, p_bq / (1 - 0.5 + ...)]: half the time quiet at the first sync; the second converges only if the chain moved
 */
export function phaseHazards(phases: DirtPhases, flat: readonly number[], busy: readonly number[], quiet: readonly number[], extra: number): { q: number[]; extra: number } {
  const share = phases.quietShare;
  const n = busy.length;
  if (!(phases.quietRunSec > 0)) return { q: busy.map((b, k) => (1 - share) * b + share * quiet[k]), extra };
  const toQuiet = share / ((1 - share) * phases.quietRunSec);
  const toBusy = 1 / phases.quietRunSec;
  const rate = toQuiet + toBusy;
  // P(not converged yet and quiet / busy now)
  let sq = share;
  let sb = 1 - share;
  const step = (sec: number, throttle: number, qb: number, qq: number): number => {
    const moved = 1 - Math.exp(-rate * Math.max(0, 1 - throttle) * sec);
    const bq = (toQuiet / rate) * moved;
    const qbMove = (toBusy / rate) * moved;
    const nq = sq * (1 - qbMove) + sb * bq;
    const nb = sb * (1 - bq) + sq * qbMove;
    const alive = nq + nb;
    sq = nq * (1 - qq);
    sb = nb * (1 - qb);
    return alive > 0 ? (nq * qq + nb * qb) / alive : 0;
  };
  const q: number[] = [];
  for (let k = 0; k < n; k++) q.push(step(flat[k * SYNC_FIELDS], flat[k * SYNC_FIELDS + 6], busy[k], quiet[k]));
  const i = (n - 1) * SYNC_FIELDS;
  let left = extra;
  for (let c = 0; left > 0 && c < MAX_CHAIN_COPIES; c++) {
    const h = step(flat[i], flat[i + 6], busy[n - 1], quiet[n - 1]);
    const settled = Math.abs(h - q[q.length - 1]) <= 1e-12;
    q.push(h);
    left--;
    if (settled || !(sq + sb > 0)) break;
  }
  return { q, extra: left };
}

/** The migration switching over at sync `at` (1-based; past n, the m-th copy of the last). */
export function syncAt(r: SyncRun, at: number): Sync {
  const { flat, n, point } = r;
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
  // a sync that converged by landing in a quiet phase stopped with at most the threshold (with phases only)
  // the stop-and-copy at the check after round k goes at round k + 1's rates (stop-copy.ts: the socket buffers
  // take the first wire bytes; a CPU ceiling holds for all)
  const j = k < n ? i + SYNC_FIELDS : i;
  const stopRaw = r.phases ? Math.min(flat[i + 4], flat[j + 8] * r.limit) : flat[i + 4];
  const [g, rate, cpu] = [flat[j + 9], flat[j + 10], flat[j + 11]];
  const stopBytes = last ? point.stopCopyBytes : stopRaw / g;
  const stopSec = last ? point.stopCopySec : Math.max(Math.max(0, stopRaw - r.buffered * g) / rate, Number.isFinite(cpu) ? stopRaw / cpu : 0);
  pre += m * flat[i];
  return { precopySec: pre, sentBytes: sent + m * flat[i + 1], stopBytes, stopSec, rounds: at, throttle, totalSec: point.setupSec + pre + stopSec + point.resumeSec };
}

/** The outlook from the deterministic run and its rounds. */
function outlookOf(input: PredictInput, point: Prediction, flat: readonly number[], cv1: number, nodes?: number): ConvergenceOutlook & { point: Prediction } {
  const r = syncRun(input, point, flat, cv1);
  if (!r) return fromPoint(point, nodes);
  const fp = firstPassage(r.q, r.extra);
  const p = fp.probability;
  const giveUpSec = r.giveUpSec;
  const found = fp.at.map((at) => (at === undefined ? undefined : syncAt(r, at)));
  const time = (s: Sync | undefined) => (s ? s.totalSec : giveUpSec);
  const at = found[1];
  const median = at && p >= CONVERGENCE_VERDICT_P ? predictionAt(input, point, at) : p < CONVERGENCE_VERDICT_P && point.converged ? givenUp(input, r) : point;
  const out: ConvergenceOutlook & { point: Prediction } = { convergenceProbability: p, timeP10Sec: time(found[0]), timeP50Sec: time(found[1]), timeP90Sec: time(found[2]), median, point };
  if (nodes) {
    const seen = new Map<number, number>();
    out.syncTimes = firstPassage(r.q, r.extra, midLevels(nodes)).at.map((k) => {
      if (k === undefined) return undefined;
      let t = seen.get(k);
      if (t === undefined) seen.set(k, (t = syncAt(r, k).totalSec));
      return t;
    });
    out.giveUpSec = giveUpSec;
  }
  return out;
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

/** Points a quiet run's age is averaged over. */
const QUIET_AGE_STEPS = 8;

/**
 * P(the pending estimate is at most the threshold) at the sync of round `flat[i..]` if it falls in a quiet phase.
 * The round's new dirt is scaled by `quietRoundFactor`, its factor drawn from the quiet windows' (`quietFactors`,
 * each alike; else `quietFactor`): a verify phase that writes nothing converges where a mean over quiet windows
 * that half cover a busy stretch would not; what earlier rounds left pending has drained while the quiet run lasted
 * before this round, at the link's rate less the quiet dirt's: pending = max(0, left - drain x age) + f x new dirt.
 * The run's age before the round is uniform over [0, quietRunSec - round] (none for a round longer than a run),
 * averaged over `QUIET_AGE_STEPS` midpoints.
 */
function quietSyncProbability(phases: DirtPhases, flat: readonly number[], i: number, threshold: number, cv1: number, zeroPerDirty: number): number {
  const sec = flat[i];
  const dirtied = flat[i + 3];
  const newDirt = flat[i + 7] * (1 + zeroPerDirty);
  const left = Math.max(0, flat[i + 5] - newDirt);
  const span = Math.max(0, phases.quietRunSec - sec);
  const factors = phases.quietFactors ?? [phases.quietFactor];
  let sum = 0;
  for (const factor of factors) {
    const f = quietRoundFactor(phases, sec, factor);
    const drain = Math.max(0, flat[i + 2] - (sec > 0 ? (f * dirtied) / sec : 0));
    for (let j = 0; j < QUIET_AGE_STEPS; j++) {
      const age = ((j + 0.5) / QUIET_AGE_STEPS) * span;
      sum += syncProbability(sec, f * dirtied, Math.max(0, left - drain * age) + f * newDirt, threshold, cv1, zeroPerDirty);
    }
  }
  return sum / (QUIET_AGE_STEPS * factors.length);
}

/** The prediction of a migration that switches over at sync `s` (converged there); a trace is the deterministic run's. */
export function predictionAt(input: PredictInput, point: Prediction, s: Sync): Prediction {
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
    // the trace, where asked, is the deterministic run's
    ...(point.trace ? { trace: point.trace } : {}),
  };
}

/**
 * A migration that runs to its time-out (`r.giveUpSec`) without converging, from a run whose deterministic point
 * converged: pre-copy repeats the last sync's round until the clock runs out, and the downtime is what a forced
 * switch-over there would cost (as `simulate` reports a time-out).
 */
export function givenUp(input: PredictInput, r: SyncRun): Prediction {
  const s = syncAt(r, Math.max(1, r.n + r.extra));
  const p = predictionAt(input, { ...r.point, converged: false }, s);
  const { setupSec, stopCopySec, resumeSec } = p;
  return { ...p, converged: false, reason: 'timeout', totalTimeSec: r.giveUpSec, precopySec: Math.max(0, r.giveUpSec - setupSec - stopCopySec - resumeSec) };
}

/** The convergence fields of an outlook (what every output adds to a prediction). */
export function convergenceFields(o: ConvergenceFields): ConvergenceFields {
  return { convergenceProbability: o.convergenceProbability, timeP10Sec: o.timeP10Sec, timeP50Sec: o.timeP50Sec, timeP90Sec: o.timeP90Sec };
}
