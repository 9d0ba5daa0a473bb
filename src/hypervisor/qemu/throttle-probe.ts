/**
 * The throttle probe (`sample --throttle-probe`, opt-in: it slows the guest for a few seconds): how the guest's
 * dirt answers auto-converge's throttle. Under TCG the only vCPU throttle is auto-converge's, during a migration,
 * so the probe runs a pseudo-migration (to a sink, never switched over) with auto-converge on, its trigger at 1 %
 * (`throttle-trigger-threshold`: QEMU throttles at the second period of >= 1 s whose dirt exceeds 1 % of what was
 * sent, ram.c migration_trigger_throttle) and its first and highest throttle both at the probed level
 * (`cpu-throttle-initial`, `max-cpu-throttle`: it never steps past it). Meanwhile back-to-back page-sampling
 * windows measure the distinct dirt rate, before the throttle comes on and while it is on (`cpu-throttle-percentage`
 * at both ends of a window; a window across the change counts for neither). The bandwidth cap keeps the
 * pseudo-migration from converging before that (see below): a guest that dirties too little to keep it going
 * (under 1 KiB a round at the trickle) has no response worth modelling, and gets none. Then the migration is cancelled
 * (QEMU lifts the throttle when a migration ends) and every setting put back, as after any migration (runMigration).
 */
import type { Monitor } from './qmp.js';
import type { ThrottleResponseSample } from '../../model/sample.js';
import type { CurvePoint } from '../../model/types.js';
import { throttleExponent, THROTTLE_TIMESLICE_SEC } from '../../model/throttle-response.js';
import { curveDirtiedBytes } from '../../model/dirty.js';

export interface ThrottleProbeOptions {
  /** The throttle to probe at, in (0, 1) (QEMU takes whole percents, 1-99). Default `DEFAULT_PROBE_THROTTLE`. */
  throttle?: number;
  /** Each page-sampling window (s). Default: `probeWindows` of `curve`. */
  windowSec?: number;
  /** Windows to measure on each side. Default: `probeWindows` of `curve`. */
  windows?: number;
  /** The sampled dirt curve, to choose the windows by (default: none, the longest window). */
  curve?: readonly CurvePoint[];
  /** Give up (cancel) if the throttle is not on this long after the first pass (s); once it is, the throttled windows get their own time. Default 20. */
  budgetSec?: number;
  /** Where the pseudo-migration sends its pages (default sample.ts PSEUDO_MIGRATION_URI). */
  uri?: string;
  /** Pages sampled per GiB by calc-dirty-rate. Default 16384, QEMU's most. */
  samplePagesPerGiB?: number;
  signal?: AbortSignal;
  /** Told why the probe measured nothing, where it did not (the probe then gives undefined). */
  onSkip?: (reason: string) => void;
}

/**
 * The default probed throttle: 95 %. A writer that catches up at most C of backlog after a pause looks like a
 * full catch-up at any throttle whose sleep (p / (1 - p) x 10 ms) is under C: at 50 % (10 ms) nearly every paced
 * writer does (the lab's own dirtier catches up 100 ms), at 95 % (190 ms) only those paced by the clock alone.
 */
export const DEFAULT_PROBE_THROTTLE = 0.95;

const MIB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The probe's longest window for throttle p: five throttle periods (10 ms / (1 - p) each), 0.25-2 s. */
export function probeWindowSec(p: number): number {
  // whole milliseconds, as QEMU takes them
  return Math.min(2, Math.max(0.25, Math.round((5000 * THROTTLE_TIMESLICE_SEC) / (1 - p)) / 1000));
}

/** Three round trips to the monitor, timed: the mean, s. */
async function monitorLatencySec(qmp: Monitor): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) await qmp.queryMigrate();
  return (performance.now() - t0) / 3000;
}

