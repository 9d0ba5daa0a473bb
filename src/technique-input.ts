/**
 * The technique fields of a prediction (CLI flags, CSV columns, JSON keys, HTTP body) as the model's
 * TechniqueOptions: names are the batch columns' and the JSON keys'. Throws InputError naming the field.
 */
import { MULTIFD_COMPRESSIONS, TECHNIQUES, type TechniqueName, type TechniqueOptions } from './model/types.js';
import { InputError, LIMITS, inRange, parseDuration, parseNumber, parseRate, parseSize } from './units.js';

/** The technique fields; `technique` names it, the others are its settings. */
export interface RawTechniqueFields {
  technique?: unknown;
  /** postcopy: a whole number of passes ("2", "2passes") or a time ("30s") */
  postcopyAfter?: unknown;
  maxPostcopyBandwidth?: unknown;
  xbzrleCache?: unknown;
  xbzrleDeltaRatio?: unknown;
  xbzrleOverflowShare?: unknown;
  multifdChannels?: unknown;
  multifdCompression?: unknown;
  compressionRatio?: unknown;
  compressionRatioRewritten?: unknown;
  channelSpeedupRewritten?: unknown;
  vcpuDirtyLimit?: unknown;
  vcpus?: unknown;
}

export const TECHNIQUE_FIELDS = ['technique', 'postcopyAfter', 'maxPostcopyBandwidth', 'xbzrleCache', 'xbzrleDeltaRatio', 'xbzrleOverflowShare', 'multifdChannels', 'multifdCompression', 'compressionRatio', 'compressionRatioRewritten', 'channelSpeedupRewritten', 'vcpuDirtyLimit', 'vcpus'] as const;

