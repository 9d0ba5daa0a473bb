/**
 * A migration in flight: what is left of it, re-predicted from the statistics so far (QEMU's query-migrate or
 * libvirt's domjobinfo, reduced to `InFlight`), with the same switch-over rule as the pre-copy model (QEMU stops
 * when what is pending can be sent within the downtime limit at the measured rate) and the same auto-converge
 * schedule (throttle from `cpu-throttle-initial` 20 %, +10 % per round that does not converge, at most 99 %).
 * Pure; `watch` polls and renders it.
 */

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
}

export interface InFlightPrediction {
  /** Seconds until the migration ends (the switch-over included); Infinity when it will not converge. */
  etaSec: number;
  /** The predicted total time (elapsed + eta). */
  totalTimeSec: number;
  downtimeSec: number;
  /** Bytes still to send. */
  remainingTransferBytes: number;
  converges: boolean;
  /** Whether the dirty rate is known yet (QEMU reports it only after the first pass). */
  rateKnown: boolean;
  /** Share of the predicted bytes already sent, 0-1. */
  progress: number;
}

const MAX_ROUNDS = 1000;
export const AUTO_CONVERGE_INITIAL = 0.2;
export const AUTO_CONVERGE_INCREMENT = 0.1;
export const AUTO_CONVERGE_MAX = 0.99;

/** Re-predicts what is left of a migration in flight. */
export function predictInFlight(s: InFlight): InFlightPrediction {
  const b = s.bandwidthBytesPerSec;
  if (!(b > 0)) {
    return { etaSec: Infinity, totalTimeSec: Infinity, downtimeSec: Infinity, remainingTransferBytes: s.remainingBytes, converges: false, rateKnown: false, progress: 0 };
  }
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

function finish(s: InFlight, eta: number, down: number, toSend: number, converges: boolean, rateKnown: boolean): InFlightPrediction {
  const total = s.transferredBytes + toSend;
  const firstPass = s.memoryBytes > 0 ? Math.min(1, (s.memoryBytes - s.remainingBytes) / s.memoryBytes) : 0;
  return {
    etaSec: eta,
    totalTimeSec: s.elapsedSec + eta,
    downtimeSec: down,
    remainingTransferBytes: toSend,
    converges,
    rateKnown,
    progress: !rateKnown ? FIRST_PASS_SHARE * firstPass : converges && total > 0 ? s.transferredBytes / total : 0,
  };
}

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
  constructor(readonly completionTimeoutSec?: number) {}
  update(p: InFlightPrediction): { progress: number; warning?: string } {
    this.progress = Math.max(this.progress, p.progress);
    const t = this.completionTimeoutSec;
    if (t !== undefined && !this.warned && p.rateKnown && (!p.converges || p.totalTimeSec > t)) {
      this.warned = true;
      return { progress: this.progress, warning: p.converges ? `predicted to end at ${p.totalTimeSec.toFixed(1)} s, after the completion time-out at ${t.toFixed(0)} s` : `predicted not to converge: the completion time-out at ${t.toFixed(0)} s will end it` };
    }
    return { progress: this.progress };
  }
  get warningGiven(): boolean {
    return this.warned;
  }
}