/**
 * How long the rounds after the probe's first pass must last before they could converge: long enough for the
 * driver to see the first pass end and set the next cap (a poll and a command: two round trips and the 20 ms poll),
 * twice over; at least 0.1 s. Pure.
 * @example leadSec(0.001) // 0.1
 * @example leadSec(0.07) // 4 x 0.07 + 0.04 = 0.32
 */
export function leadSec(latencySec: number): number {
  return Math.max(0.1, 4 * latencySec + 0.04);
}

/**
 * The probe's first-pass cap (bytes/s): the fastest under which the rounds after the first pass take at least
 * `leadSec` to converge. A first pass of M non-zero bytes at cap B lasts M / B and leaves X = the distinct dirt of
 * that time (the curve's, or rate x time without one); the rounds after it shrink by D / B each, and take
 * X / (B - D) in all to converge. So the largest B with X(M / B) / (B - D) >= leadSec, between just over D and the
 * old cap of a 0.5 s first pass (at least 32 MiB/s); the latter for a guest that does not dirty. Pure.
 * @example firstPassCap(156 * MiB, 20 * MiB, 0.25, []) // ~122 MiB/s: B (B - 20 MiB/s) = 20 x 156 / 0.25 MiB^2/s^2
 */
export function firstPassCap(nonZeroBytes: number, dirtyRateBytesPerSec: number, lead: number, curve: readonly CurvePoint[]): number {
  const hi = Math.max(32 * MIB, nonZeroBytes / 0.5);
  const d = Math.max(0, dirtyRateBytesPerSec);
  if (!(d > 0) || !(nonZeroBytes > 0)) return hi;
  const level = curve.reduce((m, p) => Math.max(m, p.dirtiedBytes), 0);
  const dirt = (t: number) => (level > 0 ? curveDirtiedBytes(curve, t) : d * t);
  const lasts = (b: number) => b <= d || dirt(nonZeroBytes / b) / (b - d) >= lead;
  if (lasts(hi)) return hi;
  let lo = d;
  let up = hi;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + up) / 2;
    if (lasts(mid)) lo = mid;
    else up = mid;
  }
  return Math.max(MIB, lo);
}

/**
 * The probe's window and window count for throttle p, given the sampled curve: the longest curve window, up to
 * `probeWindowSec(p)`, whose distinct dirt is at most half the curve's level (a window the working set saturates
 * cannot show a cut), at least 0.1 s; as many windows as make two of those longest windows (2-12). Pure.
 * @example probeWindows(0.95, [{ windowSec: 0.1, dirtiedBytes: 8 }, { windowSec: 0.25, dirtiedBytes: 20 }, { windowSec: 1, dirtiedBytes: 32 }]) // { windowSec: 0.25, windows: 8 }
 */
export function probeWindows(p: number, curve: readonly CurvePoint[]): { windowSec: number; windows: number } {
  const longest = probeWindowSec(p);
  const level = curve.reduce((m, x) => Math.max(m, x.dirtiedBytes), 0);
  let w = longest;
  if (level > 0) {
    const fit = curve.filter((x) => x.windowSec <= longest && x.dirtiedBytes <= level / 2).map((x) => x.windowSec);
    w = fit.length > 0 ? Math.max(...fit) : Math.min(longest, ...curve.map((x) => x.windowSec));
  }
  w = Math.max(0.1, w);
  return { windowSec: w, windows: Math.min(12, Math.max(2, Math.ceil((2 * longest) / w))) };
}

/**
 * Probes the guest's response to a throttle. Undefined when the probe could not measure both sides (the guest
 * dirties too little for QEMU to throttle it, or the pseudo-migration ended first). `memoryBytes`,
 * `zeroPageFraction` and `dirtyRateBytesPerSec` (from the sample so far) size the pseudo-migration's cap: rounds
 * short enough that QEMU's once-a-second check runs every second or so.
 */
