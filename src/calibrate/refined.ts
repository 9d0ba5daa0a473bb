/**
 * Liu 2011's refined model: learn a VM's dirty rate from its migration history (eqs. 11-13).
 *   eq. 11  D̄_m = Σ D_i T_i / Σ T_i                       (round-weighted mean rate of migration m)
 *   eq. 12  D̂_m = μ D̄_m + (1 - μ) D̂_{m-1},  μ > 0.5       (EWMA over migrations)
 *   eq. 13  D̃_m = φ S_m + (1 - φ) D̂_{m-1},  0 < φ < 1     (blend of the fresh sample S_m and history)
 *
 * The paper says φ is "self-tuned according to the feedback of model errors" without saying how. Our rule:
 * after migration m, the blend that would have been exact in hindsight is
 *   φ*_m = (D̄_m - D̂_{m-1}) / (S_m - D̂_{m-1}),   clamped to [φ_min, φ_max],
 * (undefined when S_m = D̂_{m-1}: φ is left as it is), and φ moves towards it by a step η:
 *   φ_{m+1} = (1 - η) φ_m + η φ*_m.
 * So φ grows when fresh samples predict the realised rate better than history, and shrinks otherwise.
 */

export interface RoundRate {
  dirtyRateBytesPerSec: number;
  durationSec: number;
}

/** Per-VM learnt state: plain data, stored as JSON. */
export interface RefinedState {
  /** D̂, bytes/s; undefined before the first migration. */
  historyRateBytesPerSec?: number;
  phi: number;
  migrations: number;
}

export interface RefinedOptions {
  /** EWMA weight μ of the newest migration, > 0.5. Default 0.7. */
  mu: number;
  /** Initial φ. Default 0.5 (the paper's). */
  phi0: number;
  /** Step η of the φ update. Default 0.3. */
  eta: number;
  phiMin: number;
  phiMax: number;
}

export const DEFAULT_REFINED: Readonly<RefinedOptions> = Object.freeze({ mu: 0.7, phi0: 0.5, eta: 0.3, phiMin: 0.05, phiMax: 0.95 });

function check(o: RefinedOptions): void {
  if (!(o.mu > 0.5 && o.mu <= 1)) throw new RangeError(`refined model: mu must be in (0.5, 1] (got ${o.mu})`);
  if (!(o.phi0 > 0 && o.phi0 < 1)) throw new RangeError(`refined model: phi0 must be in (0, 1) (got ${o.phi0})`);
  if (!(o.eta >= 0 && o.eta <= 1)) throw new RangeError(`refined model: eta must be in [0, 1] (got ${o.eta})`);
  if (!(o.phiMin > 0 && o.phiMin <= o.phiMax && o.phiMax < 1)) throw new RangeError('refined model: need 0 < phiMin <= phiMax < 1');
}

/**
 * Eq. 11: the round-weighted mean dirty rate of one migration. Rounds of zero length carry no weight;
 * with no weight at all the result is 0.
 * @example weightedDirtyRate([{ dirtyRateBytesPerSec: 10, durationSec: 1 }, { dirtyRateBytesPerSec: 40, durationSec: 2 }]) // 30
 */
export function weightedDirtyRate(rounds: readonly RoundRate[]): number {
  let num = 0;
  let den = 0;
  for (const r of rounds) {
    if (!(r.durationSec >= 0) || !(r.dirtyRateBytesPerSec >= 0)) throw new RangeError('weightedDirtyRate: rates and durations must be >= 0');
    num += r.dirtyRateBytesPerSec * r.durationSec;
    den += r.durationSec;
  }
  return den > 0 ? num / den : 0;
}

export function initialRefinedState(o: RefinedOptions = DEFAULT_REFINED): RefinedState {
  check(o);
  return { phi: o.phi0, migrations: 0 };
}

/** Eq. 13: the rate to predict with, from a fresh sample and the state. No history: the sample itself. */
export function refinedRate(state: RefinedState, sampleBytesPerSec: number): number {
  if (!(sampleBytesPerSec >= 0)) throw new RangeError('refinedRate: sample must be >= 0');
  const h = state.historyRateBytesPerSec;
  return h === undefined ? sampleBytesPerSec : state.phi * sampleBytesPerSec + (1 - state.phi) * h;
}

/**
 * After a migration: eq. 12 for the history and the φ rule above. `sample` is the S_m that was used
 * before this migration, `realised` its D̄_m (eq. 11).
 */
export function updateRefined(state: RefinedState, sampleBytesPerSec: number, realisedBytesPerSec: number, o: RefinedOptions = DEFAULT_REFINED): RefinedState {
  check(o);
  if (!(sampleBytesPerSec >= 0) || !(realisedBytesPerSec >= 0)) throw new RangeError('updateRefined: rates must be >= 0');
  const h = state.historyRateBytesPerSec;
  let phi = state.phi;
  if (h !== undefined && Math.abs(sampleBytesPerSec - h) > 1e-9 * Math.max(1, h)) {
    const best = (realisedBytesPerSec - h) / (sampleBytesPerSec - h);
    const target = Math.min(o.phiMax, Math.max(o.phiMin, best));
    phi = (1 - o.eta) * phi + o.eta * target;
  }
  const history = h === undefined ? realisedBytesPerSec : o.mu * realisedBytesPerSec + (1 - o.mu) * h;
  return { historyRateBytesPerSec: history, phi, migrations: state.migrations + 1 };
}
