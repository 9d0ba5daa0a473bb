/**
 * The stop-and-copy constants from recorded migrations (pure): downtime = resume + max(0, B - buffered) / rate,
 * B the wire bytes sent with the guest stopped (QEMU's ram.downtime-bytes), with one rate for switch-overs right
 * after the first pass (pages the destination has never seen) and one for later ones.
 *
 * Why a buffered part: with no return path (plain pre-copy, XBZRLE, multifd) QEMU's downtime ends when the
 * source has written the last byte into its socket (migration.c: migration_completion -> close_return_path_on_source,
 * which returns at once without one -> migration_completion_end -> migration_downtime_end), not when the
 * destination has loaded it. The first bytes of the final copy fill the socket buffers at memory speed; only the
 * rest waits for the destination. `buffered` is chosen on a grid (0 to 32 MiB by 1 MiB; 0 is the model before
 * it, so the fit can only improve the in-sample squared error) by the least squared error of the OLS.
 */
import { ols } from './ols.js';
import type { Platform } from '../model/types.js';

/** One completed migration's stop-and-copy. */
export interface DowntimeObservation {
  downtimeSec: number;
  /** Wire bytes sent while the guest was stopped (ram.downtime-bytes). */
  stopCopyBytes: number;
  /** Pre-copy rounds before the switch-over (1: right after the first pass). */
  rounds: number;
  /**
   * Left out of the fit: XBZRLE and multifd runs (their stop-copy bytes are not the raw pages: deltas, compressed,
   * or 0) and post-copy runs that switched (their downtime is the switch's: Platform.postcopySwitchSec).
   */
  technique?: 'xbzrle' | 'multifd' | 'postcopy';
}

/**
 * Usable runs (pre-copy-like, with stop-copy bytes) needed before the buffered size is fitted; with fewer it is 0.
 * A fourth free constant on a few runs chases their noise (on one techniques-groups pass, ~15 runs a fold, it
 * swung between 3 and 19 MiB from fold to fold).
 */
export const BUFFERED_MIN_RUNS = 40;

/**
 * Runs of each kind (right after the first pass, later) needed to fit a rate for each; with fewer, one rate. Two
 * runs a kind (the rule before) let a fold of one techniques-groups pass fit a first-touch rate of 46 MB/s.
 */
export const TWO_RATE_MIN_RUNS = 5;

/** The grid of buffered bytes tried (MiB steps; Linux's default tcp_wmem + tcp_rmem maxima are 4 + 6 MiB). */
export const BUFFERED_GRID_BYTES: readonly number[] = Array.from({ length: 33 }, (_, i) => i * 2 ** 20);

export interface DowntimeFit {
  platform: Pick<Platform, 'resumeSec' | 'stopCopyRateBytesPerSec'> & Partial<Pick<Platform, 'firstTouchRateBytesPerSec' | 'stopCopyBufferedBytes'>>;
  r2: number;
  sse: number;
}

/** The fit at one buffered size: two rates when both kinds of switch-over are there (TWO_RATE_MIN_RUNS or more each), else one. */
export function fitDowntimeAt(obs: readonly DowntimeObservation[], buffered: number): DowntimeFit | undefined {
  const dt = obs.filter((o) => o.technique === undefined && o.stopCopyBytes > 0 && o.downtimeSec > 0);
  const x = (o: DowntimeObservation) => Math.max(0, o.stopCopyBytes - buffered);
  const first = dt.filter((o) => o.rounds === 1).length;
  const fits: [number[][], 'two' | 'one'][] = [];
  if (first >= TWO_RATE_MIN_RUNS && dt.length - first >= TWO_RATE_MIN_RUNS) fits.push([dt.map((o) => [1, o.rounds === 1 ? x(o) : 0, o.rounds === 1 ? 0 : x(o)]), 'two']);
  if (dt.length >= 3) fits.push([dt.map((o) => [1, x(o)]), 'one']);
  const y = dt.map((o) => o.downtimeSec);
  for (const [X, kind] of fits) {
    try {
      const f = ols(X, y);
      const [resume, a, b] = f.coefficients;
      if (!(a > 0) || (kind === 'two' && !(b > 0))) continue;
      const platform: DowntimeFit['platform'] = { resumeSec: Math.max(0, resume), stopCopyRateBytesPerSec: 1 / (kind === 'two' ? b : a) };
      if (kind === 'two') platform.firstTouchRateBytesPerSec = 1 / a;
      if (buffered > 0) platform.stopCopyBufferedBytes = buffered;
      let sse = 0;
      for (const r of f.residuals) sse += r * r;
      return { platform, r2: f.r2, sse };
    } catch {
      /* collinear: try the simpler fit */
    }
  }
  return undefined;
}

/**
 * The best fit over the grid of buffered sizes (least squared error; ties to the smaller size), or undefined
 * when no size gives a fit (fewer than 3 usable runs, or rates that come out negative). With fewer than
 * BUFFERED_MIN_RUNS usable runs, the fit at 0 buffered bytes.
 * @example fitDowntime(runs of 5 + 1 ms per MB beyond 10 MiB) // { stopCopyBufferedBytes: 10 MiB, resumeSec: 0.005, ... }
 */
export function fitDowntime(obs: readonly DowntimeObservation[], grid: readonly number[] = BUFFERED_GRID_BYTES): DowntimeFit | undefined {
  const usable = obs.filter((o) => o.technique === undefined && o.stopCopyBytes > 0 && o.downtimeSec > 0).length;
  if (usable < BUFFERED_MIN_RUNS) return fitDowntimeAt(obs, 0);
  let best: DowntimeFit | undefined;
  for (const b of grid) {
    const f = fitDowntimeAt(obs, b);
    if (f && (!best || f.sse < best.sse * (1 - 1e-12))) best = f;
  }
  return best;
}
