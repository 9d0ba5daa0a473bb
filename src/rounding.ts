/**
 * The one rounding rule for figures in JSON answers (`predict --json`, batch lines, the HTTP API), so one
 * prediction reads the same number wherever it is asked. By the field's name (the unit is in the name):
 * - `...Bytes`, `...BytesPerSec`, `...Rate` (bytes/s): whole bytes;
 * - `...Sec`: seconds to the microsecond (6 decimals);
 * - `...Joules`: joules to the millijoule (3 decimals);
 * - any other non-integer (ratios, fractions, factors such as `maxThrottle`): 4 significant digits.
 * Integers, booleans, strings and non-finite numbers pass as they are. More digits than any model is worth,
 * fewer than the floating-point noise that made 7334255536.865732 bytes.
 */

/** Decimals kept for seconds and joules; the batch writer's fast formatter uses the same. */
export const SECONDS_DECIMALS = 6;
export const JOULES_DECIMALS = 3;
/** Significant digits of a ratio. */
export const RATIO_DIGITS = 4;

const SECONDS_SCALE = 10 ** SECONDS_DECIMALS;
const JOULES_SCALE = 10 ** JOULES_DECIMALS;

/** `x` rounded by the rule for a field named `key`. */
export function roundFigure(key: string, x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  if (key.endsWith('Bytes') || key.endsWith('BytesPerSec') || key.endsWith('Rate') || key === 'bytes') return Math.round(x);
  if (key.endsWith('Sec')) return Math.round(x * SECONDS_SCALE) / SECONDS_SCALE;
  if (key.endsWith('Joules')) return Math.round(x * JOULES_SCALE) / JOULES_SCALE;
  return Number(x.toPrecision(RATIO_DIGITS));
}

/** A copy of `v` with every number rounded by its field's name (array items by the array's). */
export function roundForJson<T>(v: T, key = ''): T {
  if (typeof v === 'number') return roundFigure(key, v) as T;
  if (Array.isArray(v)) return v.map((x) => roundForJson(x, key)) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, roundForJson(x, k)])) as T;
  return v;
}

/**
 * `Math.round(x * 10^decimals) / 10^decimals` written out with exactly `decimals` decimals, from integers (much
 * faster than shortest-double printing: the batch writer's hot path). Parsed back, it is the same number
 * roundFigure gives.
 */
export function fixedDecimals(x: number, decimals: number): string {
  const scale = 10 ** decimals;
  const n = Math.round(x * scale);
  if (!(Math.abs(n) < 9e15)) return String(n / scale);
  const neg = n < 0;
  let s = String(neg ? -n : n);
  if (s.length <= decimals) s = '0'.repeat(decimals - s.length + 1) + s;
  const out = `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  return neg ? `-${out}` : out;
}
