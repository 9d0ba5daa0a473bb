/**
 * Phases: how a guest's dirt rate varies over a longer look (`sample --horizon`), and what the convergence outlook
 * takes from it. A curve sampled over one or two seconds cannot see a workload that alternates phases (writes, then
 * a read or verify phase; a server whose load rises and falls); consecutive page-sampling windows spread over the
 * horizon can. Pure.
 */
import { quantileR7 } from '../stats/quantile.js';
import type { VmSample } from './sample.js';
import type { DirtPhases } from './types.js';

/**
 * A window is quiet when its rate is below this share of the busy rate, the 90th percentile window's. Not the
 * median's: a guest quiet more than half the time (a write phase of 2 s in every 5) has a quiet median, and no
 * window would be below half of it.
 */
export const QUIET_RATE_SHARE = 0.5;
/** Fewer quiet windows than this are taken as noise, not a phase: one dip is not a quiet phase. */
export const MIN_QUIET_WINDOWS = 2;

export interface PhaseSummary {
  windowSec: number;
  windows: number;
  /** 10th, 50th and 90th percentiles (type 7) of the per-window rate, bytes/s. */
  p10: number;
  p50: number;
  p90: number;
  /** Share of the windows whose rate is below `QUIET_RATE_SHARE` x the 90th percentile (0 when fewer than `MIN_QUIET_WINDOWS`). */
  quietShare: number;
  /** Mean rate of the quiet windows over the mean rate of the others (1 without quiet windows). */
  quietFactor: number;
  /** Mean length of a run of consecutive quiet windows, s (0 without quiet windows). */
  quietRunSec: number;
  /** Each quiet window's rate over the busy windows' mean, ascending (none without quiet windows). */
  quietFactors: number[];
}

/**
 * The distribution of a sample's per-window dirt rates. Undefined without at least two windows. Pure.
 * @example phaseSummary({ windowSec: 0.5, rates: [8, 8, 8, 8, 0, 0, 0, 8, 8, 0] })
 *   // p50 8; quietShare 0.4 (4 windows under 4), quietFactor 0, quietRunSec 1 (runs of 3 and 1 windows)
 */
export function phaseSummary(phases: VmSample['phases']): PhaseSummary | undefined {
  if (!phases || !(phases.windowSec > 0) || phases.rates.length < 2) return undefined;
  const rates = phases.rates.map((r) => (Number.isFinite(r) && r > 0 ? r : 0));
  const p10 = quantileR7(rates, 0.1);
  const p50 = quantileR7(rates, 0.5);
  const p90 = quantileR7(rates, 0.9);
  const quiet = rates.map((r) => r < QUIET_RATE_SHARE * p90);
  const nQuiet = quiet.filter(Boolean).length;
  const base = { windowSec: phases.windowSec, windows: rates.length, p10, p50, p90 };
  if (nQuiet < MIN_QUIET_WINDOWS || nQuiet === rates.length) return { ...base, quietShare: 0, quietFactor: 1, quietRunSec: 0, quietFactors: [] };
  let quietSum = 0;
  let busySum = 0;
  let runs = 0;
  for (let i = 0; i < rates.length; i++) {
    if (quiet[i]) {
      quietSum += rates[i];
      if (i === 0 || !quiet[i - 1]) runs++;
    } else busySum += rates[i];
  }
  const quietMean = quietSum / nQuiet;
  const busyMean = busySum / (rates.length - nQuiet);
  const quietFactors = rates.filter((_, i) => quiet[i]).map((r) => (busyMean > 0 ? r / busyMean : 1)).sort((x, y) => x - y);
  return { ...base, quietShare: nQuiet / rates.length, quietFactor: busyMean > 0 ? quietMean / busyMean : 1, quietRunSec: (nQuiet / runs) * phases.windowSec, quietFactors };
}

/** Points of the quiet windows' distribution the model keeps (`DirtPhases.quietFactors`): equal-probability quantile midpoints. */
export const QUIET_FACTOR_POINTS = 8;

