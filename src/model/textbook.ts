/**
 * The textbook geometric pre-copy model, the yardstick scalar-only predictions are held against: every round
 * sends at the link rate what the previous one left dirty at a constant rate, at most all memory (the first
 * round, all memory); it stops
 * when the rest fits the downtime limit at the link rate, or after 30 rounds, and sends the rest stopped.
 * Pure.
 */
import type { ScalarInput } from './from-scalar.js';

export const TEXTBOOK_MAX_ROUNDS = 30;

export interface TextbookPrediction {
  totalTimeSec: number;
  downtimeSec: number;
  transferredBytes: number;
  /** Pre-copy rounds run (the stop-and-copy not counted). */
  rounds: number;
  converged: boolean;
}

/**
 * @example geometricPrediction({ memoryBytes: 1000, dirtyRateBytesPerSec: 50, bandwidthBytesPerSec: 100, downtimeLimitSec: 1 })
 *   // rounds of 1000, 500, 250, 125 B (10, 5, 2.5, 1.25 s); 62.5 B left fits 1 s x 100 B/s: stopped 0.625 s
 *   // total 19.375 s, 1937.5 B, downtime 0.625 s
 */
export function geometricPrediction(s: ScalarInput): TextbookPrediction {
  const b = s.bandwidthBytesPerSec;
  const limit = (s.downtimeLimitSec ?? 0.3) * b;
  let pending = s.memoryBytes;
  let time = 0;
  let sent = 0;
  let rounds = 0;
  let converged = false;
  while (rounds < TEXTBOOK_MAX_ROUNDS) {
    const t = pending / b;
    time += t;
    sent += pending;
    rounds++;
    pending = Math.min(s.memoryBytes, s.dirtyRateBytesPerSec * t);
    if (pending <= limit) {
      converged = true;
      break;
    }
  }
  const downtimeSec = pending / b;
  return { totalTimeSec: time + downtimeSec, downtimeSec, transferredBytes: sent + pending, rounds, converged };
}
