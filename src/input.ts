/**
 * Turns loosely typed fields (CLI flags, CSV cells, JSON values, HTTP bodies) into a checked PredictInput.
 * One place for the rules, so every edge reports the same field names and messages.
 */
import { LIU_ADAPTIVE_DELTA_BYTES_PER_SEC, POLICIES, DIRTY_MODELS, LIU_WIRED_ENERGY, DEFAULT_WIRELESS_ENERGY, checkCurve } from './model/index.js';
import type { CurvePoint, DirtyModelSpec, EnergyModel, Platform, PolicyName, PredictInput } from './model/index.js';
import { InputError, LIMITS, inRange, parseDuration, parseFraction, parseNumber, parseRate, parseSize } from './units.js';
import { inputFromSample, techniqueFromSample, type FromSampleOptions } from './model/from-sample.js';
import type { VmSample } from './model/sample.js';
import { parseTechnique, type RawTechniqueFields } from './technique-input.js';
import { num, obj, parsePlatform } from './platform-input.js';

export { parsePlatform };

/** The fields a prediction can be asked with; names are the batch columns' and the JSON keys'. */
export interface RawPredictFields extends RawTechniqueFields {
  memory?: unknown;
  dirtyRate?: unknown;
  bandwidth?: unknown;
  policy?: unknown;
  downtimeLimit?: unknown;
  zeroPageFraction?: unknown;
  workingSet?: unknown;
  pageSize?: unknown;
  /** Busy share of the vCPU while sampled, (0, 1]. */
  cpuUtilisation?: unknown;
  /** Of the pages the guest dirties, the share left zero, [0, 1). */
  dirtyZeroShare?: unknown;
  /** {nonZeroPages: number[], hotPages: number[]} per slice of RAM in address order (JSON only). */
  layout?: unknown;
  dirtyModel?: unknown;
  /** "0.5s:10MiB,1s:18MiB" or [{windowSec, dirtiedBytes}] */
  curve?: unknown;
  /** "a,b,c" or {a,b,c} */
  wwsCoeffs?: unknown;
  autoConverge?: unknown;
  threshold?: unknown;
  maxRounds?: unknown;
  maxTrafficFactor?: unknown;
  timeout?: unknown;
  adaptiveRate?: unknown;
  delta?: unknown;
  rateMin?: unknown;
  rateMax?: unknown;
  /**
   * Platform constants as a whole: the JSON of a `lab calibrate` file (`{platform: {...}}` or the constants
   * themselves: setupSec, resumeSec, lineRateBytesPerSec, stopCopyRateBytesPerSec, firstTouchRateBytesPerSec,
   * zeroPageWireBytes, rateWindowSec, syncSec). setupTime, resumeTime, lineRate and stopCopyRate win over it.
   */
  platform?: unknown;
  setupTime?: unknown;
  resumeTime?: unknown;
  lineRate?: unknown;
  stopCopyRate?: unknown;
  energy?: unknown;
  alpha?: unknown;
  beta?: unknown;
  channelBandwidth?: unknown;
  noiseDensity?: unknown;
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';


function bool(field: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  throw new InputError(field, v, 'must be true or false');
}

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new InputError(field, v, `must be one of ${allowed.join(', ')}`);
}

/** One curve point within LIMITS (windows of 1 µs to maxSeconds, at most maxBytes). */
function curvePoint(field: string, windowSec: number, dirtiedBytes: number, rawWindow: unknown, rawBytes: unknown): CurvePoint {
  inRange(`${field}.windowSec`, rawWindow, windowSec, LIMITS.minWindowSec, LIMITS.maxSeconds, ' s');
  inRange(`${field}.dirtiedBytes`, rawBytes, dirtiedBytes, 0, LIMITS.maxBytes, ' B');
  return { windowSec, dirtiedBytes };
}

