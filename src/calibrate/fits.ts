/**
 * The papers' fitted models, re-fitted from observations by OLS:
 * - Liu's writable-working-set coefficients gamma = a T + b D + c (T in s, D in MiB/s);
 * - Liu's wired energy model E = alpha V + beta (V in MiB, E in J), from (V, E) pairs, where E can be
 *   integrated from 1 Hz power samples less the idle power (eq. 16).
 */
import { ols, type OlsFit } from './ols.js';
import type { WiredEnergyModel, WwsCoefficients } from '../model/types.js';

const MIB = 1024 * 1024;

export interface FitReport<P> {
  params: P;
  r2: number;
  /** Standard error of each parameter, by name. */
  standardErrors: Record<string, number>;
  n: number;
  residuals: number[];
  fitted: number[];
}

export interface WwsObservation {
  roundSec: number;
  dirtyRateBytesPerSec: number;
  /** Observed fraction of the round's dirtying that did not need sending (0..1). */
  gamma: number;
}

/**
 * The fraction of a round's page writes that land on pages already dirty in that round: what Liu's
 * gamma measures when pre-copy skips nothing (QEMU): gamma = 1 - distinct dirtied / (D T), clamped to [0, 1].
 */
export function observedGamma(distinctDirtiedBytes: number, dirtyRateBytesPerSec: number, roundSec: number): number {
  const writes = dirtyRateBytesPerSec * roundSec;
  if (!(writes > 0)) return 0;
  const g = 1 - distinctDirtiedBytes / writes;
  return g < 0 ? 0 : g > 1 ? 1 : g;
}

function report<P>(params: P, names: string[], f: OlsFit): FitReport<P> {
  const standardErrors: Record<string, number> = {};
  names.forEach((n, i) => (standardErrors[n] = f.standardErrors[i]));
  return { params, r2: f.r2, standardErrors, n: f.n, residuals: f.residuals, fitted: f.fitted };
}

/** Fits a, b, c of gamma = a T + b D(MiB/s) + c. Needs at least 3 observations with varied T and D. */
export function fitWws(obs: readonly WwsObservation[]): FitReport<WwsCoefficients> {
  const X = obs.map((o) => [o.roundSec, o.dirtyRateBytesPerSec / MIB, 1]);
  const f = ols(X, obs.map((o) => o.gamma));
  const [a, b, c] = f.coefficients;
  return report({ a, b, c }, ['a', 'b', 'c'], f);
}

export interface EnergyPair {
  transferredBytes: number;
  energyJoules: number;
}

/** Fits alpha (J/MiB) and beta (J) of E = alpha V + beta. Needs two or more distinct volumes. */
export function fitWiredEnergy(pairs: readonly EnergyPair[]): FitReport<WiredEnergyModel> {
  const f = ols(pairs.map((p) => [p.transferredBytes / MIB, 1]), pairs.map((p) => p.energyJoules));
  return report({ kind: 'wired' as const, alphaJoulesPerMiB: f.coefficients[0], betaJoules: f.coefficients[1] }, ['alphaJoulesPerMiB', 'betaJoules'], f);
}

export interface PowerSample {
  /** Seconds (e.g. Unix time). */
  timestampSec: number;
  watts: number;
}

/**
 * Liu's eq. 16: E_mig = Σ_{t=1}^{ceil(T_mig)} (P_t - P_0), over the 1 Hz samples of the migration's
 * window [start, start + ceil(T)). Each second takes the sample nearest its start (within 1 s); a second
 * without one is an error, not a silent zero. P_0 is the idle power.
 */
export function migrationEnergyFromPower(samples: readonly PowerSample[], startSec: number, durationSec: number, idleWatts: number): number {
  if (!(durationSec >= 0)) throw new RangeError('migrationEnergyFromPower: durationSec must be >= 0');
  const seconds = Math.ceil(durationSec);
  const sorted = [...samples].sort((x, y) => x.timestampSec - y.timestampSec);
  let energy = 0;
  let j = 0;
  for (let s = 0; s < seconds; s++) {
    const t = startSec + s;
    while (j + 1 < sorted.length && Math.abs(sorted[j + 1].timestampSec - t) <= Math.abs(sorted[j].timestampSec - t)) j++;
    const p = sorted[j];
    if (!p || Math.abs(p.timestampSec - t) > 1) throw new RangeError(`migrationEnergyFromPower: no power sample within 1 s of t = ${t}`);
    energy += p.watts - idleWatts;
  }
  return energy;
}
