/**
 * The closed form of pre-copy with a constant dirty rate (Liu 2011 eqs. 1-8, Deng 2013 §II-C).
 *   lambda = D / R, V_i = M lambda^i, n = ceil(log_lambda(V_thd / M)) capped by maxRounds,
 *   V_mig = M (1 - lambda^(n+1)) / (1 - lambda), T_mig = V_mig / R, T_down = V_n / R + T_resume.
 * Valid for lambda < 1 only: otherwise the result says `converged: false` with a reason, never NaN.
 */

export interface ClosedFormInput {
  memoryBytes: number;
  dirtyRateBytesPerSec: number;
  bandwidthBytesPerSec: number;
  /** V_thd in bytes. */
  thresholdBytes: number;
  /** Round cap (Liu's max_round); Infinity for none. */
  maxRounds: number;
  /** T_resume in seconds (Liu: 0.02). */
  resumeSec: number;
}

export interface ClosedFormResult {
  lambda: number;
  /** Index of the stop-and-copy round: rounds 0..n-1 are pre-copy, round n is stop-and-copy. */
  n: number;
  transferredBytes: number;
  /** T_mig = V_mig / R (no initialisation constant). */
  migrationSec: number;
  downtimeSec: number;
  converged: boolean;
  reason: 'below-threshold' | 'max-rounds' | 'lambda-at-least-one';
}

/**
 * @example closedForm({ memoryBytes: 2**30, dirtyRateBytesPerSec: 2**26, bandwidthBytesPerSec: 2**27,
 *   thresholdBytes: 2**26, maxRounds: Infinity, resumeSec: 0 })
 *   // lambda 0.5, n = ceil(log_0.5(1/16)) = 4, V_mig = 2^30 (1 - 0.5^5) / 0.5 = 1.9375 GiB
 */
export function closedForm(p: ClosedFormInput): ClosedFormResult {
  const { memoryBytes: M, dirtyRateBytesPerSec: D, bandwidthBytesPerSec: R, thresholdBytes: thd, maxRounds, resumeSec } = p;
  if (!(M > 0 && Number.isFinite(M))) throw new RangeError('closedForm: memoryBytes must be a positive finite number');
  if (!(D >= 0 && Number.isFinite(D))) throw new RangeError('closedForm: dirtyRateBytesPerSec must be a non-negative finite number');
  if (!(R > 0 && Number.isFinite(R))) throw new RangeError('closedForm: bandwidthBytesPerSec must be a positive finite number');
  if (!(thd >= 0)) throw new RangeError('closedForm: thresholdBytes must be >= 0');
  if (!(maxRounds >= 1)) throw new RangeError('closedForm: maxRounds must be >= 1');
  const lambda = D / R;
  const cap = maxRounds;
  let n: number;
  let converged = true;
  let reason: ClosedFormResult['reason'] = 'below-threshold';
  if (lambda >= 1) {
    // Every round sends at least M: no round count makes V_n <= V_thd. The round cap ends it.
    converged = false;
    reason = 'lambda-at-least-one';
    n = Number.isFinite(cap) ? cap : 1;
  } else if (lambda === 0) {
    n = 1; // round 0 sends M, nothing is dirty afterwards
  } else {
    n = Math.max(1, Math.ceil(Math.log(thd / M) / Math.log(lambda) - 1e-12));
    if (n > cap) {
      n = cap;
      converged = false;
      reason = 'max-rounds';
    }
  }
  // For lambda >= 1 the geometric series is evaluated term by term, capped at M a round (distinct pages).
  let transferredBytes: number;
  let lastBytes: number;
  if (lambda < 1) {
    transferredBytes = (M * (1 - lambda ** (n + 1))) / (1 - lambda);
    lastBytes = M * lambda ** n;
  } else {
    transferredBytes = M * (n + 1);
    lastBytes = M;
  }
  return {
    lambda,
    n,
    transferredBytes,
    migrationSec: transferredBytes / R,
    downtimeSec: lastBytes / R + resumeSec,
    converged,
    reason,
  };
}
