/**
 * From a sample to the model's input: `inputFromSample`, the one way every path (predict --vm, plan, the API,
 * the lab) turns a sampled VM into a prediction, with the default model and the lab's variants as its options.
 * Pure: a sample, a link and platform constants in, predictions out.
 */
import { closedForm } from './closed-form.js';
import { curveSaturation, curveDirtiedBytes } from './dirty.js';
import { dirtDispersionFromSample } from './dispersion.js';
import { phasesFromSample, rateSpreadFromPhases } from './phases.js';
import { responseFromProbe } from './throttle-response.js';
import { LIU_WIRED_ENERGY, wiredEnergyJoules } from './energy.js';
import { simulate, POLICY_DEFAULTS } from './precopy.js';
import { predict } from './techniques.js';
import { ratioWithHeader } from './packet-compression.js';
import type { MultifdCompression, Platform, Prediction, PredictInput, TechniqueOptions, VmSpec } from './types.js';
import type { MigrationConfig } from '../record/record.js';
import type { VmSample } from './sample.js';
import type { InFlightDirt } from './in-flight.js';

export const VARIANTS = ['closed-form', 'liu', 'xen', 'qemu', 'qemu+zero', 'qemu+wss+zero', 'deng-curve', 'deng-bitmap', 'deng-bitmap+pool'] as const;
export type Variant = (typeof VARIANTS)[number];

export const VARIANT_DESCRIPTIONS: Record<Variant, string> = {
  'closed-form': 'closed form (Liu eqs. 1-8): constant sampled rate, V_thd = bandwidth x downtime limit',
  liu: "Liu's Algorithm 1 with the paper's working-set coefficients, V_thd = bandwidth x downtime limit",
  xen: 'Xen 3.x stop rules (Deng), constant sampled rate',
  qemu: "QEMU's switch-over rule, constant sampled rate, no zero pages, no working set",
  'qemu+zero': 'QEMU rule + zero pages sent as flags',
  'qemu+wss+zero': 'QEMU rule + zero pages + working set bounded by the saturation of the sampled curve',
  'deng-curve': "QEMU rule + zero pages + Deng's measured dirtied-pages-versus-window curve",
  'deng-bitmap': 'deng-curve with the curve corrected by a pseudo-migration (dirty-bitmap counts per round) and the working set located by two RAM dumps, where the sample has them',
  'deng-bitmap+pool': "deng-bitmap with a later round's new dirt drawn uniformly from the working set (freshDirt: pool, the default until session 7) instead of read off the curve at the pending dirt's age",
};

/**
 * A pseudo-migration's zero share of re-sent pages above this is not trusted as the guest's steady zero share of
 * dirt: the lab saw 0.98-0.99 only in stress-ng samples whose first sync after the first pass found 150-250 MiB of
 * zero pages at once (dbench, the workload with real zero dirt, measures 0.4-0.6).
 */
export const MAX_TRUSTED_DIRTY_ZERO_SHARE = 0.75;

/** A sample's `bitmapZeroShare` as the guest's dirty zero share, where it is a share worth trusting. Pure. */
export function trustedDirtyZeroShare(bitmapZeroShare: unknown): number | undefined {
  return typeof bitmapZeroShare === 'number' && bitmapZeroShare > 0 && bitmapZeroShare <= MAX_TRUSTED_DIRTY_ZERO_SHARE ? bitmapZeroShare : undefined;
}

/** Bitmap rounds shorter than this are not trusted: right after the first pass a sync can report, over a
 * round of milliseconds, dirt that accumulated over the whole pass. */
export const MIN_BITMAP_WINDOW_SEC = 0.5;

/**
 * The sampled curve corrected by the pseudo-migration's bitmap counts. Page-sampling compares page contents,
 * so it misses pages rewritten with the same bytes (redis overwriting equal values); the bitmap counts every
 * write, as the migration will. Conservative on purpose, because a curve raised by a few MiB flips a
 * knife-edge migration from converging to not:
 * - nothing changes unless the pseudo-migration measured the zero share of the pages it re-sent (re-dirtied
 *   zero pages, e.g. dbench's freshly allocated buffers, go as flags and cost nothing);
 * - only bitmap rounds of >= 0.5 s count (bitmap counts scaled by the non-zero share; rounds within 10 % of
 *   each other averaged);
 * - windows shorter than the first such round keep the sampled values; from there on the curve is the larger
 *   of the sampled one and the bitmap's (piecewise linear between bitmap points, held beyond the last): the
 *   bitmap only ever adds the dirt page-sampling could not see;
 * - the result is monotone. Pure.
 */
