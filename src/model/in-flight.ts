/**
 * A migration in flight: what is left of it, re-predicted from the statistics so far (QEMU's query-migrate or
 * libvirt's domjobinfo, reduced to `InFlight`), with the same switch-over rule as the pre-copy model (QEMU stops
 * when what is pending can be sent within the downtime limit at the measured rate) and the same auto-converge
 * schedule (throttle from `cpu-throttle-initial` 20 %, +10 % per round that does not converge, at most 99 %).
 *
 * The dirt of the passes to come: with the pre-migration sample's curve (`InFlightDirt`: distinct bytes dirtied
 * within a window, which levels off at the working set), a pass of t seconds leaves curve(t) to send — known from
 * the first poll on; without one, QEMU's measured dirty rate x t, known only once the first pass has ended (one rate
 * per pass, measured over a window longer than the passes near the threshold: it under-predicts there).
 * Pure; `watch` polls and renders it.
 */
import type { CurvePoint } from './types.js';
import { curveDirtiedBytes } from './dirty.js';
import { expectedCheckIntervalSec } from './qemu-timing.js';

export interface InFlight {
  elapsedSec: number;
  /** Bytes sent so far, and bytes still pending in the current pass (QEMU's ram.remaining). */
  transferredBytes: number;
  remainingBytes: number;
  /** Guest RAM (QEMU's ram.total). */
  memoryBytes: number;
  /** Bitmap syncs so far (QEMU's dirty-sync-count; libvirt's memory_iteration): 1 during the first pass. */
  syncs: number;
  /** QEMU's measured dirty rate (dirty-pages-rate x page size): 0 until the first pass ends. */
  dirtyRateBytesPerSec: number;
  /** The measured transfer rate (QEMU's mbps), or the configured cap when none is measured yet. */
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  autoConverge: boolean;
  /** The current auto-converge throttle, 0-1. */
  throttle: number;
  /**
   * Seconds since the current pass began (since the bitmap sync that started it), when the caller saw the sync;
   * default: in the first pass, the bytes sent over the rate; later, 0 (the pass's dirt so far is not counted).
   */
  passElapsedSec?: number;
  /** The length of the last whole pass (between the two syncs around it), when the caller saw both. */
  lastPassSec?: number;
  /**
   * The transfer rate over the caller's readings of the last second or more (`RateWindow`): QEMU's own is measured
   * over 100 ms and wobbles (under TCG, 70-135 MiB/s within a second below a 200 MiB/s cap). With the sample's curve
   * the rest is timed with it when given.
   */
  averageRateBytesPerSec?: number;
}

/** The readings' transfer rate over a window of at least `minSec` (the latest reading at least that old to now). */
export class RateWindow {
  private readings: { elapsedSec: number; transferredBytes: number }[] = [];
  constructor(readonly minSec = 1) {}
  /** Adds a reading; answers the rate over the window ending at it, or undefined before one is that long. */
  add(elapsedSec: number, transferredBytes: number): number | undefined {
    if (!(transferredBytes > 0)) return undefined; // before data moves (libvirt's setup): no rate to average
    this.readings.push({ elapsedSec, transferredBytes });
    let from: { elapsedSec: number; transferredBytes: number } | undefined;
    let drop = 0;
    for (let i = this.readings.length - 2; i >= 0; i--) {
      if (elapsedSec - this.readings[i].elapsedSec >= this.minSec) {
        from = this.readings[i];
        drop = i;
        break;
      }
    }
    this.readings.splice(0, drop); // older ones can no longer be the window's start
    if (!from) return undefined;
    const rate = (transferredBytes - from.transferredBytes) / (elapsedSec - from.elapsedSec);
    return rate > 0 ? rate : undefined;
  }
}

/** What the pre-migration sample says about the guest's dirt (model/from-sample.ts's `inFlightDirtFromSample`). */
export interface InFlightDirt {
  /** Distinct bytes dirtied within a window of `windowSec` (the sample's curve), sorted by window. */
  curve: readonly CurvePoint[];
  /** Share of RAM that is zero pages (sent as flags by the first pass, at no cost). Default 0. */
  zeroPageFraction?: number;
  /** The guest's vCPU load, 0-1: an auto-converge throttle caps the vCPU and bites only above it. Default 1. */
  cpuUtilisation?: number;
  /**
   * The final copy's rate: QEMU lifts its rate limit for it (the platform's fitted stop-and-copy rate; default a
   * 10 Gbit/s link, or the transfer rate if higher), and the resume after it (s, default 0).
   */
  stopCopyRateBytesPerSec?: number;
  resumeSec?: number;
}

