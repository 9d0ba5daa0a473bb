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
    /** The whole message, when the usual `field: value rule` does not read well. */
    message?: string,
  ) {
    super(message ?? (value === undefined ? `${field} ${rule}` : `${field}: ${typeof value === 'number' ? String(value) : JSON.stringify(value)} ${rule}`));
  }
}

/** One accepted spelling of a unit: what it multiplies the number by to give the base unit, and what it is. */
export interface UnitSpelling {
  unit: string;
  factor: number;
  meaning: string;
}

const KI = 1024;
const BIN = { K: KI, M: KI ** 2, G: KI ** 3, T: KI ** 4 } as const;
const DEC = { K: 1e3, M: 1e6, G: 1e9, T: 1e12 } as const;
const PREFIXES = ['K', 'M', 'G', 'T'] as const;

/**
 * Every spelling a size accepts (case does not matter: `4g`, `4G`, `4GiB`, `4gib` are the same), in bytes.
 * `K`, `M`, `G`, `T` alone are QEMU's and libvirt's suffixes: binary (`--memory 4G` is 4 GiB, as `qemu -m 4G`).
 */
export const SIZE_SPELLINGS: readonly UnitSpelling[] = [
  { unit: 'B', factor: 1, meaning: 'bytes' },
  { unit: 'byte', factor: 1, meaning: 'bytes' },
  { unit: 'bytes', factor: 1, meaning: 'bytes' },
  ...PREFIXES.map((p) => ({ unit: p, factor: BIN[p], meaning: `${p}iB (QEMU/libvirt suffix, binary)` })),
  ...PREFIXES.map((p) => ({ unit: `${p}iB`, factor: BIN[p], meaning: `2^${10 * (PREFIXES.indexOf(p) + 1)} bytes` })),
  ...PREFIXES.map((p) => ({ unit: `${p}B`, factor: DEC[p], meaning: `10^${3 * (PREFIXES.indexOf(p) + 1)} bytes` })),
];

/**
 * Every spelling a rate accepts, in bytes per second. A lower-case `b` is bits, an upper-case `B` bytes:
 * `Gbps`, `Gb/s`, `Gbit/s` are gigabits per second; `GBps`, `GB/s` gigabytes (10^9 bytes) per second; `GiB/s`
 * and `G/s` gibibytes per second. The prefix's case does not matter (`mbps` = `Mbps`), nor the case of `bit`
 * or `ps`; `Mib/s` (mebibits) is refused.
 */
export const RATE_SPELLINGS: readonly UnitSpelling[] = [
  { unit: 'B/s', factor: 1, meaning: 'bytes per second' },
  { unit: 'Bps', factor: 1, meaning: 'bytes per second' },
  { unit: 'bytes/s', factor: 1, meaning: 'bytes per second' },
  ...PREFIXES.flatMap((p) => [
    { unit: `${p}B/s`, factor: DEC[p], meaning: `10^${3 * (PREFIXES.indexOf(p) + 1)} bytes per second` },
    { unit: `${p}Bps`, factor: DEC[p], meaning: `${p}B/s (bytes)` },
    { unit: `${p}iB/s`, factor: BIN[p], meaning: `2^${10 * (PREFIXES.indexOf(p) + 1)} bytes per second` },
    { unit: `${p}/s`, factor: BIN[p], meaning: `${p}iB/s (QEMU/libvirt suffix, binary)` },
  ]),
  { unit: 'bit/s', factor: 1 / 8, meaning: 'bits per second' },
  { unit: 'b/s', factor: 1 / 8, meaning: 'bits per second' },
  { unit: 'bps', factor: 1 / 8, meaning: 'bits per second' },
  ...PREFIXES.flatMap((p) => [
    { unit: `${p}bit/s`, factor: DEC[p] / 8, meaning: `10^${3 * (PREFIXES.indexOf(p) + 1)} bits per second` },
    { unit: `${p}b/s`, factor: DEC[p] / 8, meaning: `${p}bit/s (bits)` },
    { unit: `${p}bps`, factor: DEC[p] / 8, meaning: `${p}bit/s (bits)` },
  ]),
];

/** Every spelling a time accepts (case does not matter), in seconds. */
export const TIME_SPELLINGS: readonly UnitSpelling[] = [
  { unit: 'us', factor: 1e-6, meaning: 'microseconds' },
  { unit: 'µs', factor: 1e-6, meaning: 'microseconds' },
  { unit: 'ms', factor: 1e-3, meaning: 'milliseconds' },
  { unit: 's', factor: 1, meaning: 'seconds' },
  { unit: 'sec', factor: 1, meaning: 'seconds' },
  { unit: 'min', factor: 60, meaning: 'minutes' },
  { unit: 'h', factor: 3600, meaning: 'hours' },
];

const byLowerCase = (spellings: readonly UnitSpelling[]): Record<string, number> => Object.fromEntries(spellings.map((s) => [s.unit.toLowerCase(), s.factor]));
const SIZE_UNITS = byLowerCase(SIZE_SPELLINGS);
const TIME_UNITS = byLowerCase(TIME_SPELLINGS);

