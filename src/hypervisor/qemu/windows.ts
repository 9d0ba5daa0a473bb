/** The sampling windows (seconds) migcost uses, named once. QEMU's calc-dirty-rate takes 50 ms to 60 s. */
import { curveSaturation } from '../../model/dirty.js';
import type { CurvePoint } from '../../model/types.js';

/** `migcost sample` and the lab: the short ones catch workloads that cover their working set in a fraction
 * of a second (what an auto-converge throttle leaves them), the long ones the saturation. */
export const FULL_WINDOWS_SEC: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2, 4];

/** Just before a real move (`execute`, `POST /v1/execute`), `plan --live` and the agent: about 1.3 s in all. */
export const QUICK_WINDOWS_SEC: readonly number[] = [0.05, 0.25, 1];

/** `sample --horizon`: the length of each of the back-to-back page-sampling windows spread over the horizon. */
export const PHASE_WINDOW_SEC = 0.5;

/** The pseudo-migration's target round lengths. */
export const PSEUDO_MIGRATION_WINDOWS_SEC: readonly number[] = [1, 4];

/** How far apart the two RAM dumps of a layout start. */
export const LAYOUT_WINDOW_SEC = 1;

/** calc-dirty-rate's shortest window (QEMU takes 50 ms to 60 s). */
export const MIN_WINDOW_SEC = 0.05;

/**
 * `sample --horizon`'s window for a guest whose sampled curve is `curve` (points of window and distinct dirt): where
 * the curve has levelled off at a working set (`curveSaturation`), the longest curve window, up to
 * `PHASE_WINDOW_SEC`, whose distinct dirt is at most half that level. A window the working set fills reads the same
 * whatever the guest does in it, so it cannot show a phase (the throttle probe's rule, throttle-probe.ts
 * `probeWindows`): memtester rewrites its 32 MiB within 50 ms, so every 500 ms window reads the whole set, while
 * 50 ms ones show its slower tests. Every window past half: the curve's shortest (at least `MIN_WINDOW_SEC`); a
 * curve that has not levelled off (or no dirt): `PHASE_WINDOW_SEC`. Pure.
 * @example phaseWindowFor([{ windowSec: 0.05, dirtiedBytes: 4 }, { windowSec: 0.25, dirtiedBytes: 12 }, { windowSec: 0.5, dirtiedBytes: 20 }, { windowSec: 1, dirtiedBytes: 32 }, { windowSec: 2, dirtiedBytes: 32 }]) // 0.25
 * @example phaseWindowFor([{ windowSec: 0.05, dirtiedBytes: 33 }, { windowSec: 1, dirtiedBytes: 35 }, { windowSec: 2, dirtiedBytes: 35 }]) // 0.05
 */
export function phaseWindowFor(curve: readonly CurvePoint[]): number {
  const level = curveSaturation(curve);
  if (level === undefined || !(level > 0)) return PHASE_WINDOW_SEC;
  const fit = curve.filter((p) => p.windowSec <= PHASE_WINDOW_SEC && p.dirtiedBytes <= level / 2).map((p) => p.windowSec);
  const w = fit.length > 0 ? Math.max(...fit) : Math.min(PHASE_WINDOW_SEC, ...curve.map((p) => p.windowSec));
  return Math.max(MIN_WINDOW_SEC, w);
}
