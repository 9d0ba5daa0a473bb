/**
 * advise's loose fields (CLI flags, an HTTP body) into the advice: the VM as `predict` reads it (plain fields or a
 * sample), the grid, the constraints and the platform. Throws InputError naming the field.
 */
import { advise, PLATFORM_TIMEOUTS, type Advice, type PlatformTimeoutName } from './plan/advise.js';
import { predictInputFrom, predictInputFromSample, type RawPredictFields } from './input.js';
import { parseTechniqueSettings, TECHNIQUE_FIELDS } from './technique-input.js';
import { InputError, LIMITS, inRange, parseDuration, parseNumber, parseRate } from './units.js';
import type { VmSample } from './model/sample.js';

export interface RawAdviseFields extends RawPredictFields {
  /** A list ("100MiB/s,1Gbit/s" or an array); default `bandwidth`. */
  bandwidths?: unknown;
  /** A list ("300ms,1s" or an array); default `downtimeLimit`, else 300 ms. */
  downtimeLimits?: unknown;
  maxDowntime?: unknown;
  maxTime?: unknown;
  platformTimeouts?: unknown;
  allowPostcopy?: unknown;
  downtimeWeight?: unknown;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : String(v).split(',').map((s) => s.trim()).filter(Boolean));

/** The advice for the VM the fields (or `sample`, the fields overriding it) describe. */
export function adviseFrom(f: RawAdviseFields, sample?: VmSample, extra: RawPredictFields = {}): Advice {
  if (present(f.technique)) throw new InputError('technique', f.technique, 'is not an advise field: advise tries every technique');
  const settings = parseTechniqueSettings(f);
  const fields = Object.fromEntries(
    Object.entries(f).filter(([k, v]) => present(v) && !(TECHNIQUE_FIELDS as readonly string[]).includes(k) && !['bandwidths', 'downtimeLimits', 'maxDowntime', 'maxTime', 'platformTimeouts', 'allowPostcopy', 'downtimeWeight'].includes(k)),
  ) as RawPredictFields;
  const bws = (present(f.bandwidths) ? list(f.bandwidths) : present(f.bandwidth) ? [f.bandwidth] : []).map((b, i) => {
    const r = parseRate(`bandwidths[${i}]`, b);
    if (!(r > 0)) throw new InputError(`bandwidths[${i}]`, b, 'must be greater than 0');
    return inRange(`bandwidths[${i}]`, b, r, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
  });
  if (bws.length === 0) throw new InputError('bandwidths', f.bandwidths, 'is required (or bandwidth): the bandwidths to try, e.g. 100MiB/s,1Gbit/s');
  if (bws.length * (present(f.downtimeLimits) ? list(f.downtimeLimits).length : 1) > 64) throw new InputError('bandwidths', f.bandwidths, 'with downtimeLimits makes more than 64 grid points');
  const dls = (present(f.downtimeLimits) ? list(f.downtimeLimits) : [present(f.downtimeLimit) ? f.downtimeLimit : '300ms']).map((d, i) => {
    const s = parseDuration(`downtimeLimits[${i}]`, d);
    if (!(s > 0)) throw new InputError(`downtimeLimits[${i}]`, d, 'must be greater than 0');
    return inRange(`downtimeLimits[${i}]`, d, s, LIMITS.minSeconds, LIMITS.maxSeconds, ' s');
  });
  let platformTimeouts: PlatformTimeoutName | undefined;
  if (present(f.platformTimeouts)) {
    if (!(typeof f.platformTimeouts === 'string' && f.platformTimeouts in PLATFORM_TIMEOUTS)) throw new InputError('platformTimeouts', f.platformTimeouts, `must be one of ${Object.keys(PLATFORM_TIMEOUTS).join(', ')}`);
    platformTimeouts = f.platformTimeouts as PlatformTimeoutName;
  }
  const first = { ...fields, bandwidth: bws[0] };
  const input = sample ? predictInputFromSample(sample, { ...extra, ...first }) : predictInputFrom(first);
  return advise(input, {
    bandwidthsBytesPerSec: bws,
    downtimeLimitsSec: dls,
    maxDowntimeSec: present(f.maxDowntime) ? parseDuration('maxDowntime', f.maxDowntime) : undefined,
    maxTimeSec: present(f.maxTime) ? parseDuration('maxTime', f.maxTime) : undefined,
    platformTimeouts,
    allowPostcopy: f.allowPostcopy === true || f.allowPostcopy === 'true',
    downtimeWeight: present(f.downtimeWeight) ? parseNumber('downtimeWeight', f.downtimeWeight, { min: 0, max: 1e9 }) : undefined,
    settings,
  });
}
