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

/** 10^d for the decimals the writers use (no power computed per call). */
const SCALES = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * `Math.round(x * 10^decimals) / 10^decimals` written out with exactly `decimals` decimals, from integers (much
 * faster than shortest-double printing: the batch writer's hot path, four of its seven numbers the outlook's).
 * Parsed back, it is the same number roundFigure gives. The integer and fractional parts are split arithmetically
 * (exact: both below 2^53) and the fraction printed as 10^decimals + it, less its leading 1: two integer
 * printings, no padding or slicing of the whole.
 */
export function fixedDecimals(x: number, decimals: number): string {
  const scale = SCALES[decimals] ?? 10 ** decimals;
  const n = Math.round(x * scale);
  if (!(Math.abs(n) < 9e15)) return String(n / scale);
  const a = n < 0 ? -n : n;
  // a / scale may round to the next integer: the remainder says so, and is exact (ip x scale < 2^53)
  let ip = Math.floor(a / scale);
  let fp = a - ip * scale;
  if (fp < 0) {
    ip--;
    fp += scale;
  } else if (fp >= scale) {
    ip++;
    fp -= scale;
  }
  const out = `${ip}.${String(fp + scale).slice(1)}`;
  return n < 0 ? `-${out}` : out;
}