/** The final copy's default rate: a 10 Gbit/s link (model/precopy.ts's DEFAULT_LINK_BYTES_PER_SEC). */
const DEFAULT_STOP_COPY_BYTES_PER_SEC = 10e9 / 8;
/** How far QEMU's measured dirt may move the sample's curve (a factor): beyond it, the curve is kept as bounded. */
export const CURVE_SCALE_BOUNDS = [0.25, 4] as const;

export interface InFlightPrediction {
  /** Seconds until the migration ends (the switch-over included); Infinity when it will not converge. */
  etaSec: number;
  /** The predicted total time (elapsed + eta). */
  totalTimeSec: number;
  downtimeSec: number;
  /** Bytes still to send. */
  remainingTransferBytes: number;
  converges: boolean;
  /** Whether the dirt to come is known: from the sample's curve at once, or QEMU's rate once the first pass ended. */
  rateKnown: boolean;
  /** Where the dirt to come was taken from. */
  dirtFrom: 'sample' | 'qemu' | 'none';
  /** Share of the predicted bytes already sent, 0-1. */
  progress: number;
}

const MAX_ROUNDS = 1000;
export const AUTO_CONVERGE_INITIAL = 0.2;
export const AUTO_CONVERGE_INCREMENT = 0.1;
export const AUTO_CONVERGE_MAX = 0.99;
/** QEMU's throttle-trigger-threshold: dirt above this share of the bytes sent since the last judgement is "high". */
export const AUTO_CONVERGE_TRIGGER = 0.5;

/** Re-predicts what is left of a migration in flight; with the sample's dirt when given (see the header). */
export function predictInFlight(s: InFlight, dirt?: InFlightDirt): InFlightPrediction {
  const b = s.bandwidthBytesPerSec;
  if (!(b > 0)) {
    return { etaSec: Infinity, totalTimeSec: Infinity, downtimeSec: Infinity, remainingTransferBytes: s.remainingBytes, converges: false, rateKnown: false, dirtFrom: 'none', progress: 0 };
  }
  if (dirt && dirt.curve.length > 0) return predictWithCurve(s, dirt);
  const rateKnown = s.syncs >= 2;
  const d0 = rateKnown ? s.dirtyRateBytesPerSec : 0;
  const limitBytes = b * s.downtimeLimitSec;
  let pending = s.remainingBytes;
  let eta = 0;
  let sent = 0;
  let throttle = s.throttle;
  // In the first pass, `remaining` counts the pages not yet scanned: the pass ends when they are sent; nothing
  // is known yet about the dirt it leaves (rateKnown false), so this is the least the migration can take.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (pending <= limitBytes) {
      const down = pending / b;
      eta += down;
      sent += pending;
      return finish(s, eta, down, sent, true, rateKnown);
    }
    const t = pending / b;
    eta += t;
    sent += pending;
    const d = d0 * (1 - throttle);
    const next = Math.min(s.memoryBytes, d * t);
    if (next >= pending) {
      if (!s.autoConverge || throttle >= AUTO_CONVERGE_MAX) return finish(s, Infinity, Infinity, Infinity, false, rateKnown);
    }
    if (s.autoConverge && next > limitBytes) throttle = throttle === 0 ? AUTO_CONVERGE_INITIAL : Math.min(AUTO_CONVERGE_MAX, throttle + AUTO_CONVERGE_INCREMENT);
    pending = next;
  }
  return finish(s, Infinity, Infinity, Infinity, false, rateKnown);
}

/** Before the first pass ends, the share of RAM scanned counts for half the bar: the dirt it leaves is unknown. */
export const FIRST_PASS_SHARE = 0.5;

