/**
 * Human units, parsed at the edges into SI base units: bytes, bytes per second, seconds.
 * A plain number means bytes, bytes/s or seconds. Errors name the field, the value and the rule.
 */

/** Thrown for a value that breaks a rule of its field. `field` names it, `value` is what was given. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`${field}: ${typeof value === "number" || value === undefined ? String(value) : JSON.stringify(value)} ${rule}`);
  }
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  k: 1e3,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Rate units; values are bytes per second per unit. */
const RATE_UNITS: Record<string, number> = {
  'b/s': 1,
  'bps': 1 / 8,
  'bit/s': 1 / 8,
  'kbit/s': 1e3 / 8,
  'kbps': 1e3 / 8,
  'mbit/s': 1e6 / 8,
  'mbps': 1e6 / 8,
  'gbit/s': 1e9 / 8,
  'gbps': 1e9 / 8,
  'kb/s': 1e3,
  'mb/s': 1e6,
  'gb/s': 1e9,
  'kib/s': 1024,
  'mib/s': 1024 ** 2,
  'gib/s': 1024 ** 3,
};

const TIME_UNITS: Record<string, number> = {
  us: 1e-6,
  ms: 1e-3,
  s: 1,
  sec: 1,
  min: 60,
  h: 3600,
};

const NUMBER_AND_UNIT = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([a-z/]*)\s*$/i;

/** Case matters for b/B in rates: "Mb/s" is megabits, "MB/s" megabytes. */
function rateUnitKey(unit: string): string {
  // "b/s"-style units with a lower-case b before the slash are bits.
  const m = /^([kKmMgG]?)b\/s$/.exec(unit);
  if (m) return `${m[1].toLowerCase()}bit/s`;
  return unit.toLowerCase();
}

function parseWith(
  field: string,
  value: unknown,
  units: Record<string, number>,
  keyOf: (u: string) => string,
  what: string,
): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(field, value, 'must be a finite number');
    return value;
  }
  if (typeof value !== 'string') throw new InputError(field, value, `must be a ${what} such as ${example(what)}`);
  const m = NUMBER_AND_UNIT.exec(value);
  if (!m) throw new InputError(field, value, `is not a ${what} (expected a number with a unit, e.g. ${example(what)})`);
  const n = Number(m[1]);
  if (!Number.isFinite(n)) throw new InputError(field, value, 'must be a finite number');
  if (m[2] === '') return n;
  const factor = units[keyOf(m[2])];
  if (factor === undefined) {
    throw new InputError(field, value, `has an unknown unit "${m[2]}" (known: ${Object.keys(units).join(', ')})`);
  }
  return n * factor;
}

function example(what: string): string {
  return what === 'size' ? '4GiB' : what === 'rate' ? '1Gbit/s or 50MiB/s' : '300ms';
}

function nonNegative(field: string, raw: unknown, n: number): number {
  if (n < 0) throw new InputError(field, raw, 'must not be negative');
  return n;
}

/** Bytes from "4GiB", "512 MB", 4096. Must be >= 0. */
export function parseSize(field: string, value: unknown): number {
  return nonNegative(field, value, parseWith(field, value, SIZE_UNITS, (u) => u.toLowerCase(), 'size'));
}

/** Bytes per second from "1Gbit/s", "50MiB/s", "100Mbps", 1.25e8. Must be >= 0. */
export function parseRate(field: string, value: unknown): number {
  return nonNegative(field, value, parseWith(field, value, RATE_UNITS, rateUnitKey, 'rate'));
}

/** Seconds from "300ms", "1.5s", 0.3. Must be >= 0. */
export function parseDuration(field: string, value: unknown): number {
  return nonNegative(field, value, parseWith(field, value, TIME_UNITS, (u) => u.toLowerCase(), 'duration'));
}

/** A plain fraction in [0, 1] ("0.25" or "25%"). */
export function parseFraction(field: string, value: unknown): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*[+-]?[\d.]+(e[+-]?\d+)?\s*%\s*$/i.test(value)) n = Number(value.trim().slice(0, -1)) / 100;
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value);
  else throw new InputError(field, value, 'must be a fraction between 0 and 1');
  if (!Number.isFinite(n)) throw new InputError(field, value, 'must be a finite number');
  if (n < 0 || n > 1) throw new InputError(field, value, 'must be between 0 and 1');
  return n;
}

/** A finite number, optionally with bounds. */
export function parseNumber(field: string, value: unknown, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new InputError(field, value, 'must be a finite number');
  if (opts.integer && !Number.isInteger(n)) throw new InputError(field, value, 'must be a whole number');
  if (opts.min !== undefined && n < opts.min) throw new InputError(field, value, `must be at least ${opts.min}`);
  if (opts.max !== undefined && n > opts.max) throw new InputError(field, value, `must be at most ${opts.max}`);
  return n;
}

/** Watts with or without the unit: "2W", "350mW", "0.2". Must be >= 0. */
export function parseWatts(field: string, value: unknown): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)\s*(mW|W|kW)?\s*$/i.exec(String(value ?? ''));
  if (!m) throw new InputError(field, value, 'must be a power >= 0, e.g. 2W or 350mW');
  const unit = (m[2] ?? 'W').toLowerCase();
  return unit === 'mw' ? Number(m[1]) / 1000 : unit === 'kw' ? Number(m[1]) * 1000 : Number(m[1]);
}

/**
 * The ranges every edge accepts, wide enough for any real machine and narrow enough that the model's figures
 * stay finite numbers (a time is bytes over a rate; an energy is a rate times a time).
 */
export const LIMITS = {
  /** Sizes: 2^60 bytes (1 EiB). */
  maxBytes: 2 ** 60,
  /** Link and transfer rates: 1 B/s to 1e15 B/s (8 Pbit/s); dirty rates up to the same. */
  minRateBytesPerSec: 1,
  maxRateBytesPerSec: 1e15,
  /** Durations: up to 1e9 s (31 years); limits, timeouts and curve windows from 1 µs. */
  maxSeconds: 1e9,
  minSeconds: 1e-6,
  minWindowSec: 1e-6,
  /** Page sizes up to 1 GiB (huge pages). */
  maxPageBytes: 2 ** 30,
  /** Pre-copy rounds. */
  maxRounds: 1_000_000,
} as const;

/** `n` if it lies in [min, max], else an InputError naming the field and the range (`unit` follows the bounds). */
export function inRange(field: string, raw: unknown, n: number, min: number, max: number, unit = ''): number {
  if (!(n >= min && n <= max)) throw new InputError(field, raw, `must be between ${min}${unit} and ${max}${unit}`);
  return n;
}

/** Formats bytes for people: 1.50 GiB. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes)} B`;
}

/** Formats seconds for people: 850 ms, 12.3 s. */
export function formatSeconds(sec: number): string {
  if (sec < 1) return `${(sec * 1000).toFixed(1)} ms`;
  if (sec < 120) return `${sec.toFixed(2)} s`;
  return `${(sec / 60).toFixed(1)} min`;
}