/** "0.5s:10MiB,1s:18MiB" or an array of {windowSec, dirtiedBytes}. */
export function parseCurve(field: string, v: unknown): CurvePoint[] {
  let points: CurvePoint[];
  if (typeof v === 'string') {
    points = v.split(',').map((pair, i) => {
      const [w, b] = pair.split(':');
      if (w === undefined || b === undefined) throw new InputError(field, v, `point ${i + 1} must be WINDOW:BYTES, e.g. 1s:18MiB`);
      return curvePoint(`${field}[${i}]`, parseDuration(`${field}[${i}].window`, w), parseSize(`${field}[${i}].bytes`, b), w, b);
    });
  } else if (Array.isArray(v)) {
    points = v.map((p, i) => {
      if (typeof p !== 'object' || p === null) throw new InputError(`${field}[${i}]`, p, 'must be an object {windowSec, dirtiedBytes}');
      const o = p as Record<string, unknown>;
      return curvePoint(`${field}[${i}]`, num(`${field}[${i}].windowSec`, o.windowSec, parseDuration), num(`${field}[${i}].dirtiedBytes`, o.dirtiedBytes, parseSize), o.windowSec, o.dirtiedBytes);
    });
  } else {
    throw new InputError(field, v, 'must be a list of WINDOW:BYTES points, e.g. "0.5s:10MiB,1s:18MiB"');
  }
  try {
    checkCurve(points);
  } catch (e) {
    throw new InputError(field, v, (e as Error).message.replace(/^dirty curve: /, ''));
  }
  return points;
}

function parseWws(field: string, v: unknown): { a: number; b: number; c: number } {
  if (typeof v === 'string') {
    const parts = v.split(',');
    if (parts.length !== 3) throw new InputError(field, v, 'must be three numbers a,b,c');
    return { a: parseNumber(`${field}.a`, parts[0]), b: parseNumber(`${field}.b`, parts[1]), c: parseNumber(`${field}.c`, parts[2]) };
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return { a: parseNumber(`${field}.a`, o.a), b: parseNumber(`${field}.b`, o.b), c: parseNumber(`${field}.c`, o.c) };
  }
  throw new InputError(field, v, 'must be three numbers a,b,c');
}

/**
 * Builds a PredictInput. Required: memory, bandwidth, and dirtyRate unless a curve gives it.
 * Throws InputError naming the field and the rule.
 */