export function correctedCurve(sample: VmSample): VmSample['curve'] {
  const b = sample.bitmapCurve;
  if (!b || b.length === 0 || sample.curve.length === 0 || sample.bitmapZeroShare === undefined) return sample.curve;
  const sorted = [...b].filter((p) => p.windowSec >= MIN_BITMAP_WINDOW_SEC).sort((x, y) => x.windowSec - y.windowSec);
  if (sorted.length === 0) return sample.curve;
  const bins: { windowSec: number; dirtiedBytes: number; n: number }[] = [];
  for (const p of sorted) {
    const last = bins[bins.length - 1];
    if (last && p.windowSec <= (last.windowSec / last.n) * 1.1) {
      last.windowSec += p.windowSec;
      last.dirtiedBytes += p.dirtiedBytes;
      last.n++;
    } else bins.push({ windowSec: p.windowSec, dirtiedBytes: p.dirtiedBytes, n: 1 });
  }
  const nonZero = 1 - Math.min(1, Math.max(0, sample.bitmapZeroShare));
  const points = bins.map((x) => ({ windowSec: x.windowSec / x.n, dirtiedBytes: (x.dirtiedBytes / x.n) * nonZero }));
  const bitmapAt = (w: number) => {
    if (w < points[0].windowSec) return 0;
    for (let i = 1; i < points.length; i++) {
      if (w <= points[i].windowSec) {
        const t = (w - points[i - 1].windowSec) / (points[i].windowSec - points[i - 1].windowSec);
        return points[i - 1].dirtiedBytes + t * (points[i].dirtiedBytes - points[i - 1].dirtiedBytes);
      }
    }
    return points[points.length - 1].dirtiedBytes;
  };
  const sampledAt = (w: number) => curveDirtiedBytes(sample.curve, w);
  const merged = [
    ...sample.curve.map((p) => ({ windowSec: p.windowSec, dirtiedBytes: Math.max(p.dirtiedBytes, bitmapAt(p.windowSec)) })),
    ...points.map((p) => ({ windowSec: p.windowSec, dirtiedBytes: Math.max(p.dirtiedBytes, sampledAt(p.windowSec)) })),
  ].sort((x, y) => x.windowSec - y.windowSec);
  const out: VmSample['curve'] = [];
  for (const p of merged) {
    const prev = out[out.length - 1];
    if (prev && Math.abs(prev.windowSec - p.windowSec) < 1e-9) {
      prev.dirtiedBytes = Math.max(prev.dirtiedBytes, p.dirtiedBytes);
      continue;
    }
    out.push({ windowSec: p.windowSec, dirtiedBytes: Math.max(prev?.dirtiedBytes ?? 0, p.dirtiedBytes) });
  }
  return out;
}

/** The working set a sampled curve implies: where the curve has levelled off, its level; else unknown. */
export function workingSetFromCurve(sample: VmSample): number | undefined {
  return curveSaturation(sample.curve);
}

/** The rate a short window of the curve implies: the slope from the origin to the first sample. */
function baseRate(sample: VmSample): number {
  return sample.dirtyRateBytesPerSec;
}

/**
 * The sample as of a migration starting at `startsAt` (ISO time): the zero share QEMU saw last, less what
 * the measured growth of non-zero memory has filled since (never below 0). Without a later look or a growth
 * the sample is returned as it is. Pure.
 * @example sampleAt({ ...s, memoryBytes: 256 MiB, zeroPageFractionLate: 0.5, zeroPagesLateAt: t, nonZeroGrowthBytesPerSec: 1 MiB }, t + 10 s)
 *   // zeroPageFractionAtStart = 0.5 - 10 / 256
 */
export function sampleAt(sample: VmSample, startsAt: string | undefined): VmSample {
  if (sample.zeroPageFractionLate === undefined) return sample;
  const g = sample.nonZeroGrowthBytesPerSec ?? 0;
  const from = sample.zeroPagesLateAt ? Date.parse(sample.zeroPagesLateAt) : NaN;
  const to = startsAt ? Date.parse(startsAt) : NaN;
  const leadSec = Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, (to - from) / 1000) : 0;
  return { ...sample, zeroPageFractionAtStart: Math.max(0, sample.zeroPageFractionLate - (g * leadSec) / sample.memoryBytes) };
}

