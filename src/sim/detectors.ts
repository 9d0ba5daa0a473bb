/**
 * Beloglazov and Buyya's host overload detectors as CloudSim 3.0.3's power examples run them. Pure.
 *
 * Each sees the host's requested utilisation now (sum of its VMs' requested MIPS / host MIPS, may exceed 1)
 * and its utilisation history (newest first, trailing zeros trimmed, at least one value).
 * - thr s: u > s
 * - iqr s: with >= 12 values, u > 1 - s IQR(h); else u > 0.7
 * - mad s: with >= 12 values, u > 1 - s MAD(h); else u > 0.7
 * - lr s / lrr s: with >= 10 values, the OLS line through the 10 newest (oldest first, x = 1..10) predicts
 *   x = 10 + ceil(longest VM migration / 300 s); overloaded when s x prediction >= 1; else u > 0.7.
 *   LRR's robust weights never trigger in CloudSim (no weight is <= 0), so it is plain OLS, like LR.
 * MAD and IQR are `plan`'s tests (`spreadOverloaded`) with CloudSim's rules as parameters (`CLOUDSIM_SPREAD_RULES`:
 * 12 values, Commons Math's medians, the IQR at rounded ranks); LR is CloudSim's own (its horizon and its
 * SimpleRegression arithmetic differ from `plan`'s).
 */
import { iqr, mad, simpleRegression } from './cloudsim-math.js';
import { FALLBACK_THRESHOLD, spreadOverloaded, type SpreadRules } from '../plan/detectors.js';

export { FALLBACK_THRESHOLD };

/** CloudSim's MAD and IQR: at least 12 values (else THR 0.7), medians by Commons Math, the IQR by rounded ranks. */
export const CLOUDSIM_SPREAD_RULES: Readonly<SpreadRules> = Object.freeze({ minHistory: 12, mad, iqr });

/** CloudSim's LR (and LRR): at least 10 values (else THR 0.7), the line through the 10 newest. */
export const CLOUDSIM_LR_MIN_HISTORY = 10;

export const SIM_DETECTORS = ['thr', 'iqr', 'mad', 'lr', 'lrr'] as const;
export type SimDetector = (typeof SIM_DETECTORS)[number];

/** The parameters of the published runs: THR 0.8, IQR 1.5, MAD 2.5, LR/LRR 1.2. */
export const SIM_DETECTOR_DEFAULTS: Readonly<Record<SimDetector, number>> = Object.freeze({ thr: 0.8, iqr: 1.5, mad: 2.5, lr: 1.2, lrr: 1.2 });

/** What a detector sees of a host. `history` is computed only when the detector needs it. */
export interface HostLoadView {
  utilisation: number;
  history(): Float64Array;
  /** Longest migration of a VM on the host (s): its RAM over the migration bandwidth. */
  maxMigrationSec(): number;
}

export type OverloadTest = (host: HostLoadView) => boolean;

const LR_POINTS = CLOUDSIM_LR_MIN_HISTORY;
const LR_Y = new Float64Array(LR_POINTS);
const X_1_TO_10 = Float64Array.from({ length: LR_POINTS }, (_, i) => i + 1);

/**
 * The overload test for `detector` with parameter `param`, for a scheduling interval of `intervalSec`.
 * @example makeOverloadTest('thr', 0.8, 300)({ utilisation: 0.81, ... }) // true
 */
export function makeOverloadTest(detector: SimDetector, param: number, intervalSec = 300): OverloadTest {
  if (!Number.isFinite(param) || param < 0) throw new RangeError(`makeOverloadTest: param must be a finite number >= 0 (got ${param})`);
  switch (detector) {
    case 'thr':
      return (h) => h.utilisation > param;
    case 'iqr':
    case 'mad':
      return (h) => spreadOverloaded(detector, param, h.utilisation, h.history(), CLOUDSIM_SPREAD_RULES);
    case 'lr':
    case 'lrr':
      return (h) => lrOverloaded(h, param, intervalSec);
    default:
      throw new RangeError(`makeOverloadTest: unknown detector ${String(detector)}`);
  }
}

/** LR's test: s x (a + b (10 + ceil(max migration / interval))) >= 1 over the 10 newest values. */
export function lrOverloaded(h: HostLoadView, param: number, intervalSec = 300): boolean {
  const hist = h.history();
  if (hist.length < LR_POINTS) return h.utilisation > FALLBACK_THRESHOLD;
  const y = LR_Y;
  for (let i = 0; i < LR_POINTS; i++) y[i] = hist[LR_POINTS - i - 1];
  const [a, b] = simpleRegression(X_1_TO_10, y);
  const intervals = Math.ceil(h.maxMigrationSec() / intervalSec);
  const predicted = (a + b * (LR_POINTS + intervals)) * param;
  return predicted >= 1;
}

/**
 * How far a host is past its detector's line, and how much of that each VM carries, both as shares of the
 * host's MIPS in the detector's own terms: LR / LRR (with >= 10 values) the forecast the test reads, split
 * per VM by fitting the same line to each VM's own share of the history (the fit is linear, so the shares
 * sum to the host's forecast); otherwise the utilisation now against the threshold (THR's s, IQR / MAD's
 * 1 - s x spread, or 0.7 on a short history), split by each VM's share of it.
 * `vms[i].history` is the VM's utilisation x its MIPS / host MIPS, newest first; `vms[i].now` likewise now.
 * @example overloadShares('thr', 0.8, 300, { utilisation: 1, ... }, [{ now: 0.6, history: [] }, { now: 0.4, history: [] }]) // { excess: 0.2, shares: [0.6, 0.4] }
 */
export function overloadShares(
  detector: SimDetector,
  param: number,
  intervalSec: number,
  host: HostLoadView,
  vms: ReadonlyArray<{ now: number; history: ArrayLike<number> }>,
): { excess: number; shares: number[] } {
  const hist = detector === 'thr' ? new Float64Array(0) : host.history();
  const now = () => vms.map((v) => v.now);
  switch (detector) {
    case 'thr':
      return { excess: host.utilisation - param, shares: now() };
    case 'iqr':
    case 'mad': {
      const rules = CLOUDSIM_SPREAD_RULES;
      if (hist.length < rules.minHistory) return { excess: host.utilisation - FALLBACK_THRESHOLD, shares: now() };
      return { excess: host.utilisation - (1 - param * (detector === 'iqr' ? rules.iqr(hist) : rules.mad(hist))), shares: now() };
    }
    case 'lr':
    case 'lrr': {
      if (hist.length < LR_POINTS) return { excess: host.utilisation - FALLBACK_THRESHOLD, shares: now() };
      const x = LR_POINTS + Math.ceil(host.maxMigrationSec() / intervalSec);
      const forecast = (h: ArrayLike<number>): number => {
        const y = new Float64Array(LR_POINTS);
        for (let i = 0; i < LR_POINTS; i++) y[i] = i < LR_POINTS - h.length ? 0 : h[LR_POINTS - i - 1];
        const [a, b] = simpleRegression(X_1_TO_10, y);
        return a + b * x;
      };
      return { excess: forecast(hist) - 1 / param, shares: vms.map((v) => forecast(v.history)) };
    }
    default:
      throw new RangeError(`overloadShares: unknown detector ${String(detector)}`);
  }
}