export function predictInputFrom(f: RawPredictFields): PredictInput {
  if (!present(f.memory)) throw new InputError('memory', f.memory, 'is required (a size such as 4GiB)');
  const memoryBytes = num('memory', f.memory, parseSize);
  if (memoryBytes <= 0) throw new InputError('memory', f.memory, 'must be greater than 0');
  inRange('memory', f.memory, memoryBytes, 0, LIMITS.maxBytes, ' B');
  if (!present(f.bandwidth)) throw new InputError('bandwidth', f.bandwidth, 'is required (a rate such as 1Gbit/s)');
  const bandwidthBytesPerSec = num('bandwidth', f.bandwidth, parseRate);
  if (bandwidthBytesPerSec <= 0) throw new InputError('bandwidth', f.bandwidth, 'must be greater than 0');
  inRange('bandwidth', f.bandwidth, bandwidthBytesPerSec, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
  const policyName: PolicyName = present(f.policy) ? oneOf('policy', f.policy, POLICIES) : 'qemu';

  let dirtyModel: DirtyModelSpec | undefined;
  const modelName = present(f.dirtyModel) ? oneOf('dirtyModel', f.dirtyModel, DIRTY_MODELS) : present(f.curve) ? 'curve' : 'constant';
  if (modelName === 'curve') {
    if (!present(f.curve)) throw new InputError('curve', f.curve, 'is required with dirtyModel curve (e.g. "0.5s:10MiB,1s:18MiB")');
    dirtyModel = { kind: 'curve', points: parseCurve('curve', f.curve) };
  } else if (modelName === 'wws') {
    dirtyModel = present(f.wwsCoeffs) ? { kind: 'wws', coefficients: parseWws('wwsCoeffs', f.wwsCoeffs) } : { kind: 'wws' };
  }
  let dirtyRateBytesPerSec: number;
  if (present(f.dirtyRate)) dirtyRateBytesPerSec = inRange('dirtyRate', f.dirtyRate, num('dirtyRate', f.dirtyRate, parseRate), 0, LIMITS.maxRateBytesPerSec, ' B/s');
  else if (dirtyModel?.kind === 'curve') {
    const last = dirtyModel.points[dirtyModel.points.length - 1];
    dirtyRateBytesPerSec = last.dirtiedBytes / last.windowSec;
  } else throw new InputError('dirtyRate', f.dirtyRate, 'is required (a rate such as 50MiB/s)');

  const input: PredictInput = {
    vm: { memoryBytes, dirtyRateBytesPerSec },
    bandwidthBytesPerSec,
    policy: { name: policyName },
  };
  if (dirtyModel) input.vm.dirtyModel = dirtyModel;
  if (present(f.zeroPageFraction)) {
    const z = typeof f.zeroPageFraction === 'string' ? +f.zeroPageFraction : NaN;
    input.vm.zeroPageFraction = z >= 0 && z <= 1 ? z : parseFraction('zeroPageFraction', f.zeroPageFraction);
  }
  if (present(f.workingSet)) input.vm.workingSetBytes = inRange('workingSet', f.workingSet, num('workingSet', f.workingSet, parseSize), 0, LIMITS.maxBytes, ' B');
  if (present(f.cpuUtilisation)) {
    const u = parseNumber('cpuUtilisation', f.cpuUtilisation, { max: 1 });
    if (!(u > 0)) throw new InputError('cpuUtilisation', f.cpuUtilisation, 'must be greater than 0');
    input.vm.cpuUtilisation = u;
  }
  if (present(f.dirtyZeroShare)) {
    const z = parseNumber('dirtyZeroShare', f.dirtyZeroShare, { max: 1 });
    if (!(z >= 0 && z < 1)) throw new InputError('dirtyZeroShare', f.dirtyZeroShare, 'must be in [0, 1)');
    input.vm.dirtyZeroShare = z;
  }
  if (present(f.layout)) {
    const l = f.layout as { nonZeroPages?: unknown; hotPages?: unknown };
    const arr = (name: string, v: unknown): number[] => {
      if (!Array.isArray(v) || v.length === 0) throw new InputError(`layout.${name}`, v, 'must be a non-empty array of page counts');
      return v.map((x, i) => {
        if (!(typeof x === 'number' && x >= 0 && x <= LIMITS.maxBytes)) throw new InputError(`layout.${name}[${i}]`, x, `must be a page count between 0 and ${LIMITS.maxBytes}`);
        return x;
      });
    };
    if (typeof l !== 'object' || l === null) throw new InputError('layout', f.layout, 'must be an object {nonZeroPages, hotPages}');
    const nonZeroPages = arr('nonZeroPages', l.nonZeroPages);
    const hotPages = arr('hotPages', l.hotPages);
    if (hotPages.length !== nonZeroPages.length) throw new InputError('layout.hotPages', hotPages.length, `must have as many slices as layout.nonZeroPages (${nonZeroPages.length})`);
    input.vm.layout = { nonZeroPages, hotPages };
  }
  if (present(f.pageSize)) {
    input.vm.pageSizeBytes = num('pageSize', f.pageSize, parseSize);
    if (!(input.vm.pageSizeBytes > 0)) throw new InputError('pageSize', f.pageSize, 'must be greater than 0');
    inRange('pageSize', f.pageSize, input.vm.pageSizeBytes, 1, LIMITS.maxPageBytes, ' B');
  }

  const p = input.policy;
  if (present(f.downtimeLimit)) {
    p.downtimeLimitSec = num('downtimeLimit', f.downtimeLimit, parseDuration);
    if (!(p.downtimeLimitSec > 0)) throw new InputError('downtimeLimit', f.downtimeLimit, 'must be greater than 0');
    inRange('downtimeLimit', f.downtimeLimit, p.downtimeLimitSec, LIMITS.minSeconds, LIMITS.maxSeconds, ' s');
  }
  if (present(f.autoConverge)) p.autoConverge = bool('autoConverge', f.autoConverge);
  if (present(f.threshold)) p.thresholdBytes = inRange('threshold', f.threshold, num('threshold', f.threshold, parseSize), 0, LIMITS.maxBytes, ' B');
  if (present(f.maxRounds)) p.maxRounds = parseNumber('maxRounds', f.maxRounds, { min: 1, max: LIMITS.maxRounds, integer: true });
  if (present(f.maxTrafficFactor)) p.maxTrafficFactor = parseNumber('maxTrafficFactor', f.maxTrafficFactor, { min: 0, max: 1e6 });
  if (present(f.timeout)) {
    p.timeoutSec = num('timeout', f.timeout, parseDuration);
    if (!(p.timeoutSec > 0)) throw new InputError('timeout', f.timeout, 'must be greater than 0');
    inRange('timeout', f.timeout, p.timeoutSec, LIMITS.minSeconds, LIMITS.maxSeconds, ' s');
  }

  if (present(f.adaptiveRate) && bool('adaptiveRate', f.adaptiveRate)) {
    const min = present(f.rateMin) ? num('rateMin', f.rateMin, parseRate) : 1;
    const max = present(f.rateMax) ? num('rateMax', f.rateMax, parseRate) : bandwidthBytesPerSec;
    if (!(min > 0)) throw new InputError('rateMin', f.rateMin, 'must be greater than 0');
    inRange('rateMin', f.rateMin, min, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
    inRange('rateMax', f.rateMax, max, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
    if (max < min) {
      if (present(f.rateMax)) throw new InputError('rateMax', f.rateMax, 'must be at least rateMin');
      throw new InputError('rateMin', f.rateMin, 'must be at most rateMax (default the bandwidth)');
    }
    input.adaptiveRate = { deltaBytesPerSec: present(f.delta) ? inRange('delta', f.delta, num('delta', f.delta, parseRate), 0, LIMITS.maxRateBytesPerSec, ' B/s') : LIU_ADAPTIVE_DELTA_BYTES_PER_SEC, minBytesPerSec: min, maxBytesPerSec: max };
  }

  const platform: Partial<Platform> = present(f.platform) ? { ...parsePlatform('platform', f.platform) } : {};
  let hasPlatform = present(f.platform);
  if (present(f.setupTime)) { platform.setupSec = inRange('setupTime', f.setupTime, num('setupTime', f.setupTime, parseDuration), 0, LIMITS.maxSeconds, ' s'); hasPlatform = true; }
  if (present(f.resumeTime)) { platform.resumeSec = inRange('resumeTime', f.resumeTime, num('resumeTime', f.resumeTime, parseDuration), 0, LIMITS.maxSeconds, ' s'); hasPlatform = true; }
  if (present(f.lineRate)) {
    platform.lineRateBytesPerSec = num('lineRate', f.lineRate, parseRate);
    if (!(platform.lineRateBytesPerSec > 0)) throw new InputError('lineRate', f.lineRate, 'must be greater than 0');
    inRange('lineRate', f.lineRate, platform.lineRateBytesPerSec, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
    hasPlatform = true;
  }
  if (present(f.stopCopyRate)) {
    platform.stopCopyRateBytesPerSec = num('stopCopyRate', f.stopCopyRate, parseRate);
    if (!(platform.stopCopyRateBytesPerSec > 0)) throw new InputError('stopCopyRate', f.stopCopyRate, 'must be greater than 0');
    inRange('stopCopyRate', f.stopCopyRate, platform.stopCopyRateBytesPerSec, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
    hasPlatform = true;
  }
  if (hasPlatform) input.platform = platform;
  const technique = parseTechnique(f, p.autoConverge);
  if (technique) {
    if (technique.name !== 'precopy' && policyName !== 'qemu') throw new InputError('policy', f.policy, `must be qemu with technique ${technique.name} (a QEMU technique)`);
    input.technique = technique;
  }

  if (present(f.energy) || present(f.alpha) || present(f.beta) || present(f.channelBandwidth) || present(f.noiseDensity)) {
    const kind = present(f.energy) ? oneOf('energy', f.energy, ['wired', 'wireless'] as const) : present(f.channelBandwidth) || present(f.noiseDensity) ? 'wireless' : 'wired';
    let energy: EnergyModel;
    if (kind === 'wired') {
      energy = {
        kind,
        alphaJoulesPerMiB: present(f.alpha) ? parseNumber('alpha', f.alpha, { min: 0, max: 1e9 }) : LIU_WIRED_ENERGY.alphaJoulesPerMiB,
        betaJoules: present(f.beta) ? parseNumber('beta', f.beta, { min: 0, max: 1e12 }) : LIU_WIRED_ENERGY.betaJoules,
      };
    } else {
      energy = {
        kind,
        channelBandwidthHz: present(f.channelBandwidth) ? parseNumber('channelBandwidth', f.channelBandwidth, { min: 1, max: 1e12 }) : DEFAULT_WIRELESS_ENERGY.channelBandwidthHz,
        noiseDensityWattsPerHz: present(f.noiseDensity) ? parseNumber('noiseDensity', f.noiseDensity, { min: 0, max: 1 }) : DEFAULT_WIRELESS_ENERGY.noiseDensityWattsPerHz,
      };
    }
    input.energy = energy;
  }
  return input;
}



function points(field: string, v: unknown): CurvePoint[] {
  if (!Array.isArray(v)) throw new InputError(field, v, 'must be an array of {windowSec, dirtiedBytes}');
  return v.map((p, i) => {
    const o = obj(`${field}[${i}]`, p);
    // bounded as a curve's points are (a round may last under 1 µs): beyond them the corrected curve is not finite
    const windowSec = inRange(`${field}[${i}].windowSec`, o.windowSec, parseNumber(`${field}[${i}].windowSec`, o.windowSec, { min: 0 }), 0, LIMITS.maxSeconds, ' s');
    return { windowSec, dirtiedBytes: inRange(`${field}[${i}].dirtiedBytes`, o.dirtiedBytes, parseNumber(`${field}[${i}].dirtiedBytes`, o.dirtiedBytes, { min: 0 }), 0, LIMITS.maxBytes, ' B') };
  });
}

function pageCounts(field: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new InputError(field, v, 'must be an array of page counts');
  return v.map((x, i) => parseNumber(`${field}[${i}]`, x, { min: 0 }));
}

/** A sample's `compressibility`: page counts >= 0, shares in [0, 1]. */
function parseCompressibility(field: string, v: unknown): NonNullable<VmSample['compressibility']> {
  const c = obj(field, v);
  const out: NonNullable<VmSample['compressibility']> = {
    rewrittenPages: parseNumber(`${field}.rewrittenPages`, c.rewrittenPages, { min: 0 }),
    xbzrleOverflowShare: parseFraction(`${field}.xbzrleOverflowShare`, c.xbzrleOverflowShare),
    nonZeroPages: parseNumber(`${field}.nonZeroPages`, c.nonZeroPages, { min: 0 }),
  };
  for (const k of ['xbzrleDeltaRatio', 'zlibShareRewritten', 'zstdShareRewritten', 'zlibShare', 'zstdShare'] as const) {
    if (present(c[k])) out[k] = parseFraction(`${field}.${k}`, c[k]);
  }
  if (present(c.packetPages)) out.packetPages = parseNumber(`${field}.packetPages`, c.packetPages, { min: 1 });
  for (const k of ['zlibSpeedupRewritten', 'zstdSpeedupRewritten'] as const) {
    if (!present(c[k])) continue;
    out[k] = parseNumber(`${field}.${k}`, c[k], { max: 1e4 });
    if (!(out[k]! > 0)) throw new InputError(`${field}.${k}`, c[k], 'must be greater than 0 (how many times faster the rewritten pages compress)');
  }
  return out;
}

/** A sample's `throttleResponse` (`sample --throttle-probe`): throttle in (0, 1), rates >= 0, window counts, exponent in [0, 1]. */
function parseThrottleResponse(field: string, v: unknown): NonNullable<VmSample['throttleResponse']> {
  const t = obj(field, v);
  const throttle = parseFraction(`${field}.throttle`, t.throttle);
  const windowSec = parseNumber(`${field}.windowSec`, t.windowSec, { min: 0 });
  if (!(throttle > 0 && throttle < 1 && windowSec > 0)) throw new InputError(`${field}`, v, 'needs throttle between 0 and 1 (exclusive) and windowSec > 0');
  const n = (k: string, integer = false) => parseNumber(`${field}.${k}`, t[k], { min: 0, integer });
  return { throttle, windowSec, rateUnthrottled: n('rateUnthrottled'), rateThrottled: n('rateThrottled'), unthrottledWindows: n('unthrottledWindows', true), throttledWindows: n('throttledWindows', true), exponent: parseFraction(`${field}.exponent`, t.exponent) };
}

/**
 * A checked sample from loose JSON: the output of `migcost sample --json` (what the agent posts, what the store
 * keeps), as a `--vm` file, a cluster VM's `sample` or an API body's. Sizes and rates are SI numbers or human
 * units (`memory`/`dirtyRate` are read as `memoryBytes`/`dirtyRateBytesPerSec`); `curve` may be absent (then
 * `dirtyRateBytesPerSec` is required); without a curve's last point the rate is required; page size 4 KiB unless
 * given; `sampledAt` is kept as given ('' when absent). Throws InputError naming the field (`field.memoryBytes`).
 */
export function parseSample(field: string, v: unknown): VmSample {
  const o = obj(field, v);
  const memory = o.memoryBytes ?? o.memory;
  if (!present(memory)) throw new InputError(`${field}.memoryBytes`, memory, 'is required (a size such as 4GiB)');
  const memoryBytes = num(`${field}.memoryBytes`, memory, parseSize);
  if (!(memoryBytes > 0)) throw new InputError(`${field}.memoryBytes`, memory, 'must be greater than 0');
  inRange(`${field}.memoryBytes`, memory, memoryBytes, 0, LIMITS.maxBytes, ' B');
  const curve = o.curve === undefined || (Array.isArray(o.curve) && o.curve.length === 0) ? [] : parseCurve(`${field}.curve`, o.curve);
  const rate = o.dirtyRateBytesPerSec ?? o.dirtyRate;
  let dirtyRateBytesPerSec: number;
  if (present(rate)) dirtyRateBytesPerSec = inRange(`${field}.dirtyRateBytesPerSec`, rate, num(`${field}.dirtyRateBytesPerSec`, rate, parseRate), 0, LIMITS.maxRateBytesPerSec, ' B/s');
  else if (curve.length > 0) dirtyRateBytesPerSec = curve[curve.length - 1].dirtiedBytes / curve[curve.length - 1].windowSec;
  else throw new InputError(`${field}.dirtyRateBytesPerSec`, rate, 'is required without a curve (a rate such as 50MiB/s)');
  const page = o.pageSizeBytes ?? o.pageSize;
  const pageSizeBytes = present(page) ? num(`${field}.pageSizeBytes`, page, parseSize) : 4096;
  if (!(pageSizeBytes > 0)) throw new InputError(`${field}.pageSizeBytes`, page, 'must be greater than 0');
  inRange(`${field}.pageSizeBytes`, page, pageSizeBytes, 1, LIMITS.maxPageBytes, ' B');
  const s: VmSample = { memoryBytes, pageSizeBytes, dirtyRateBytesPerSec, curve, sampledAt: typeof o.sampledAt === 'string' ? o.sampledAt : '' };
  for (const k of ['zeroPageFraction', 'bitmapZeroShare', 'zeroPageFractionLate', 'zeroPageFractionAtStart'] as const) {
    if (present(o[k])) s[k] = parseFraction(`${field}.${k}`, o[k]);
  }
  if (present(o.cpuUtilisation)) s.cpuUtilisation = parseNumber(`${field}.cpuUtilisation`, o.cpuUtilisation, { min: 0 });
  if (present(o.nonZeroGrowthBytesPerSec)) s.nonZeroGrowthBytesPerSec = parseNumber(`${field}.nonZeroGrowthBytesPerSec`, o.nonZeroGrowthBytesPerSec, { min: 0 });
  if (typeof o.zeroPagesLateAt === 'string') s.zeroPagesLateAt = o.zeroPagesLateAt;
  if (present(o.touchedPagesPerSec)) s.touchedPagesPerSec = parseNumber(`${field}.touchedPagesPerSec`, o.touchedPagesPerSec, { min: 0 });
  if (o.compressibility !== undefined) s.compressibility = parseCompressibility(`${field}.compressibility`, o.compressibility);
  if (o.bitmapCurve !== undefined) s.bitmapCurve = points(`${field}.bitmapCurve`, o.bitmapCurve);
  if (o.phases !== undefined) {
    const ph = obj(`${field}.phases`, o.phases);
    const windowSec = parseNumber(`${field}.phases.windowSec`, ph.windowSec, { min: 0 });
    if (!(windowSec > 0)) throw new InputError(`${field}.phases.windowSec`, ph.windowSec, 'must be greater than 0');
    if (!Array.isArray(ph.rates)) throw new InputError(`${field}.phases.rates`, ph.rates, 'must be an array of rates (bytes/s), one per window');
    const rates = ph.rates.map((x, i) => parseNumber(`${field}.phases.rates[${i}]`, x, { min: 0 }));
    s.phases = { windowSec, spanSec: present(ph.spanSec) ? parseNumber(`${field}.phases.spanSec`, ph.spanSec, { min: 0 }) : windowSec * rates.length, rates };
  }
  if (o.throttleResponse !== undefined) s.throttleResponse = parseThrottleResponse(`${field}.throttleResponse`, o.throttleResponse);
  if (o.ramLayout !== undefined) {
    const l = obj(`${field}.ramLayout`, o.ramLayout);
    s.ramLayout = { windowSec: parseNumber(`${field}.ramLayout.windowSec`, l.windowSec, { min: 0 }), nonZeroPages: pageCounts(`${field}.ramLayout.nonZeroPages`, l.nonZeroPages), changedPages: pageCounts(`${field}.ramLayout.changedPages`, l.changedPages) };
  }
  return s;
}

/** Fields that choose a stop policy other than the sample's default (QEMU's rule). */
const POLICY_FIELDS = ['policy', 'threshold', 'maxRounds', 'maxTrafficFactor'] as const;

/**
 * A sampled VM's PredictInput: the link (bandwidth, downtimeLimit, autoConverge, timeout) and platform
 * constants read from the fields, the VM priced by `inputFromSample` (the default model unless
 * `opts.variant`), then whatever else the fields give explicitly overriding it: memory, dirtyRate, pageSize
 * before the model reads the sample; zeroPageFraction, workingSet, cpuUtilisation, dirtyZeroShare, layout,
 * curve/dirtyModel, a stop policy, adaptive rate, energy after. With no such fields, exactly
 * `inputFromSample(sample, link, platform)`. Throws InputError naming the field.
 */
export function predictInputFromSample(sample: VmSample, f: RawPredictFields, opts: FromSampleOptions = {}): PredictInput {
  const given = Object.fromEntries(Object.entries(f).filter(([, v]) => present(v))) as RawPredictFields;
  const checked = predictInputFrom({ memory: sample.memoryBytes, dirtyRate: sample.dirtyRateBytesPerSec, ...given });
  const s: VmSample = { ...sample, memoryBytes: checked.vm.memoryBytes, dirtyRateBytesPerSec: checked.vm.dirtyRateBytesPerSec };
  if (checked.vm.pageSizeBytes !== undefined) s.pageSizeBytes = checked.vm.pageSizeBytes;
  const p = checked.policy;
  const input = inputFromSample(s, { bandwidthBytesPerSec: checked.bandwidthBytesPerSec, downtimeLimitSec: p.downtimeLimitSec, autoConverge: p.autoConverge, timeoutSec: p.timeoutSec }, checked.platform ?? {}, opts);
  const vm = input.vm;
  const c = checked.vm;
  if ('zeroPageFraction' in given) vm.zeroPageFraction = c.zeroPageFraction;
  if ('workingSet' in given) vm.workingSetBytes = c.workingSetBytes;
  if ('cpuUtilisation' in given) vm.cpuUtilisation = c.cpuUtilisation;
  if ('dirtyZeroShare' in given) vm.dirtyZeroShare = c.dirtyZeroShare;
  if ('layout' in given) vm.layout = c.layout;
  if ('curve' in given || 'dirtyModel' in given) vm.dirtyModel = c.dirtyModel;
  if (POLICY_FIELDS.some((k) => k in given)) input.policy = p;
  if (checked.adaptiveRate) input.adaptiveRate = checked.adaptiveRate;
  if (checked.energy) input.energy = checked.energy;
  if (checked.technique) input.technique = techniqueFromSample(s, checked.technique);
  return input;
}