/** The migration a sample is priced for: the link and QEMU's migration settings. A `MigrationConfig` is one. */
export interface SampleLink {
  /** The migration's bandwidth cap (bytes/s). */
  bandwidthBytesPerSec: number;
  /** QEMU's downtime limit (s). Default 0.3 s, QEMU's. */
  downtimeLimitSec?: number;
  autoConverge?: boolean;
  /** Give up after this long (s). Default 600 s. */
  timeoutSec?: number;
  /** The QEMU technique and its settings (absent: plain pre-copy as `autoConverge` says). */
  technique?: TechniqueOptions;
}

/**
 * A technique's settings with what the sample measured filled in where the technique leaves them unset: XBZRLE's
 * delta ratio and overflow share from the rewritten pages' deltas (all overflowed: ratio 1); multifd's
 * compression ratio (raw over wire bytes, each packet's header counted as QEMU counts it: ratioWithHeader) from
 * the non-zero pages' zlib share for zlib (and `compress`), their zstd share for zstd, or the zlib share where
 * the sampler's Node had no zstd (the lab saw both at the same ratio: TECHNIQUES-NOTES §3); and the ratio of the
 * pages re-sent after the first pass from the rewritten pages' share, with the channels' speedup on them where the
 * sampler timed it. Without a measurement the technique's
 * defaults stand. Pure.
 * @example techniqueFromSample({ ...s, compressibility: { ..., zlibShare: 0.5 } }, { name: 'compress' }) // compressionRatio 1 / (0.5 + 1344 / 524288) = 1.99
 */
export function techniqueFromSample(sample: VmSample, t: TechniqueOptions): TechniqueOptions {
  const c = sample.compressibility;
  if (!c) return t;
  const out: TechniqueOptions = { ...t };
  if (t.name === 'xbzrle' && c.rewrittenPages > 0) {
    if (out.xbzrleOverflowShare === undefined) out.xbzrleOverflowShare = c.xbzrleOverflowShare;
    if (out.xbzrleDeltaRatio === undefined) out.xbzrleDeltaRatio = c.xbzrleDeltaRatio ?? 1;
  }
  const m = t.name === 'multifd' || t.name === 'compress' ? measuredCompression(c, t.name === 'compress' ? 'zlib' : (t.multifdCompression ?? 'none')) : undefined;
  if (m) {
    if (out.compressionRatio === undefined && m.share !== undefined && m.share > 0) out.compressionRatio = ratioWithHeader(m.share);
    if (out.compressionRatioRewritten === undefined && m.rewritten !== undefined && m.rewritten > 0 && c.rewrittenPages > 0) {
      out.compressionRatioRewritten = ratioWithHeader(m.rewritten);
      if (out.channelSpeedupRewritten === undefined && m.speedup !== undefined) out.channelSpeedupRewritten = m.speedup;
    }
  }
  return out;
}

/** What the sampler measured of one compressor: zstd's readings, or zlib's where its Node had no zstd; none for `none`. */
function measuredCompression(c: NonNullable<VmSample['compressibility']>, kind: MultifdCompression): { share?: number; rewritten?: number; speedup?: number } | undefined {
  if (kind === 'zlib') return { share: c.zlibShare, rewritten: c.zlibShareRewritten, speedup: c.zlibSpeedupRewritten };
  if (kind === 'zstd') return { share: c.zstdShare ?? c.zlibShare, rewritten: c.zstdShareRewritten ?? c.zlibShareRewritten, speedup: c.zstdSpeedupRewritten ?? c.zlibSpeedupRewritten };
  return undefined;
}

export interface FromSampleOptions {
  /** Which of the lab's variants. Default `deng-bitmap`, the model whose figures the README reports. */
  variant?: Variant;
}

/** The model `predict --vm`, `plan`, the API and the lab use unless told otherwise. */
export const DEFAULT_VARIANT: Variant = 'deng-bitmap';

/**
 * The model's input for migrating a sampled VM over a link: THE way from a sample to a prediction, used by
 * `predict --vm`, `plan`, the API and the lab. By default the default model (`deng-bitmap`: zero pages as QEMU
 * last counted them, the page-sampled curve corrected by the pseudo-migration's bitmap counts, the dirt left
 * zero, the RAM layout, the vCPU load); the lab's other variants are options. The sample is taken as it is:
 * to extrapolate it to a later start, pass it through `sampleAt` first. Pure.
 * @example inputFromSample(sample, { bandwidthBytesPerSec: 100 * 2 ** 20, downtimeLimitSec: 0.3 }, platform)
 */
