/**
 * Dirty models: how many distinct bytes a guest dirties within a window, and (Liu's writable working set)
 * which fraction of them is hot and skipped until stop-and-copy.
 */
import type { CurvePoint, DirtyModelSpec, WwsCoefficients } from './types.js';

/** Liu 2011's fit (T in s, D in MiB/s): gamma = -0.0463 T - 0.0001 D + 0.3586, R^2 = 0.843. */
export const LIU_WWS_COEFFICIENTS: Readonly<WwsCoefficients> = Object.freeze({ a: -0.0463, b: -0.0001, c: 0.3586 });

const MIB = 1024 * 1024;

/**
 * Liu's skipped fraction gamma = a*T + b*D + c, clamped to [0, 1].
 * @param roundSec T, the round's duration in seconds
 * @param dirtyRateBytesPerSec D in bytes/s (converted to MiB/s for the coefficients)
 * @example wwsFraction(LIU_WWS_COEFFICIENTS, 1, 50 * 2**20) // 0.3586 - 0.0463 - 0.005 = 0.3073
 */
export function wwsFraction(k: WwsCoefficients, roundSec: number, dirtyRateBytesPerSec: number): number {
  const g = k.a * roundSec + (k.b * dirtyRateBytesPerSec) / MIB + k.c;
  return g < 0 ? 0 : g > 1 ? 1 : g;
}

/**
 * Distinct bytes dirtied within a window of `windowSec`, read off Deng's measured curve: piecewise linear
 * between samples, through (0, 0) before the first, and along the last segment's slope after the last
 * (a saturated curve has a flat last segment). Points must be sorted by window (checked by `checkCurve`).
 */
export function curveDirtiedBytes(points: readonly CurvePoint[], windowSec: number): number {
  const n = points.length;
  let x0 = 0;
  let y0 = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i];
    if (windowSec <= p.windowSec) {
      const span = p.windowSec - x0;
      return span > 0 ? y0 + ((p.dirtiedBytes - y0) * (windowSec - x0)) / span : p.dirtiedBytes;
    }
    x0 = p.windowSec;
    y0 = p.dirtiedBytes;
  }
  // Past the last sample: extend the last segment.
  return y0 + lastSlope(points) * (windowSec - x0);
}

/** The slope of a curve's last segment (from the previous point, or the origin), never negative. */
function lastSlope(points: readonly CurvePoint[]): number {
  const n = points.length;
  const x0 = points[n - 1].windowSec;
  const y0 = points[n - 1].dirtiedBytes;
  const prevX = n >= 2 ? points[n - 2].windowSec : 0;
  const prevY = n >= 2 ? points[n - 2].dirtiedBytes : 0;
  return x0 > prevX ? Math.max(0, (y0 - prevY) / (x0 - prevX)) : 0;
}

/**
 * The inverse of `curveDirtiedBytes`: the shortest window in which the curve reaches `bytes` (0 for bytes <= 0;
 * Infinity when the curve levels off below it). Points as for `curveDirtiedBytes`.
 * @example curveWindowFor([{ windowSec: 1, dirtiedBytes: 10 }, { windowSec: 2, dirtiedBytes: 15 }], 12.5) // 1.5
 */
export function curveWindowFor(points: readonly CurvePoint[], bytes: number): number {
  if (!(bytes > 0)) return 0;
  const n = points.length;
  let x0 = 0;
  let y0 = 0;
  for (let i = 0; i < n; i++) {
    const p = points[i];
    if (bytes <= p.dirtiedBytes) {
      const rise = p.dirtiedBytes - y0;
      return rise > 0 ? x0 + ((bytes - y0) * (p.windowSec - x0)) / rise : x0;
    }
    x0 = p.windowSec;
    y0 = p.dirtiedBytes;
  }
  const slope = lastSlope(points);
  return slope > 0 ? x0 + (bytes - y0) / slope : Infinity;
}

/** Throws a RangeError naming the rule when a curve is unusable. */
export function checkCurve(points: readonly CurvePoint[]): void {
  if (!Array.isArray(points) || points.length === 0) throw new RangeError('dirty curve: needs at least one point');
  let lastX = 0;
  let lastY = 0;
  for (let i = 0; i < points.length; i++) {
    const { windowSec, dirtiedBytes } = points[i];
    if (!(Number.isFinite(windowSec) && windowSec > 0)) throw new RangeError(`dirty curve: point ${i} windowSec must be a positive number`);
    if (!(Number.isFinite(dirtiedBytes) && dirtiedBytes >= 0)) throw new RangeError(`dirty curve: point ${i} dirtiedBytes must be a non-negative number`);
    if (windowSec <= lastX) throw new RangeError(`dirty curve: point ${i} windowSec must grow (sorted, no repeats)`);
    if (dirtiedBytes < lastY) throw new RangeError(`dirty curve: point ${i} dirtiedBytes must not shrink as the window grows`);
    lastX = windowSec;
    lastY = dirtiedBytes;
  }
}

