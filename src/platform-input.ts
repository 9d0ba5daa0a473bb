/**
 * Platform constants from loose JSON: what a `--platform` file and an API body's `platform` field hold. The one
 * parser every command and the API use (src/input.ts re-exports it; the file loader is src/lab/platform-file.ts).
 */
import type { Platform } from './model/index.js';
import { InputError, LIMITS, inRange, parseDuration, parseRate, parseSize } from './units.js';

/** The value as a JSON object, else an InputError naming the field. */
export function obj(field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(field, v, 'must be a JSON object');
  return v as Record<string, unknown>;
}

/** Fast path for plain numbers (the common batch case), units otherwise; src/input.ts reads every field with it. */
export function num(field: string, v: unknown, parse: (f: string, v: unknown) => number): number {
  if (typeof v === 'number') return parse(field, v);
  if (typeof v === 'string') {
    const n = +v;
    if (v !== '' && n === n && n !== Infinity && n !== -Infinity) {
      if (n < 0) throw new InputError(field, v, 'must not be negative');
      return n;
    }
  }
  return parse(field, v);
}

const PLATFORM_KEYS = {
  setupSec: 'time', resumeSec: 'time', syncSec: 'time', rateWindowSec: 'window',
  lineRateBytesPerSec: 'rate', stopCopyRateBytesPerSec: 'rate', firstTouchRateBytesPerSec: 'rate', zeroPageWireBytes: 'size', stopCopyBufferedBytes: 'bytes',
  multifdNoneChannelBytesPerSec: 'rate', multifdZlibChannelBytesPerSec: 'rate', multifdZstdChannelBytesPerSec: 'rate',
  multifdZlibChannelRedundantBytesPerSec: 'rate', multifdZstdChannelRedundantBytesPerSec: 'rate', postcopyFaultLatencySec: 'time', postcopySwitchSec: 'time', postcopyPushRateBytesPerSec: 'rate',
  multifdWindowOvershootPackets: 'count', multifdStopCopyChannelSpeedup: 'factor',
} as const satisfies Record<keyof Platform, string>;
/** A plain count's largest value (multifd packets past a window's budget). */
const MAX_PLATFORM_COUNT = 64;
const parsedPlatforms = new WeakMap<object, Partial<Platform>>();

/**
 * Platform constants from loose JSON (a `--platform` file's content, an API body's `platform`): the constants
 * themselves or `{platform: {...}}` as `lab calibrate` writes them; numbers in base units (s, B/s, B) or unit
 * strings; absent or null keys left to the model's defaults; unknown keys refused. The one parser every command
 * and the API use (the file loader is src/lab/platform-file.ts). Throws InputError naming `field.key` (`key`,
 * or `platform.key` inside a wrapper, for a file's root: field '').
 */
export function parsePlatform(field: string, v: unknown): Partial<Platform> {
  const wrapped = obj(field || 'platform file', v);
  const cached = parsedPlatforms.get(wrapped);
  if (cached) return cached;
  const inner = typeof wrapped.platform === 'object' && wrapped.platform !== null ? obj(`${field}.platform`, wrapped.platform) : wrapped;
  const f = inner === wrapped ? field : field ? `${field}.platform` : 'platform';
  const out: Partial<Platform> = {};
  for (const [k, x] of Object.entries(inner)) {
    if (!(k in PLATFORM_KEYS)) {
      if (['fittedAt', 'migrations', 'host', 'n', 'downtimeR2'].includes(k)) continue; // what lab calibrate notes beside them
      throw new InputError(f ? `${f}.${k}` : k, x, `is not a platform constant (known: ${Object.keys(PLATFORM_KEYS).join(', ')})`);
    }
    if (x === undefined || x === null) continue;
    const key = k as keyof Platform;
    const kind = PLATFORM_KEYS[key];
    const name = f ? `${f}.${k}` : k;
    if (kind === 'count' || kind === 'factor') {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new InputError(name, x, 'must be a plain number');
      if (kind === 'factor' && !(x > 0)) throw new InputError(name, x, 'must be greater than 0');
      inRange(name, x, x, 0, MAX_PLATFORM_COUNT, '');
      out[key] = x;
      continue;
    }
    const value = kind === 'rate' ? num(name, x, parseRate) : kind === 'size' || kind === 'bytes' ? num(name, x, parseSize) : num(name, x, parseDuration);
    if (kind === 'rate') {
      if (!(value > 0)) throw new InputError(name, x, 'must be greater than 0');
      inRange(name, x, value, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
    } else if (kind === 'window') {
      if (!(value > 0)) throw new InputError(name, x, 'must be greater than 0');
      inRange(name, x, value, LIMITS.minSeconds, LIMITS.maxSeconds, ' s');
    } else if (kind === 'bytes') inRange(name, x, value, 0, LIMITS.maxBytes, ' B');
    else inRange(name, x, value, 0, kind === 'size' ? LIMITS.maxPageBytes : LIMITS.maxSeconds, kind === 'size' ? ' B' : ' s');
    out[key] = value;
  }
  parsedPlatforms.set(wrapped, out);
  return out;
}