export function inputFromSample(sample: VmSample, link: SampleLink, platform: Partial<Platform> = {}, opts: FromSampleOptions = {}): PredictInput {
  const variant = opts.variant ?? DEFAULT_VARIANT;
  // deng-bitmap+pool is deng-bitmap with the older rule for a later round's new dirt.
  const v: Variant = variant === 'deng-bitmap+pool' ? 'deng-bitmap' : variant;
  const vm: VmSpec = { memoryBytes: sample.memoryBytes, dirtyRateBytesPerSec: baseRate(sample), pageSizeBytes: sample.pageSizeBytes };
  const withZero = v === 'qemu+zero' || v === 'qemu+wss+zero' || v === 'deng-curve' || v === 'deng-bitmap';
  if (withZero && sample.zeroPageFraction !== undefined) vm.zeroPageFraction = sample.zeroPageFraction;
  // deng-bitmap: everything the pseudo-migration tells, including QEMU's later zero-page count and the growth since.
  if (v === 'deng-bitmap') {
    const zf = sample.zeroPageFractionAtStart ?? sample.zeroPageFractionLate;
    if (zf !== undefined) vm.zeroPageFraction = zf;
  }
  if ((v === 'deng-curve' || v === 'deng-bitmap') && sample.cpuUtilisation !== undefined) vm.cpuUtilisation = Math.min(1, Math.max(0.01, sample.cpuUtilisation));
  // How the dirt answered a throttle, where the sampler probed it (`sample --throttle-probe`): read back on the
  // page-sampled curve (the probe's windows are page-sampling ones too); it replaces the vCPU-load rule.
  if (v === 'deng-curve' || v === 'deng-bitmap') {
    const r = responseFromProbe(sample.throttleResponse, sample.curve);
    if (r) vm.throttleResponse = r;
  }
  if (v === 'qemu+wss+zero') {
    const wss = workingSetFromCurve(sample);
    if (wss !== undefined) vm.workingSetBytes = wss;
  }
  if (v === 'deng-curve' && sample.curve.length > 0) vm.dirtyModel = { kind: 'curve', points: sample.curve };
  if (v === 'deng-bitmap' && sample.curve.length > 0) {
    vm.dirtyModel = { kind: 'curve', points: correctedCurve(sample) };
    // Dirty pages left zero count toward QEMU's switch-over estimate, not the wire (dbench: about half).
    const z = trustedDirtyZeroShare(sample.bitmapZeroShare);
    if (z !== undefined) vm.dirtyZeroShare = z;
    // How much a round's dirt varies, for the convergence outlook (the plain prediction does not read it).
    const disp = dirtDispersionFromSample(sample);
    if (disp.source === 'bitmap') vm.dirtDispersion = disp.cvAt1Sec;
    // A quiet phase a longer look (`sample --horizon`) saw, for the outlook too; none without one.
    const phases = phasesFromSample(sample);
    if (phases) vm.dirtPhases = phases;
    // How much the rate strays, from the same look, in place of the default's (rate-spread.ts).
    const spread = rateSpreadFromPhases(sample.phases);
    if (spread !== undefined) vm.dirtRateSpread = spread;
  }
  // deng-bitmap: where the working set lies, from two RAM dumps, where the sample has them.
  const layout = sample.ramLayout;
  if (v === 'deng-bitmap' && layout && layout.nonZeroPages.length === layout.changedPages.length && layout.nonZeroPages.length > 0) {
    vm.layout = { nonZeroPages: layout.nonZeroPages, hotPages: layout.changedPages };
  }
  if (v === 'liu') vm.dirtyModel = { kind: 'wws' };
  const downtimeLimitSec = link.downtimeLimitSec ?? POLICY_DEFAULTS.qemu.downtimeLimitSec;
  const threshold = Math.min(link.bandwidthBytesPerSec, platform.lineRateBytesPerSec ?? Infinity) * downtimeLimitSec;
  const policy =
    v === 'xen' ? { name: 'xen' as const }
    : v === 'liu' || v === 'closed-form' ? { name: 'liu' as const, thresholdBytes: threshold, maxRounds: 1000 }
    : { name: 'qemu' as const, downtimeLimitSec: link.downtimeLimitSec, autoConverge: link.autoConverge, timeoutSec: link.timeoutSec, ...(variant === 'deng-bitmap+pool' ? { freshDirt: 'pool' as const } : {}) };
  const input: PredictInput = { vm, bandwidthBytesPerSec: link.bandwidthBytesPerSec, policy, platform };
  if (link.technique) input.technique = techniqueFromSample(sample, link.technique);
  return input;
}

