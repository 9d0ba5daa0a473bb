/**
 * History as a correction of the model's own error: per VM, the log-ratio of measured to predicted total
 * time, bytes sent and downtime of its past migrations, smoothed by an EWMA, multiplies the next prediction.
 * Liu's refined model (eqs. 11-13, refined.ts) corrects the dirty RATE the model is fed; this corrects what
 * the model gets wrong whatever the rate: a workload that grows its memory between sample and migration
 * (redis), a platform effect the constants miss. The two compose: correct the prediction made from the
 * refined rate.
 *
 *   r_m = ln(measured_m / predicted_m)                           per figure, migration m (completed only)
 *   R_m = μ r_m + (1 - μ) R_{m-1},  R_1 = r_1                      (EWMA, μ = 0.5 by default)
 *   corrected = predicted · exp(w R)
 *
 * The weight w says how much of R is the VM's bias rather than noise. By default (`shrink: 'variance'`) it is
 * the empirical-Bayes weight of a mean of n noisy errors: biases across VMs are taken to spread with standard
 * deviation τ (0.15: a model off by up to ~15 % for a VM), one migration's error around its VM's bias with a
 * variance s² estimated from that VM's own errors (Welford), pulled towards σ0² (0.1²) by one pseudo-migration:
 *
 *   s² = (Σ (r_i - r̄)² + σ0²) / n,   w = n τ² / (n τ² + s²)
 *
 * so a VM whose errors agree (redis: -9 %, -10 %, -9 %) gets w near 1, and one whose errors are the
 * migrations' own noise (memtester converging at 8 s in one run and 25 s in the next) gets w near 0.
 * `shrink: 'count'` is the plain w_n = n / (n + κ) (κ = 1: one past migration moves a prediction half-way).
 * A migration predicted not to converge, or that did not complete, teaches nothing (its figures are cut by
 * the time-out).
 */
import type { Prediction } from '../model/types.js';

export const RESIDUAL_FIGURES = ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const;
export type ResidualFigure = (typeof RESIDUAL_FIGURES)[number];

/** Per-VM state, plain data. */
export interface ResidualState {
  migrations: number;
  /** EWMA of the log-ratios, per figure. */
  logRatio: Record<ResidualFigure, number>;
  /** Per figure: how many errors were folded in, their plain mean and sum of squared deviations (Welford). */
  count?: Record<ResidualFigure, number>;
  mean?: Record<ResidualFigure, number>;
  m2?: Record<ResidualFigure, number>;
}

export interface ResidualOptions {
  /** EWMA weight of the newest migration, in (0, 1]. Default 0.5. */
  mu: number;
  /** Shrinkage: a history of n migrations applies n / (n + kappa) of the correction. Default 1. */
  kappa: number;
  /** Largest factor a correction may apply either way (a guard against one wild migration). Default 3. */
  maxFactor: number;
  /** How the correction is shrunk towards none: by the VM's error variance (default) or by count alone. */
  shrink?: 'variance' | 'count';
  /** Spread of per-VM biases (log scale). Default 0.15. */
  tau?: number;
  /** Prior per-migration noise (log scale), worth one migration. Default 0.1. */
  sigma0?: number;
}

export const DEFAULT_RESIDUAL: Readonly<ResidualOptions> = Object.freeze({ mu: 0.5, kappa: 1, maxFactor: 3, shrink: 'variance', tau: 0.15, sigma0: 0.1 });

export function initialResidualState(): ResidualState {
  return { migrations: 0, logRatio: { totalTimeSec: 0, transferredBytes: 0, downtimeSec: 0 } };
}

function check(o: ResidualOptions): void {
  if (!(o.mu > 0 && o.mu <= 1)) throw new RangeError(`residual correction: mu must be in (0, 1] (got ${o.mu})`);
  if (!(o.kappa >= 0 && Number.isFinite(o.kappa))) throw new RangeError(`residual correction: kappa must be >= 0 (got ${o.kappa})`);
  if (!(o.maxFactor >= 1)) throw new RangeError(`residual correction: maxFactor must be >= 1 (got ${o.maxFactor})`);
  if (o.tau !== undefined && !(o.tau > 0 && Number.isFinite(o.tau))) throw new RangeError(`residual correction: tau must be > 0 (got ${o.tau})`);
  if (o.sigma0 !== undefined && !(o.sigma0 > 0 && Number.isFinite(o.sigma0))) throw new RangeError(`residual correction: sigma0 must be > 0 (got ${o.sigma0})`);
}

