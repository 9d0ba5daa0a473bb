/**
 * How a guest's dirt answers auto-converge's throttle, and what the qemu rounds take from it. Pure.
 *
 * QEMU throttles a vCPU by making it sleep p / (1 - p) x 10 ms after every 10 ms it runs (cpu-throttle.c:
 * CPU_THROTTLE_TIMESLICE_NS, cpu_throttle_thread). What that does to the dirt depends on the writer, not on the
 * throttle alone:
 * - a CPU-bound writer, or one that drops what it could not write (paced in ticks, no catch-up), slows in
 *   proportion: rate(p) = rate(0) (1 - p);
 * - a writer paced by the clock that writes everything it owes after a pause (a real-time producer) keeps its
 *   rate as long as it can write a sleep's backlog in its 10 ms slice: the throttle cuts nothing;
 * - a writer that catches up at most C seconds of backlog after a pause keeps its rate until the sleep exceeds C,
 *   then loses the rest: rate(p) = rate(0) min(1, (1 - p) (1 + min(S(p), C) / 10 ms)), S(p) = p / (1 - p) x 10 ms.
 *   C = 0 is the proportional writer, C = infinity the full catch-up; a CPU-bound writer that needs a share u of
 *   the CPU is C = 10 ms x (1 / u - 1) from the throttle at which it starts to fall behind on (rate(p) = rate(0)
 *   (1 - p) / u there).
 * A probe at one throttle p0 (`sample --throttle-probe`) measures the share f of the dirt left; C follows:
 * C = 10 ms x (f / (1 - p0) - 1) when f < 1, and f = 1 (no cut at p0) is read as full catch-up — the probe cannot
 * tell a catch-up longer than S(p0) from an unbounded one, which is why it probes high (95 % by default).
 * Without a measured response the model keeps its assumption: rate(p) = rate(0) min(1, (1 - p) / u) with u the
 * vCPU load sampled (`vm.cpuUtilisation`, default 1: proportional).
 */
import type { ThrottleResponseSample } from './sample.js';
import type { CurvePoint, ThrottleResponse } from './types.js';
import { curveDirtiedBytes } from './dirty.js';

/** QEMU's throttle timeslice (cpu-throttle.c CPU_THROTTLE_TIMESLICE_NS, 10 ms), s. */
export const THROTTLE_TIMESLICE_SEC = 0.01;
/** A measured share at least this is "no cut" (page-sampling's noise at the probe's windows is a few %). */
export const NO_CUT_SHARE = 0.95;

/**
 * The exponent a in rate(p) = rate(0) (1 - p)^a at the probed throttle p, clamped to [0, 1]: 1 proportional, 0 full
 * catch-up, between capped. 1 when there was no dirt to cut (nothing to tell). Pure.
 * @example throttleExponent(0.5, 100, 50) // 1
 * @example throttleExponent(0.5, 100, 100) // 0
 */
export function throttleExponent(throttle: number, rateUnthrottled: number, rateThrottled: number): number {
  if (!(throttle > 0 && throttle < 1) || !(rateUnthrottled > 0)) return 1;
  const share = Math.max(rateThrottled, 0) / rateUnthrottled;
  if (share <= 0) return 1;
  return Math.min(1, Math.max(0, Math.log(share) / Math.log(1 - throttle)));
}

/**
 * The share of the dirt time a round keeps under throttle p: the round dirties as the unthrottled guest does in
 * `t x share`. `catchUpSlices` is C / 10 ms (Infinity: full catch-up). Pure.
 * @example throttledTimeShare(0.99, 0) // 0.01 (proportional)
 * @example throttledTimeShare(0.99, Infinity) // 1 (full catch-up)
 */
export function throttledTimeShare(p: number, catchUpSlices: number): number {
  if (!(p > 0)) return 1;
  if (p >= 1) return 0;
  const sleepSlices = p / (1 - p);
  return Math.min(1, (1 - p) * (1 + Math.min(sleepSlices, catchUpSlices)));
}

/** The catch-up (in 10 ms slices) a measured response implies: see the module's comment. */
export function catchUpSlices(r: ThrottleResponse): number {
  if (r.dirtShare >= NO_CUT_SHARE) return Infinity;
  return Math.max(0, r.dirtShare / (1 - r.throttle) - 1);
}

/**
 * How finely a probe's throttled windows can tell a share: one throttle period (10 ms / (1 - p): a run slice and
 * its sleep) over the windows' span. A writer that catches up dirties in bursts, one per run slice, and windows
 * shorter than a period catch a burst or none: over a span of n periods they hold n +- 1 bursts, whatever the
 * writer. At 95 % (a 0.2 s period) twelve 0.1 s windows span six periods: +- 1/6. Pure.
 * @example probeResolution(0.95, 1.2) // 0.2 / 1.2 = 0.1667
 */
export function probeResolution(throttle: number, spanSec: number): number {
  if (!(throttle > 0 && throttle < 1) || !(spanSec > 0)) return Infinity;
  return THROTTLE_TIMESLICE_SEC / (1 - throttle) / spanSec;
}

/**
 * The model's response from a probe: the measured share of dirt time left at the probed throttle. The throttled
 * window's distinct dirt is read back on the unthrottled curve (scaled to the unthrottled window the probe
 * measured): the time in which the unthrottled guest dirties as much is the share of the window the throttled one
 * kept — distinct dirt is not linear in time, so the rates' ratio alone would overstate the share of a writer
 * whose working set nears saturation within the window. A throttled rate within the probe's resolution
 * (`probeResolution`) or within `NO_CUT_SHARE` of the unthrottled one, whichever is wider, is read as no cut (a share
 * of 1): the windows alias against the throttle's bursts. Undefined without a usable probe (no dirt, no window on
 * either side, or a span under two throttle periods). Pure.
 * @example responseFromProbe({ throttle: 0.95, windowSec: 1, rateUnthrottled: 100, rateThrottled: 5, ... }, []) // { throttle: 0.95, dirtShare: 0.05 }
 */
export function responseFromProbe(probe: ThrottleResponseSample | undefined, curve: readonly CurvePoint[]): ThrottleResponse | undefined {
  if (!probe || !(probe.throttle > 0 && probe.throttle < 1) || !(probe.windowSec > 0)) return undefined;
  if (!(probe.rateUnthrottled > 0) || !(probe.rateThrottled >= 0) || probe.unthrottledWindows < 1 || probe.throttledWindows < 1) return undefined;
  const w = probe.windowSec;
  const resolution = probeResolution(probe.throttle, w * probe.throttledWindows);
  if (!(resolution < 0.5)) return undefined;
  const ratio = Math.min(1, probe.rateThrottled / probe.rateUnthrottled);
  // within the probe's resolution of no cut (or page-sampling's noise): read as no cut
  if (ratio >= Math.min(NO_CUT_SHARE, 1 - resolution)) return { throttle: probe.throttle, dirtShare: 1 };
  const atW = curve.length > 0 ? curveDirtiedBytes(curve, w) : 0;
  let share = ratio;
  if (atW > 0) {
    // The unthrottled curve's shape, scaled to this probe's unthrottled window: D(t) = k x curve(t); bisect the
    // first t in (0, w] with D(t) = the throttled window's dirt.
    const k = (probe.rateUnthrottled * w) / atW;
    const target = probe.rateThrottled * w;
    let lo = 0;
    let hi = w;
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (k * curveDirtiedBytes(curve, mid) < target) lo = mid;
      else hi = mid;
    }
    share = Math.min(ratio, Math.max(0, hi / w));
  }
  return { throttle: probe.throttle, dirtShare: share };
}
