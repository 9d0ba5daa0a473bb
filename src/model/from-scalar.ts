/**
 * From what an operator has before a migration (memory, one dirty rate, the link, the downtime limit, the
 * technique) to the model's input: `inputFromScalar`, the one place a scalar-only row becomes a prediction's input
 * (`evaluate`, and later the learned model's analytic feature), beside `inputFromSample` for a sampled VM. The
 * prior it uses today is the default model's reading of a scalar rate (QEMU's switch-over rule, the rate constant
 * over every round): a better prior for the rate (a saturating working set) replaces this function's body only.
 * Pure.
 */
import { POLICY_DEFAULTS } from './precopy.js';
import type { Platform, PredictInput } from './types.js';

/** A migration as an operator knows it beforehand. */
export interface ScalarInput {
  memoryBytes: number;
  /** One measured dirty rate (bytes/s), e.g. QEMU's `calc-dirty-rate` over one second. */
  dirtyRateBytesPerSec: number;
  bandwidthBytesPerSec: number;
  /** Default QEMU's, 0.3 s. */
  downtimeLimitSec?: number;
  /** `auto-converge` turns on QEMU's throttling; anything else is read as plain pre-copy. */
  technique?: string;
}

/** Techniques the analytic model tells apart; any other is priced as plain pre-copy. */
export const MODELLED_TECHNIQUES: readonly string[] = ['precopy', 'pre-copy', 'auto-converge'];

/**
 * The model's input for a scalar-only migration: QEMU's policy at the given downtime limit (auto-converge when
 * the technique says so), the rate constant.
 * @example inputFromScalar({ memoryBytes: 4 * 2 ** 30, dirtyRateBytesPerSec: 50 * 2 ** 20, bandwidthBytesPerSec: 1.25e8, downtimeLimitSec: 0.3 })
 */
export function inputFromScalar(s: ScalarInput, platform: Partial<Platform> = {}): PredictInput {
  return {
    vm: { memoryBytes: s.memoryBytes, dirtyRateBytesPerSec: s.dirtyRateBytesPerSec },
    bandwidthBytesPerSec: s.bandwidthBytesPerSec,
    policy: { name: 'qemu', downtimeLimitSec: s.downtimeLimitSec ?? POLICY_DEFAULTS.qemu.downtimeLimitSec, autoConverge: s.technique === 'auto-converge' },
    platform,
  };
}
