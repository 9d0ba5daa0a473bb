/**
 * What a planned move is priced with, for every kind of move the planner proposes (mitigation and
 * consolidation alike): a VM carrying a sample through `inputFromSample` (the default model, exactly as
 * `predict --vm` prices that sample over that link), else QEMU's rule over the VM's loose fields; priced as
 * `predict` answers, the migration at its outlook's median with P(converges) beside it (model/outlook.ts). Pure.
 */
import { predictWithOutlook } from '../model/outlook.js';
import type { ConvergenceFields } from '../model/convergence.js';
import { inputFromSample } from '../model/from-sample.js';
import type { Platform, Prediction, PredictInput } from '../model/types.js';
import type { Vm } from './cluster.js';

/** The time-out every planned move is priced with (s): a move that cannot converge by then is flagged. */
export const MOVE_TIMEOUT_SEC = 600;

export function predictionInput(v: Vm, bandwidth: number, downtimeLimitSec: number, platform?: Partial<Platform>): PredictInput {
  if (v.sample) return inputFromSample(v.sample, { bandwidthBytesPerSec: bandwidth, downtimeLimitSec, timeoutSec: MOVE_TIMEOUT_SEC }, platform ?? {});
  return {
    platform,
    vm: {
      memoryBytes: v.memoryBytes,
      dirtyRateBytesPerSec: v.dirtyRateBytesPerSec,
      zeroPageFraction: v.zeroPageFraction,
      cpuUtilisation: v.cpuUtilisation,
      dirtyModel: v.curve ? { kind: 'curve', points: v.curve } : undefined,
    },
    bandwidthBytesPerSec: bandwidth,
    policy: { name: 'qemu', downtimeLimitSec, timeoutSec: MOVE_TIMEOUT_SEC },
  };
}

/** One VM's move over `bandwidth`, predicted as `predict` does. */
export function priceMove(v: Vm, bandwidth: number, downtimeLimitSec: number, platform?: Partial<Platform>): Prediction & ConvergenceFields {
  return predictWithOutlook(predictionInput(v, bandwidth, downtimeLimitSec, platform));
}