/**
 * With the sample's curve: the current pass sends what is pending (in the first pass the zero pages go as flags,
 * at no cost), leaving curve(its whole length) — the length counted from the sync that began it; each later pass
 * of t s sends what the previous left and leaves curve(t). QEMU switches over when what a pass leaves fits the
 * downtime limit at the rate, and copies it at the uncapped stop-and-copy rate. Auto-converge steps as QEMU does
 * (a judgement at the first sync 1 s after the last, a step after two high ones), not every pass. A pass that leaves as much as the one before never converges unless auto-converge
 * can still raise its throttle, which caps the vCPU: the guest runs min(1, (1 - throttle) / load) of the time.
 */
function predictWithCurve(s: InFlight, dirt: InFlightDirt): InFlightPrediction {
  const b = s.averageRateBytesPerSec !== undefined && s.averageRateBytesPerSec > 0 ? s.averageRateBytesPerSec : s.bandwidthBytesPerSec;
  const limitBytes = b * s.downtimeLimitSec;
  const load = Math.min(1, Math.max(0.01, dirt.cpuUtilisation ?? 1));
  const running = (sec: number, throttle: number) => (throttle > 0 ? sec * Math.min(1, (1 - throttle) / load) : sec);
  // Once a whole pass after the first has been timed, QEMU's measured dirt over it scales the curve (bounded): the
  // guest may dirty more or less now than when it was sampled. Not after the first pass alone (see InFlightTracker).
  let scale = 1;
  if (s.syncs >= 3 && s.lastPassSec !== undefined && s.lastPassSec > 0 && s.dirtyRateBytesPerSec > 0) {
    const expected = curveDirtiedBytes(dirt.curve, running(s.lastPassSec, s.throttle));
    if (expected > 0) scale = Math.min(CURVE_SCALE_BOUNDS[1], Math.max(CURVE_SCALE_BOUNDS[0], (s.dirtyRateBytesPerSec * s.lastPassSec) / expected));
  }
  const dirtied = (sec: number, throttle: number) => Math.min(s.memoryBytes, scale * curveDirtiedBytes(dirt.curve, running(sec, throttle)));
  const stopRate = Math.max(b, dirt.stopCopyRateBytesPerSec ?? DEFAULT_STOP_COPY_BYTES_PER_SEC);
  const resume = dirt.resumeSec ?? 0;
  const firstPass = s.syncs <= 1;
  let wireShare = firstPass ? 1 - Math.min(1, Math.max(0, dirt.zeroPageFraction ?? 0)) : 1;
  let passSoFar = s.passElapsedSec ?? (firstPass ? s.transferredBytes / b : 0);
  let pending = s.remainingBytes;
  let throttle = s.throttle;
  let eta = 0;
  let sent = 0;
  // Auto-converge as QEMU schedules it (precopy.ts): judged at the first sync more than 1 s after the last
  // judgement, a step when the dirt exceeded half the bytes sent since, twice in a row.
  let checkCredit = 0;
  let high = 0;
  let periodDirty = 0;
  let periodSent = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const wire = pending * wireShare;
    const t = wire / b;
    eta += t;
    sent += wire;
    const passSec = passSoFar + t;
    const next = dirtied(passSec, throttle);
    if (next <= limitBytes) {
      const down = next / stopRate + resume;
      return finish(s, eta + down, down, sent + next, true, true, 'sample');
    }
    // Round 0 is what is left of the current pass (perhaps nearly done): only whole passes are compared.
    if (round > 0 && next >= pending * (1 - 1e-6) && (!s.autoConverge || throttle >= AUTO_CONVERGE_MAX)) break;
    if (s.autoConverge && passSec > 0) {
      periodDirty += next;
      periodSent += wire;
      checkCredit += passSec / expectedCheckIntervalSec(passSec);
      if (checkCredit >= 1 - 1e-9) {
        checkCredit -= 1;
        if (periodDirty > AUTO_CONVERGE_TRIGGER * periodSent && ++high >= 2) {
          high = 0;
          throttle = throttle === 0 ? AUTO_CONVERGE_INITIAL : Math.min(AUTO_CONVERGE_MAX, throttle + AUTO_CONVERGE_INCREMENT);
        }
        periodDirty = 0;
        periodSent = 0;
      }
    }
    pending = next;
    wireShare = 1;
    passSoFar = 0;
  }
  return finish(s, Infinity, Infinity, Infinity, false, true, 'sample');
}