const zeros = (): Record<ResidualFigure, number> => ({ totalTimeSec: 0, transferredBytes: 0, downtimeSec: 0 });

/**
 * After a completed migration that was predicted to converge: fold its measured/predicted ratios in.
 * Figures with a non-positive value on either side are left as they were.
 * @example updateResidual(initialResidualState(), p, m) // logRatio.totalTimeSec = ln(m.totalTimeSec / p.totalTimeSec)
 */
export function updateResidual(s: ResidualState, predicted: Pick<Prediction, ResidualFigure | 'converged'>, measured: Record<ResidualFigure, number> & { completed: boolean }, o: ResidualOptions = DEFAULT_RESIDUAL): ResidualState {
  check(o);
  if (!measured.completed || !predicted.converged) return s;
  const logRatio = { ...s.logRatio };
  const count = { ...(s.count ?? zeros()) };
  const mean = { ...(s.mean ?? zeros()) };
  const m2 = { ...(s.m2 ?? zeros()) };
  for (const f of RESIDUAL_FIGURES) {
    const p = predicted[f];
    const m = measured[f];
    if (!(p > 0 && m > 0 && Number.isFinite(p) && Number.isFinite(m))) continue;
    const r = Math.log(m / p);
    logRatio[f] = s.migrations === 0 ? r : o.mu * r + (1 - o.mu) * s.logRatio[f];
    count[f] += 1;
    const d = r - mean[f];
    mean[f] += d / count[f];
    m2[f] += d * (r - mean[f]);
  }
  return { migrations: s.migrations + 1, logRatio, count, mean, m2 };
}

/** The factor the state applies to one figure. */
export function residualFactor(s: ResidualState, f: ResidualFigure, o: ResidualOptions = DEFAULT_RESIDUAL): number {
  check(o);
  if (s.migrations === 0) return 1;
  let w: number;
  if ((o.shrink ?? 'count') === 'variance') {
    const n = s.count?.[f] ?? 0;
    if (n === 0) return 1;
    const tau2 = (o.tau ?? 0.15) ** 2;
    const s2 = ((s.m2?.[f] ?? 0) + (o.sigma0 ?? 0.1) ** 2) / n;
    w = (n * tau2) / (n * tau2 + s2);
  } else {
    w = s.migrations / (s.migrations + o.kappa);
  }
  const lim = Math.log(o.maxFactor);
  return Math.exp(Math.max(-lim, Math.min(lim, w * s.logRatio[f])));
}

/**
 * A prediction corrected by a VM's history. The pre-copy and stop-and-copy parts scale with the figures they
 * make up, so `precopySec + stopCopySec + ...` still adds up; a non-converging prediction is returned as is
 * (its figures are set by the time-out). Energy is recomputed from the corrected bytes when `energyOf` is given.
 */
export function applyResidual(s: ResidualState, p: Prediction, o: ResidualOptions = DEFAULT_RESIDUAL, energyOf?: (transferredBytes: number) => number): Prediction {
  if (s.migrations === 0 || !p.converged) return p;
  const kt = residualFactor(s, 'totalTimeSec', o);
  const kb = residualFactor(s, 'transferredBytes', o);
  const kd = residualFactor(s, 'downtimeSec', o);
  const totalTimeSec = p.totalTimeSec * kt;
  const downtimeSec = p.downtimeSec * kd;
  return {
    ...p,
    totalTimeSec,
    downtimeSec,
    transferredBytes: p.transferredBytes * kb,
    energyJoules: energyOf ? energyOf(p.transferredBytes * kb) : p.energyJoules,
    stopCopySec: p.stopCopySec * kd,
    resumeSec: p.resumeSec * kd,
    stopCopyBytes: p.stopCopyBytes * kb,
    precopySec: Math.max(0, totalTimeSec - p.setupSec - downtimeSec),
  };
}
