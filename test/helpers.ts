import assert from 'node:assert/strict';
import { mulberry32 } from '../src/stats/random.js';

/** One shared tolerance for float comparisons: relative 1e-9 unless told. */
export function assertClose(actual: number, expected: number, rel = 1e-9, msg?: string): void {
  const tol = rel * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${msg ?? ''} expected ${expected}, got ${actual} (tolerance ${tol})`);
}

/** A small seeded PRNG (mulberry32, `src/stats/random.ts`) so property tests are repeatable. */
export const rng = mulberry32;

export const KiB = 1024;
export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