/** The mean dirty rate a curve implies over its longest window (bytes/s). */
export function curveMeanRate(points: readonly CurvePoint[]): number {
  const last = points[points.length - 1];
  return last.dirtiedBytes / last.windowSec;
}

/**
 * A compiled dirty model: a plain object with numbers the simulator's loop reads directly
 * (no closures on the hot path).
 */
export interface CompiledDirty {
  kind: 0 | 1 | 2; // constant, wws, curve
  rateBytesPerSec: number;
  wws: WwsCoefficients;
  points: readonly CurvePoint[];
  /** Upper bound on distinct dirty bytes (working set, else non-zero-able memory). */
  capBytes: number;
  /**
   * The set of pages the guest writes to, as far as the model knows: the working set, or where a sampled
   * curve levels off, its level; else all of memory. Pending and newly dirtied pages are drawn from it.
   */
  poolBytes: number;
}

/**
 * Where a curve has levelled off (its last segment grows less than 10 % per doubling of the window), the
 * working set it shows; else undefined.
 */
export function curveSaturation(points: readonly CurvePoint[]): number | undefined {
  if (points.length < 2) return undefined;
  const a = points[points.length - 2];
  const b = points[points.length - 1];
  if (a.dirtiedBytes <= 0) return undefined;
  const growth = (b.dirtiedBytes - a.dirtiedBytes) / a.dirtiedBytes / Math.log2(b.windowSec / a.windowSec);
  return growth < 0.1 ? b.dirtiedBytes : undefined;
}

export function compileDirty(spec: DirtyModelSpec | undefined, rateBytesPerSec: number, capBytes: number): CompiledDirty {
  const kind = spec?.kind ?? 'constant';
  if (kind === 'constant') return { kind: 0, rateBytesPerSec, wws: LIU_WWS_COEFFICIENTS, points: [], capBytes, poolBytes: capBytes };
  if (kind === 'wws') {
    const k = (spec as { coefficients?: WwsCoefficients }).coefficients ?? LIU_WWS_COEFFICIENTS;
    if (![k.a, k.b, k.c].every(Number.isFinite)) throw new RangeError('dirty model wws: coefficients a, b, c must be finite numbers');
    return { kind: 1, rateBytesPerSec, wws: k, points: [], capBytes, poolBytes: capBytes };
  }
  if (kind === 'curve') {
    const points = (spec as { points: CurvePoint[] }).points;
    checkCurve(points);
    const sat = curveSaturation(points);
    return { kind: 2, rateBytesPerSec, wws: LIU_WWS_COEFFICIENTS, points, capBytes, poolBytes: sat !== undefined && sat > 0 ? Math.min(sat, capBytes) : capBytes };
  }
  throw new RangeError(`dirty model: unknown kind ${JSON.stringify(kind)} (known: constant, wws, curve)`);
}

/**
 * Of the bytes a round of `sec` seconds dirties, those not already dirty, when `dirtyBytes` of the pool are dirty
 * already. A measured curve says it directly: the dirty pages are the ones written in the last
 * curveWindowFor(dirtyBytes) seconds, so the round adds D(age + sec) - D(age) — for a uniformly random writer
 * exactly (W - dirty) / W of the round's dirt, for a sequential one all of it until the sweep wraps, for a
 * fast-saturating working set plus a slow tail (stress-ng) only the tail. The other models, or `rule: 'pool'`,
 * draw the round's dirt uniformly from the pool: dirtied x (1 - dirty / pool). Pure.
 */
export function freshDirtiedIn(d: CompiledDirty, sec: number, dirtyBytes: number, rule: 'pool' | 'age' = 'age'): number {
  const dirtied = dirtiedIn(d, sec);
  if (d.kind !== 2 || rule === 'pool') return d.poolBytes > 0 ? dirtied - (dirtyBytes * dirtied) / Math.max(d.poolBytes, dirtyBytes, dirtied) : dirtied;
  const have = Math.min(dirtyBytes, d.capBytes);
  const age = curveWindowFor(d.points, have);
  if (!Number.isFinite(age)) return 0;
  const after = Math.min(d.capBytes, curveDirtiedBytes(d.points, age + sec));
  // The fresh pages are some of the round's own dirt: never more than it, whatever the curve's shape (a sampled
  // curve steeper further out than near the origin, by noise or by a phase, would otherwise add more).
  const fresh = after - Math.max(have, Math.min(d.capBytes, curveDirtiedBytes(d.points, age)));
  return fresh <= 0 ? 0 : fresh < dirtied ? fresh : dirtied;
}

/** Distinct bytes dirtied in a window of `sec` seconds, bounded by the model's cap. */
export function dirtiedIn(d: CompiledDirty, sec: number): number {
  const v = d.kind === 2 ? curveDirtiedBytes(d.points, sec) : d.rateBytesPerSec * sec;
  return v > d.capBytes ? d.capBytes : v;
}

/** Fraction of the bytes dirtied in a round of `sec` seconds that is hot and skipped (wws only). */
export function skippedFraction(d: CompiledDirty, sec: number): number {
  return d.kind === 1 ? wwsFraction(d.wws, sec, d.rateBytesPerSec) : 0;
}