function finish(s: InFlight, eta: number, down: number, toSend: number, converges: boolean, rateKnown: boolean, dirtFrom: InFlightPrediction['dirtFrom'] = rateKnown ? 'qemu' : 'none'): InFlightPrediction {
  const total = s.transferredBytes + toSend;
  const firstPass = s.memoryBytes > 0 ? Math.min(1, (s.memoryBytes - s.remainingBytes) / s.memoryBytes) : 0;
  return {
    etaSec: eta,
    totalTimeSec: s.elapsedSec + eta,
    downtimeSec: down,
    remainingTransferBytes: toSend,
    converges,
    rateKnown,
    dirtFrom,
    progress: !rateKnown ? FIRST_PASS_SHARE * firstPass : converges && total > 0 ? s.transferredBytes / total : 0,
  };
}

/** Readings in a row that must predict an end after the time-out (or none) before the warning. */
export const WARN_AFTER_READINGS = 2;

/** Platforms' completion time-outs, scaled by the VM's RAM, and what they do then. */
export const PLATFORM_TIMEOUTS = {
  /** OpenStack Nova: live_migration_completion_timeout = 800 s per GiB of RAM, then abort (default action). */
  nova: { secPerGiB: 800, action: 'abort' },
  /** KubeVirt: completionTimeoutPerGiB = 150 s, then post-copy if allowed (off by default), else abort. */
  kubevirt: { secPerGiB: 150, action: 'abort (post-copy if the migration policy allows it)' },
} as const;
export type PlatformName = keyof typeof PLATFORM_TIMEOUTS;

export function platformTimeoutSec(platform: PlatformName, memoryBytes: number): number {
  return PLATFORM_TIMEOUTS[platform].secPerGiB * (memoryBytes / 2 ** 30);
}

/**
 * What `watch` shows, kept from running backwards: the progress never falls (a pass that finds more dirt than
 * predicted holds the bar rather than pulling it back), and the warning about the time-out comes on the first
 * prediction that the migration will not end before it.
 */
export class InFlightTracker {
  private progress = 0;
  private warned = false;
  /** Bad verdicts in a row so far. */
  private bad = 0;
  constructor(readonly completionTimeoutSec?: number) {}
  /**
   * `syncs`: the bitmap syncs so far. The warning needs the verdict on two readings in a row (one re-prediction near
   * the threshold can flip: a pass a little longer than the last). With QEMU's rate alone, none comes right after
   * the first pass (syncs 2): that rate was measured over the whole first pass and a later pass must confirm it;
   * with the sample's curve it may come in the first pass.
   *
   * `check`: with the sample's curve, the same re-prediction from QEMU's measured rate alone. Given, the warning
   * also needs it to say so, from the first rate QEMU measured on (syncs 2): a curve sampled before the migration
   * can over-state the dirt during it (a write phase that ended, a guest slowed by the migration itself), and an
   * operator acting on a false alarm cancels a migration that would have ended. The warning then comes once the
   * first pass has ended, not during it.
   */
  update(p: InFlightPrediction, syncs?: number, check?: InFlightPrediction): { progress: number; warning?: string } {
    this.progress = Math.max(this.progress, p.progress);
    const t = this.completionTimeoutSec;
    const early = p.dirtFrom === 'qemu' && syncs !== undefined && syncs <= 2;
    const late = (q: InFlightPrediction) => t !== undefined && (!q.converges || q.totalTimeSec > t);
    const confirmed = check === undefined || (check.rateKnown && late(check));
    const bad = t !== undefined && p.rateKnown && !early && confirmed && late(p);
    this.bad = bad ? this.bad + 1 : 0;
    if (t !== undefined && !this.warned && this.bad >= WARN_AFTER_READINGS) {
      this.warned = true;
      return { progress: this.progress, warning: p.converges ? `predicted to end at ${p.totalTimeSec.toFixed(1)} s, after the completion time-out at ${t.toFixed(0)} s` : `predicted not to converge: the completion time-out at ${t.toFixed(0)} s will end it` };
    }
    return { progress: this.progress };
  }
  get warningGiven(): boolean {
    return this.warned;
  }
}