/**
 * A rate's factor: the case of the `b` decides bits (`b`) or bytes (`B`); everything else is read whatever its
 * case. Undefined for a unit that is no rate.
 */
function rateFactor(unit: string): number | undefined {
  const exact = RATE_SPELLINGS.find((s) => s.unit === unit);
  if (exact) return exact.factor;
  const prefix = (p: string) => (p === '' ? '' : p.toUpperCase());
  let m = /^([kmgt]?)bits?\/s$/i.exec(unit);
  if (m) return rateFactor(`${prefix(m[1])}bit/s`);
  m = /^([kmgtKMGT])[iI]B\/s$/.exec(unit);
  if (m) return rateFactor(`${prefix(m[1])}iB/s`);
  m = /^([kmgt]?)([bB])(\/s|ps)$/i.exec(unit);
  if (m) return rateFactor(`${prefix(m[1])}${m[2]}${m[3].toLowerCase()}`);
  m = /^(bytes?)\/s$/i.exec(unit) ?? /^([kmgt])\/s$/i.exec(unit);
  if (m) return rateFactor(m[1].length === 1 ? `${prefix(m[1])}/s` : 'bytes/s');
  return undefined;
}

const NUMBER_AND_UNIT = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([a-zµ/]*)\s*$/i;

type What = 'size' | 'rate' | 'time';

/** Whether a plain number is accepted (base units) or refused with a hint (the command line's times and rates). */
export interface UnitOptions {
  /** Refuse a number without a unit (but 0, the same in every unit), suggesting one (the command line, for times and rates). */
  needUnit?: boolean;
}

/** A number for people: at most 12 significant digits, no float noise (0.30000000000000004 -> 0.3). */
const tidy = (n: number): string => String(Number(n.toPrecision(12)));

/** The hint for a number typed without its unit: `300` -> `300ms or 0.3s`. */
function unitHint(what: What, n: number): string {
  if (what === 'time') return n >= 1 ? `${tidy(n)}ms or ${tidy(n / 1000)}s` : `${tidy(n)}s or ${tidy(n * 1000)}ms`;
  if (what === 'rate') return `${tidy(n)}MiB/s, ${tidy(n)}Mbit/s or ${tidy(n)}B/s`;
  return `${tidy(n)}GiB or ${tidy(n)}B`;
}

function parseWith(field: string, value: unknown, factorOf: (u: string) => number | undefined, what: What, known: readonly UnitSpelling[], opts: UnitOptions): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(field, value, 'must be a finite number');
    if (opts.needUnit && value !== 0) throw new InputError(field, value, '', `${field} ${value}: a ${what} needs a unit, e.g. ${unitHint(what, value)}`);
    return value;
  }
  if (typeof value !== 'string') throw new InputError(field, value, `must be a ${what} such as ${example(what)}`);
  const m = NUMBER_AND_UNIT.exec(value);
  if (!m) throw new InputError(field, value, `is not a ${what} (expected a number with a unit, e.g. ${example(what)})`);
  const n = Number(m[1]);
  if (!Number.isFinite(n)) throw new InputError(field, value, 'must be a finite number');
  if (m[2] === '') {
    if (opts.needUnit && n !== 0) throw new InputError(field, value, '', `${field} ${value.trim()}: a ${what} needs a unit, e.g. ${unitHint(what, n)}`);
    return n;
  }
  const factor = factorOf(m[2]);
  if (factor === undefined) {
    throw new InputError(field, value, `has an unknown unit "${m[2]}" (known: ${known.map((s) => s.unit).join(', ')})`);
  }
  return n * factor;
}

function example(what: What): string {
  return what === 'size' ? '4GiB' : what === 'rate' ? '1Gbit/s or 50MiB/s' : '300ms';
}

function nonNegative(field: string, raw: unknown, n: number): number {
  if (n < 0) throw new InputError(field, raw, 'must not be negative');
  return n;
}

/** Bytes from "4GiB", "4G", "512 MB", 4096 (SIZE_SPELLINGS). Must be >= 0. */
export function parseSize(field: string, value: unknown, opts: UnitOptions = {}): number {
  return nonNegative(field, value, parseWith(field, value, (u) => SIZE_UNITS[u.toLowerCase()], 'size', SIZE_SPELLINGS, opts));
}

/** Bytes per second from "1Gbit/s", "50MiB/s", "100Mbps", "1GBps", 1.25e8 (RATE_SPELLINGS). Must be >= 0. */
export function parseRate(field: string, value: unknown, opts: UnitOptions = {}): number {
  return nonNegative(field, value, parseWith(field, value, rateFactor, 'rate', RATE_SPELLINGS, opts));
}

/** Seconds from "300ms", "1.5s", 0.3 (TIME_SPELLINGS). Must be >= 0. */
export function parseDuration(field: string, value: unknown, opts: UnitOptions = {}): number {
  return nonNegative(field, value, parseWith(field, value, (u) => TIME_UNITS[u.toLowerCase()], 'time', TIME_SPELLINGS, opts));
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
