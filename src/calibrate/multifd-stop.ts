/**
 * multifd's channels during the stop-and-copy (`Platform.multifdStopCopyChannelSpeedup`), fitted from migrations
 * that ran multifd with zlib or zstd (pure).
 *
 * While the guest runs, its vCPU threads share the host's CPUs with the channels' compression threads, and
 * `multifd<C>Channel*BytesPerSec` are fitted from those live rounds. Once the guest is stopped (QEMU's
 * stop-and-copy: migration.c `migration_completion`), the vCPUs' CPU time is free; where the host has nothing else
 * to run, the channels compress faster, and the downtime (which ends once the channels have sent the last pages:
 * multifd.c `multifd_send_sync_main`) is shorter than the live rate says. How much faster depends on the host's
 * cores, the guest's vCPUs and the host's other load, none of which a record states, so it is fitted as one
 * factor per platform, like the other constants: the factor on the channels' stop-and-copy rate under which the
 * model's downtimes of the platform's compressed multifd runs have the least median absolute error.
 *
 * It is the stop-and-copy rate every other technique has fitted (`stopCopyRateBytesPerSec`), as a factor on the
 * channels' live rate: an effective rate, not a model of the host. On the lab's 2-core host it comes out near 8,
 * more than a freed vCPU core explains (2 at most); the rest is not separated — plain pre-copy's downtimes on the
 * same guests are over by 1.5-2.5x too (the pending set at the sync that converges lies under the threshold,
 * where the deterministic run puts it near it). docs/techniques.md, "multifd's stop-and-copy".
 *
 * Which runs: completed, predicted to converge (a run predicted never to converge reports a forced switch-over's
 * downtime, which no migration measured), and whose predicted downtime the factor moves (at factor 1 at least
 * twice what it is at `MAX_STOP_SPEEDUP`: the channels' time, not the resume or the link, makes it); at least
 * `MIN_STOP_RUNS` of them. The factor is the one of the grid (1 in quarter powers of 2 to `MAX_STOP_SPEEDUP`)
 * whose median log ratio of predicted to measured downtime (measured at least 1 ms) is nearest 0: unbiased in
 * ratio, as the downtimes span 5 to 70 ms; on a tie the smaller factor.
 */
import { median } from './errors.js';

/** Runs a fit needs; fewer leave the default (1). */
export const MIN_STOP_RUNS = 6;
/** The grid's largest factor (16 channels' worth on a host that gave them one core). */
export const MAX_STOP_SPEEDUP = 16;

/** The factors tried: 1, 2^0.25, ..., MAX_STOP_SPEEDUP. */
export const STOP_SPEEDUP_GRID: readonly number[] = Array.from({ length: Math.round(4 * Math.log2(MAX_STOP_SPEEDUP)) + 1 }, (_, i) => 2 ** (i / 4));

export interface StopCopyRun {
  /** The downtime the migration measured (s). */
  measuredDowntimeSec: number;
  /** The model's downtime for this run with the factor given (s), or undefined where it predicts no convergence. */
  predictedDowntimeSec: (speedup: number) => number | undefined;
}

/** Measured downtimes under this are read as this (QEMU reports whole milliseconds). */
const MIN_MEASURED_SEC = 0.001;

/**
 * The grid's factor whose median log(predicted / measured) downtime is nearest 0 over the usable runs (see the
 * module's comment); undefined with fewer than `MIN_STOP_RUNS` of them.
 * @example fitStopCopySpeedup(six runs measured at 5 ms, predicted 1 ms + 16 ms / s) // 4: 1 + 16 / 4 = 5
 */
export function fitStopCopySpeedup(runs: readonly StopCopyRun[]): number | undefined {
  const usable = runs.filter((r) => {
    const a = r.predictedDowntimeSec(1);
    const b = r.predictedDowntimeSec(MAX_STOP_SPEEDUP);
    return r.measuredDowntimeSec >= 0 && Number.isFinite(r.measuredDowntimeSec) && a !== undefined && b !== undefined && a >= 2 * b;
  });
  if (usable.length < MIN_STOP_RUNS) return undefined;
  let best: number | undefined;
  let bestBias = Infinity;
  for (const s of STOP_SPEEDUP_GRID) {
    const logs = usable.map((r) => Math.log((r.predictedDowntimeSec(s) ?? Infinity) / Math.max(MIN_MEASURED_SEC, r.measuredDowntimeSec)));
    const bias = Math.abs(median(logs));
    if (bias < bestBias - 1e-12) (bestBias = bias), (best = s);
  }
  return best;
}