export async function probeThrottle(qmp: Monitor, memoryBytes: number, zeroPageFraction: number, dirtyRateBytesPerSec: number, opts: ThrottleProbeOptions = {}): Promise<ThrottleResponseSample | undefined> {
  const p = opts.throttle ?? DEFAULT_PROBE_THROTTLE;
  const budget = opts.budgetSec ?? 20;
  const pct = Math.round(p * 100);
  if (!(pct >= 1 && pct <= 99)) throw new RangeError(`throttle probe: throttle must be between 1 % and 99 % (got ${p})`);
  const chosen = probeWindows(pct / 100, opts.curve ?? []);
  const w = opts.windowSec ?? chosen.windowSec;
  const n = opts.windows ?? chosen.windows;
  const samplePages = opts.samplePagesPerGiB ?? 16384;
  const { runMigration } = await import('./migrate.js');
  const { PSEUDO_MIGRATION_URI } = await import('./sample.js');
  if (opts.signal?.aborted) throw opts.signal.reason;
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([stop.signal, opts.signal]) : stop.signal;
  // The cap, in three steps. A first pass as fast as it may be (`firstPassCap`); then, from its last `leadSec` (what
  // is left of it at the first cap: zero pages go faster, so this may come late) or the first sync after it,
  // half the guest's dirt rate, so that the pending dirt never shrinks (the pseudo-migration must not reach its
  // switch-over) and rounds end, each with a bitmap sync, often enough for QEMU's once-a-second check to throttle
  // within a few seconds; once the throttle is on, a trickle, so that a throttled guest's smaller dirt cannot let it
  // converge while it is measured. Each cut lands one monitor round trip or two after QEMU's counters show it due:
  // the first pass's cap leaves the rounds after it that long at least before they could converge.
  // Where QEMU takes the switch-over's bandwidth as a parameter (`avail-switchover-bandwidth`, 8.2 and later), it is
  // set to 1 MiB/s: a threshold (bandwidth x the 1 ms downtime limit) of 1 KiB, under one page, so that only a round
  // with nothing pending could converge. (A downtime limit of 0 does not do it: QEMU then switches over at the end of
  // the first pass, before it syncs the bitmap.)
  const knowsSwitchoverBandwidth = await qmp.execute<Record<string, unknown>>('query-migrate-parameters').then((x) => typeof x['avail-switchover-bandwidth'] === 'number', () => false);
  const latencySec = await monitorLatencySec(qmp);
  const lead = leadSec(latencySec);
  const nonZeroBytes = memoryBytes * (1 - zeroPageFraction);
  const capFirst = firstPassCap(nonZeroBytes, dirtyRateBytesPerSec, lead, opts.curve ?? []);
  const capRounds = Math.max(256 * 1024, dirtyRateBytesPerSec / 2);
  const firstPassSec = nonZeroBytes / capFirst;
  const capTrickle = 64 * 1024;
  let phase = 0;
  // awaited by the driver before its next poll, so never after the settings are put back
  const setCap = (bytesPerSec: number) => qmp.execute('migrate-set-parameters', { 'max-bandwidth': Math.round(bytesPerSec) }).then(() => {}, () => {});
  let status = 'setup';
  let throttleNow = 0;
  let ended = false;
  let why = '';
  const t0 = Date.now();
  const migration = runMigration({
    source: qmp,
    uri: opts.uri ?? PSEUDO_MIGRATION_URI,
    bandwidthBytesPerSec: capFirst,
    downtimeLimitSec: 0.001,
    ...(knowsSwitchoverBandwidth ? { switchoverBandwidthBytesPerSec: MIB } : {}),
    autoConverge: true,
    autoConvergeParameters: { 'throttle-trigger-threshold': 1, 'cpu-throttle-initial': pct, 'max-cpu-throttle': pct },
    // the windows under the throttle get their own time (and room for a slow monitor: libvirt's pass-through
    // spawns virsh for every command) past the time the throttle may take to come on
    timeoutSec: firstPassSec + budget + n * (w + 1) + 5,
    pseudo: true,
    pollMs: 20,
    signal,
    onProgress: async (q) => {
      status = q.status ?? 'none';
      throttleNow = (q['cpu-throttle-percentage'] ?? 0) / 100;
      const syncs = q.ram?.['dirty-sync-count'] ?? 0;
      if (phase === 0 && status === 'active' && (syncs >= 2 || (syncs === 1 && (q.ram?.remaining ?? Infinity) < capFirst * lead))) {
        phase = 1;
        await setCap(capRounds);
      }
      if (phase === 1 && throttleNow > 0) {
        phase = 2;
        await setCap(capTrickle);
      }
    },
  }).then((m) => {
    if (!why) why = `the pseudo-migration ended after ${((Date.now() - t0) / 1000).toFixed(1)} s (QEMU: ${m.final.status ?? 'unknown'}${m.measured.error && !stop.signal.aborted ? `, ${m.measured.error}` : ''}) before both sides were measured`;
    return m;
  }).finally(() => {
    ended = true;
  });
  const unthrottled: number[] = [];
  const throttled: number[] = [];
  try {
    while (!ended && status !== 'active') await sleep(10);
    while (!ended && throttled.length < n) {
      // not throttled within the budget: the guest dirties too little for QEMU to throttle it, or the monitor is too slow
      if (throttleNow === 0 && (Date.now() - t0) / 1000 > firstPassSec + budget) {
        why = `QEMU did not throttle within ${budget} s of the first pass (the guest dirties too little, or the monitor is slow)`;
        break;
      }
      const before = throttleNow;
      const rate = await window(qmp, w, samplePages);
      const after = throttleNow;
      if (ended || status !== 'active') {
        if (!ended) why = `the pseudo-migration left 'active' (${status}) before both sides were measured`;
        break;
      }
      if (rate === undefined) {
        await sleep(50); // a window QEMU refused or did not finish: the next one
        continue;
      }
      if (before === 0 && after === 0) {
        unthrottled.push(rate);
        if (unthrottled.length > 2 * n) unthrottled.shift(); // keep the last ones, the nearest the throttle
      } else if (Math.abs(before - pct / 100) < 0.005 && Math.abs(after - pct / 100) < 0.005) throttled.push(rate);
    }
  } finally {
    stop.abort(new Error('throttle probe: done'));
    // runMigration restores every setting (and QEMU lifts the throttle) before it resolves.
    await migration;
  }
  if (opts.signal?.aborted) throw opts.signal.reason;
  if (unthrottled.length === 0 || throttled.length === 0) {
    opts.onSkip?.(`${why || 'no window measured'}: ${unthrottled.length} unthrottled and ${throttled.length} throttled windows`);
    return undefined;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rateUnthrottled = mean(unthrottled);
  const rateThrottled = mean(throttled);
  return { throttle: pct / 100, windowSec: w, rateUnthrottled, rateThrottled, unthrottledWindows: unthrottled.length, throttledWindows: throttled.length, exponent: throttleExponent(pct / 100, rateUnthrottled, rateThrottled) };
}

interface DirtyRateInfo {
  status: string;
  'dirty-rate'?: number;
}

/** One calc-dirty-rate window (bytes/s), or undefined where QEMU refused it or it did not finish. */
async function window(qmp: Monitor, sec: number, samplePages: number): Promise<number | undefined> {
  try {
    await qmp.execute('calc-dirty-rate', { 'calc-time': Math.round(sec * 1000), 'calc-time-unit': 'millisecond', 'sample-pages': samplePages, mode: 'page-sampling' });
  } catch {
    return undefined;
  }
  const deadline = Date.now() + sec * 1000 + 5_000;
  await sleep(sec * 1000);
  for (;;) {
    const info = await qmp.execute<DirtyRateInfo>('query-dirty-rate');
    if (info.status === 'measured') return (info['dirty-rate'] ?? 0) * MIB;
    if (Date.now() > deadline) return undefined;
    await sleep(10);
  }
}
