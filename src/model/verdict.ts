/**
 * Why a predicted migration stopped, said honestly: a `fits-downtime-limit` stop whose downtime is over the limit
 * says by how much and why (QEMU's limit bounds its estimate of the final copy, pending bytes over the bandwidth
 * it measured, not the copy's real time nor the resume), and a `timeout` says that its downtime is that of a
 * forced switch-over. The `reason` codes stay as they are (they are in every record); this is their reading,
 * shown by `predict` (table and `verdict` in --json) and POST /v1/predict (`verdict`).
 */
import { POLICY_DEFAULTS } from './precopy.js';
import type { Prediction, PredictInput } from './types.js';
import { formatBytes, formatSeconds } from '../units.js';

export interface Verdict {
  /** One sentence for people. */
  text: string;
  /** qemu: the predicted downtime minus the limit, when over it. */
  overLimitSec?: number;
  /** The stop was forced (a cap or the time-out), not the policy's convergence rule. */
  forced: boolean;
}

/** Seconds as a figure people read, without float noise. */
const s = formatSeconds;

export function stopVerdict(p: Prediction, input: PredictInput): Verdict {
  const pol = input.policy;
  switch (p.reason) {
    case 'fits-downtime-limit': {
      const limit = pol.downtimeLimitSec ?? POLICY_DEFAULTS.qemu.downtimeLimitSec;
      const over = p.downtimeSec - limit;
      if (over <= limit * 1e-9) return { text: `converged: QEMU's estimate of the final copy fit the ${s(limit)} downtime limit; the downtime, ${s(p.downtimeSec)}, is within it`, forced: false };
      return {
        text:
          `switched over when QEMU's estimate fit the ${s(limit)} downtime limit, but the downtime is ${s(over)} over it (${s(p.downtimeSec)}): ` +
          `the limit bounds QEMU's estimate of the final copy (pending bytes over the bandwidth it measured), not the copy itself (${s(p.stopCopySec)} here) nor the resume (${s(p.resumeSec)})`,
        overLimitSec: over,
        forced: false,
      };
    }
    case 'timeout': {
      const timeout = pol.timeoutSec ?? POLICY_DEFAULTS.qemu.timeoutSec;
      return {
        text: `NOT converged: QEMU's switch-over condition was never met within the ${s(timeout)} time-out; the downtime, ${s(p.downtimeSec)}, is that of a forced switch-over then (stopping the VM to copy the ${formatBytes(p.stopCopyBytes)} left)`,
        forced: true,
      };
    }
    case 'below-threshold':
      return { text: 'converged: the dirty data fell below the stop threshold', forced: false };
    case 'max-rounds':
      return { text: `NOT converged: forced stop-and-copy at the round cap (${p.rounds} rounds)`, forced: true };
    case 'traffic-cap':
      return { text: `NOT converged: forced stop-and-copy once more than ${pol.maxTrafficFactor ?? POLICY_DEFAULTS.xen.maxTrafficFactor} x memory was sent`, forced: true };
    case 'not-shrinking':
      return { text: 'NOT converged: forced stop-and-copy when a round no longer shrank the dirty data', forced: true };
    case 'switched-to-postcopy':
      return { text: `switched to post-copy: the guest resumed on the destination after ${s(p.downtimeSec)} and pulls the pages still on the source`, forced: false };
  }
}