/** Which techniques each setting belongs to. */
const SETTING_OF: Record<Exclude<(typeof TECHNIQUE_FIELDS)[number], 'technique'>, readonly TechniqueName[]> = {
  postcopyAfter: ['postcopy'],
  maxPostcopyBandwidth: ['postcopy'],
  xbzrleCache: ['xbzrle'],
  xbzrleDeltaRatio: ['xbzrle'],
  xbzrleOverflowShare: ['xbzrle'],
  multifdChannels: ['multifd', 'compress'],
  multifdCompression: ['multifd'],
  compressionRatio: ['multifd', 'compress'],
  compressionRatioRewritten: ['multifd', 'compress'],
  channelSpeedupRewritten: ['multifd', 'compress'],
  vcpuDirtyLimit: ['dirty-limit'],
  vcpus: ['dirty-limit'],
};

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** The technique the fields name, with its settings; undefined when no `technique` is given (and no setting). */
export function parseTechnique(f: RawTechniqueFields, autoConverge: boolean | undefined): TechniqueOptions | undefined {
  const given = (Object.keys(SETTING_OF) as (keyof typeof SETTING_OF)[]).filter((k) => present(f[k]));
  if (!present(f.technique)) {
    if (given.length > 0) throw new InputError(given[0], f[given[0]], `needs a technique (${SETTING_OF[given[0]].join(' or ')})`);
    return undefined;
  }
  if (typeof f.technique !== 'string' || !(TECHNIQUES as readonly string[]).includes(f.technique)) {
    throw new InputError('technique', f.technique, `must be one of ${TECHNIQUES.join(', ')}`);
  }
  const name = f.technique as TechniqueName;
  for (const k of given) if (!SETTING_OF[k].includes(name)) throw new InputError(k, f[k], `applies only with technique ${SETTING_OF[k].join(' or ')} (technique is ${name})`);
  if (autoConverge === true && (name === 'precopy' || name === 'dirty-limit')) {
    throw new InputError('autoConverge', true, name === 'precopy' ? 'contradicts technique precopy: use technique auto-converge' : 'conflicts with technique dirty-limit (QEMU refuses both)');
  }
  const t: TechniqueOptions = { name };
  if (present(f.postcopyAfter)) {
    const v = f.postcopyAfter;
    const m = typeof v === 'number' ? [String(v), String(v)] : typeof v === 'string' ? /^\s*(\d+)\s*(passes|pass)?\s*$/.exec(v) : null;
    if (m) t.postcopyAfterPasses = parseNumber('postcopyAfter', m[1], { min: 1, max: LIMITS.maxRounds, integer: true });
    else t.postcopyAfterSec = inRange('postcopyAfter', v, parseDuration('postcopyAfter', v), 0, LIMITS.maxSeconds, ' s');
  }
  if (present(f.maxPostcopyBandwidth)) {
    t.maxPostcopyBandwidthBytesPerSec = parseRate('maxPostcopyBandwidth', f.maxPostcopyBandwidth);
    if (!(t.maxPostcopyBandwidthBytesPerSec > 0)) throw new InputError('maxPostcopyBandwidth', f.maxPostcopyBandwidth, 'must be greater than 0 (leave it out for unlimited, QEMU 0)');
    inRange('maxPostcopyBandwidth', f.maxPostcopyBandwidth, t.maxPostcopyBandwidthBytesPerSec, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
  }
  if (present(f.xbzrleCache)) {
    const c = parseSize('xbzrleCache', f.xbzrleCache);
    if (!(c >= 4096 && Number.isInteger(Math.log2(c)))) throw new InputError('xbzrleCache', f.xbzrleCache, "must be a power of two no less than the page size, e.g. 64MiB (QEMU's rule)");
    t.xbzrleCacheBytes = inRange('xbzrleCache', f.xbzrleCache, c, 0, LIMITS.maxBytes, ' B');
  }
  if (present(f.xbzrleDeltaRatio)) t.xbzrleDeltaRatio = parseNumber('xbzrleDeltaRatio', f.xbzrleDeltaRatio, { min: 0, max: 1 });
  if (present(f.xbzrleOverflowShare)) t.xbzrleOverflowShare = parseNumber('xbzrleOverflowShare', f.xbzrleOverflowShare, { min: 0, max: 1 });
  if (present(f.multifdChannels)) t.multifdChannels = parseNumber('multifdChannels', f.multifdChannels, { min: 1, max: 255, integer: true });
  if (present(f.multifdCompression)) {
    if (typeof f.multifdCompression !== 'string' || !(MULTIFD_COMPRESSIONS as readonly string[]).includes(f.multifdCompression)) {
      throw new InputError('multifdCompression', f.multifdCompression, `must be one of ${MULTIFD_COMPRESSIONS.join(', ')}`);
    }
    t.multifdCompression = f.multifdCompression as TechniqueOptions['multifdCompression'];
  }
  if (present(f.compressionRatio)) {
    t.compressionRatio = parseNumber('compressionRatio', f.compressionRatio, { max: 1e6 });
    if (!(t.compressionRatio > 0)) throw new InputError('compressionRatio', f.compressionRatio, 'must be greater than 0 (raw bytes over compressed bytes)');
  }
  if (present(f.compressionRatioRewritten)) {
    t.compressionRatioRewritten = parseNumber('compressionRatioRewritten', f.compressionRatioRewritten, { max: 1e6 });
    if (!(t.compressionRatioRewritten > 0)) throw new InputError('compressionRatioRewritten', f.compressionRatioRewritten, 'must be greater than 0 (raw bytes over compressed bytes)');
  }
  if (present(f.channelSpeedupRewritten)) {
    t.channelSpeedupRewritten = parseNumber('channelSpeedupRewritten', f.channelSpeedupRewritten, { max: 1e4 });
    if (!(t.channelSpeedupRewritten > 0)) throw new InputError('channelSpeedupRewritten', f.channelSpeedupRewritten, 'must be greater than 0 (times the first pass\'s channel rate)');
    if (t.compressionRatioRewritten === undefined) throw new InputError('channelSpeedupRewritten', f.channelSpeedupRewritten, 'needs compressionRatioRewritten (--compression-ratio-rewritten): the speed is of those pages');
  }
  if (present(f.vcpuDirtyLimit)) {
    t.vcpuDirtyLimitBytesPerSec = parseRate('vcpuDirtyLimit', f.vcpuDirtyLimit);
    if (!(t.vcpuDirtyLimitBytesPerSec >= 2 ** 20)) throw new InputError('vcpuDirtyLimit', f.vcpuDirtyLimit, 'must be at least 1MiB/s (QEMU: vcpu-dirty-limit >= 1 MB/s)');
    inRange('vcpuDirtyLimit', f.vcpuDirtyLimit, t.vcpuDirtyLimitBytesPerSec, 0, LIMITS.maxRateBytesPerSec, ' B/s');
  }
  if (present(f.vcpus)) t.vcpus = parseNumber('vcpus', f.vcpus, { min: 1, max: 4096, integer: true });
  return t;
}

/**
 * The technique settings among the fields, each parsed as its technique takes it, without choosing a technique
 * (advise tries them all). Throws InputError naming the field.
 */
export function parseTechniqueSettings(f: RawTechniqueFields): Partial<TechniqueOptions> {
  const out: Partial<TechniqueOptions> = {};
  for (const name of ['postcopy', 'xbzrle', 'multifd', 'dirty-limit'] as const) {
    const own = (Object.keys(SETTING_OF) as (keyof typeof SETTING_OF)[]).filter((k) => SETTING_OF[k][0] === name && present(f[k]));
    if (own.length === 0) continue;
    const { name: _n, ...settings } = parseTechnique({ technique: name, ...Object.fromEntries(own.map((k) => [k, f[k]])) }, undefined)!;
    Object.assign(out, settings);
  }
  return out;
}
