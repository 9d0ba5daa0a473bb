/**
 * What a planned move is priced with, for every kind of move the planner proposes (mitigation and
 * consolidation alike): a VM carrying a sample through `inputFromSample` (the default model, exactly as
 * `predict --vm` prices that sample over that link), else QEMU's rule over the VM's loose fields. Priced by the
 * plain deterministic run (`predict`'s `plain`), not the outlook's median that `predict` answers: on the lab's
 * decision experiment the median made the choices worse (docs/model.md: Deng's MOA 0.328 -> 0.454 x MIA), because
 * a guest whose convergence the outlook owes to one lucky sync among hundreds (memtester) is priced cheap. Pure.
 */
import { simulate } from '../model/precopy.js';
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

/** One VM's move over `bandwidth`, predicted. */
export function priceMove(v: Vm, bandwidth: number, downtimeLimitSec: number, platform?: Partial<Platform>): Prediction {
  return simulate(predictionInput(v, bandwidth, downtimeLimitSec, platform));
}