/** What the model reads of a sample's phases: undefined unless it has a quiet phase. Pure. */
export function phasesFromSample(sample: Pick<VmSample, 'phases'>): DirtPhases | undefined {
  const s = phaseSummary(sample.phases);
  if (!s || !(s.quietShare > 0)) return undefined;
  const f = s.quietFactors;
  const n = Math.min(QUIET_FACTOR_POINTS, f.length);
  const points = Array.from({ length: n }, (_, j) => quantileR7(f, (j + 0.5) / n));
  return { quietShare: s.quietShare, quietFactor: s.quietFactor, quietRunSec: s.quietRunSec, quietFactors: points };
}

/**
 * The share of a round's dirt left when the round falls in a quiet phase: the quiet factor (or one drawn from the
 * quiet windows', `factor`) over the part of the round a quiet run covers, the busy rate (1) over the rest. Pure.
 * @example quietRoundFactor({ quietShare: 0.6, quietFactor: 0, quietRunSec: 3 }, 4) // 0.25: 1 s of 4 busy
 */
export function quietRoundFactor(p: DirtPhases, roundSec: number, factor = p.quietFactor): number {
  if (!(roundSec > p.quietRunSec)) return factor;
  return (p.quietRunSec * factor + (roundSec - p.quietRunSec)) / roundSec;
}

/** Busy windows a horizon needs before its spread stands for the rate spread's (fewer: the default's). */
export const MIN_SPREAD_WINDOWS = 8;

/** The rate spread reads the busy windows in blocks of about this long (s): what the guest does from one half-second to the next. */
export const SPREAD_BLOCK_SEC = 0.5;

/**
 * The rate spread (log-sd, `vm.dirtRateSpread`) a sample's longer look measured: the robust sd (1.4826 x the median
 * absolute deviation) of the log rates of its busy windows — those at or above `QUIET_RATE_SHARE` x the 90th
 * percentile window, the quiet ones being the phases' part (`phasesFromSample`) — taken, in time order, in blocks
 * of `SPREAD_BLOCK_SEC` (the mean rate of each whole block; windows of 0.5 s or more one by one). Each block is one
 * reading of the rate as the sample's own is, so the spread holds both what the guest does from one half-second to
 * the next and page-sampling's noise, whatever the windows' length (since stop 34 the horizon's are 0.1 s: phases).
 * Undefined (the default applies) without `MIN_SPREAD_WINDOWS` busy blocks. At most 2, `vm.dirtRateSpread`'s
 * bound. Pure.
 * @example rateSpreadFromPhases({ windowSec: 0.5, rates: [100, 100, 100, 100, 100, 100, 100, 100] }) // 0
 * @example rateSpreadFromPhases({ windowSec: 0.5, rates: [90, 100, 110, 100, 90, 110, 100, 100, 0, 0] })
 *   // busy: all 8 non-zero; |log deviations| 0 x4, 0.0953 x2, 0.1054 x2: median 0.0477, x 1.4826 = 0.0707
 * @example rateSpreadFromPhases({ windowSec: 0.1, rates: 40 windows alternating 80 and 120 }) // blocks of 5: 100 or 96 or 104
 */
export function rateSpreadFromPhases(phases: VmSample['phases']): number | undefined {
  if (!phases || !(phases.windowSec > 0)) return undefined;
  const rates = phases.rates.filter((r) => Number.isFinite(r) && r > 0);
  const p90 = quantileR7(rates, 0.9);
  const busy = rates.filter((r) => r >= QUIET_RATE_SHARE * p90);
  const k = Math.max(1, Math.round(SPREAD_BLOCK_SEC / phases.windowSec));
  const logs: number[] = [];
  for (let i = 0; i + k <= busy.length; i += k) {
    let sum = 0;
    for (let j = i; j < i + k; j++) sum += busy[j];
    logs.push(Math.log(sum / k));
  }
  if (logs.length < MIN_SPREAD_WINDOWS) return undefined;
  const mid = quantileR7(logs, 0.5);
  const mad = quantileR7(logs.map((x) => Math.abs(x - mid)), 0.5);
  return Math.min(2, 1.4826 * mad);
}
