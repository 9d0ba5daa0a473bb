/** A sweep's worker thread (piscina): one run per task, its cluster kept for the next run of the same day. */
import { runOne, type SweepOutcome } from './run-one.js';
import type { SweepRun } from './grid.js';

export default function run(task: SweepRun): SweepOutcome {
  return runOne(task);
}