/** Builds the predict input of one variant: `inputFromSample` with the variant as its option. */
export function variantInput(variant: Variant, sample: VmSample, cfg: MigrationConfig, platform: Partial<Platform>): PredictInput {
  return inputFromSample(sample, cfg, platform, { variant });
}

/**
 * Predicts with one variant. The closed form is evaluated by its formula, not the simulator. The point and the
 * verdict stay the deterministic run's: the convergence outlook's median (convergence.ts) was tried in their place
 * and made the held-out figures worse (docs/model.md, "Convergence as a probability").
 */
export function predictVariant(v: Variant, sample: VmSample, cfg: MigrationConfig, platform: Partial<Platform>): Prediction {
  const input = variantInput(v, sample, cfg, platform);
  if (input.technique && input.policy.name !== 'qemu') delete input.technique; // the other policies know no technique
  if (v !== 'closed-form') return input.technique ? predict(input) : simulate(input);
  const rate = Math.min(cfg.bandwidthBytesPerSec, platform.lineRateBytesPerSec ?? Infinity);
  const setupSec = platform.setupSec ?? 0;
  const resumeSec = platform.resumeSec ?? 0.02;
  const cf = closedForm({
    memoryBytes: sample.memoryBytes,
    dirtyRateBytesPerSec: sample.dirtyRateBytesPerSec,
    bandwidthBytesPerSec: rate,
    thresholdBytes: input.policy.thresholdBytes ?? 0,
    maxRounds: 1000,
    resumeSec,
  });
  const stopCopySec = cf.downtimeSec - resumeSec;
  return {
    totalTimeSec: setupSec + cf.migrationSec + resumeSec,
    downtimeSec: cf.downtimeSec,
    transferredBytes: cf.transferredBytes,
    rounds: cf.n,
    converged: cf.converged,
    reason: cf.converged ? 'below-threshold' : cf.reason === 'max-rounds' ? 'max-rounds' : 'not-shrinking',
    energyJoules: wiredEnergyJoules(LIU_WIRED_ENERGY, cf.transferredBytes),
    setupSec,
    precopySec: cf.migrationSec - stopCopySec,
    stopCopySec,
    stopCopyBytes: stopCopySec * rate,
    resumeSec,
    maxThrottle: 0,
  };
}

/** Every variant's prediction for one sample and configuration. */
export function predictAllVariants(sample: VmSample, cfg: MigrationConfig, platform: Partial<Platform>): Record<Variant, Prediction> {
  const out = {} as Record<Variant, Prediction>;
  for (const v of VARIANTS) out[v] = predictVariant(v, sample, cfg, platform);
  return out;
}

/**
 * What `watch` re-predicts a migration in flight with, from the VM's pre-migration sample (model/in-flight.ts): the
 * curve deng-bitmap uses (the page-sampled curve corrected by the bitmap counts), the zero share as deng-bitmap
 * takes it (QEMU's later count, extrapolated to the start), the vCPU load, and the platform's stop-and-copy rate and
 * resume time where fitted. None without a curve. Pure.
 */
export function inFlightDirtFromSample(sample: VmSample, platform: Partial<Platform> = {}): InFlightDirt | undefined {
  if (sample.curve.length === 0) return undefined;
  const zero = sample.zeroPageFractionAtStart ?? sample.zeroPageFractionLate ?? sample.zeroPageFraction;
  const stop = platform.stopCopyRateBytesPerSec;
  return {
    curve: correctedCurve(sample),
    ...(zero !== undefined ? { zeroPageFraction: zero } : {}),
    ...(sample.cpuUtilisation !== undefined ? { cpuUtilisation: sample.cpuUtilisation } : {}),
    ...(stop !== undefined && Number.isFinite(stop) && stop > 0 ? { stopCopyRateBytesPerSec: stop } : {}),
    ...(platform.resumeSec !== undefined ? { resumeSec: platform.resumeSec } : {}),
  };
}
