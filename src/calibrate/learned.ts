/**
 * The learned correction (issue 20, item 3): a random forest (mljs's `ml-random-forest`, not a hand-written
 * learner) of the analytic prediction's error, fitted on stored migrations from what is known before one.
 *
 * Features (known before a migration): log2 of dirty rate over bandwidth, log2 of memory (GiB), auto-converge
 * (0/1), the downtime limit (s), the zero-page share (the scalar fit's when the row gives none, learned-scalar.ts; -1 when unknown), the analytic prediction itself (log of its
 * time over memory/bandwidth, log of its bytes over memory), and a one-hot of the workload (the names with at least
 * two training rows, at most MAX_NAMES; the VM's id where a row names no workload).
 * Targets, one forest each: log(measured / analytic) of the total time and of the bytes sent (a factor, so the
 * correction is relative and never makes a figure negative), and measured - analytic downtime in seconds (downtime
 * is often near 0, where a ratio is unstable).
 *
 * Applying it: the analytic figure times exp(predicted log-ratio), the downtime plus the predicted difference,
 * each correction clamped to the range seen in training and every figure checked finite and >= 0. A row whose
 * rate/bandwidth, memory or downtime limit lies outside the training min/max is not corrected
 * (`applied: false` with the reason): trees extrapolate flat, which would pass off a guess as learned.
 * Pure (the forest is plain computation); serialised with the forests' toJSON() and restored with load().
 */
import { RandomForestRegression } from 'ml-random-forest';
import type { ScalarInput } from '../model/from-scalar.js';
import type { ScalarFit } from './scalar-fit.js';

/** The store's model kind of a learned correction. */
export const LEARNED_KIND = 'learned-correction';
export const LEARNED_FORMAT = 1;
const MAX_NAMES = 12;
/** The fewest training rows a correction is fitted from. */
export const MIN_LEARN_ROWS = 10;

/** What is known before a migration: the scalar inputs, and its workload or VM when the log names them. */
export interface KnownBefore extends ScalarInput {
  workload?: string;
  vmId?: string;
}

export interface Figures {
  totalTimeSec: number;
  transferredBytes: number;
  downtimeSec: number;
}

/** One training row: what was known, what the analytic model (the base) predicted, what was measured. */
export interface LearnRow {
  known: KnownBefore;
  base: Figures;
  measured: Figures;
}

export interface LearnOptions {
  trees?: number;
  maxDepth?: number;
  minLeaf?: number;
  seed?: number;
}

type Range = [number, number];

/** A fitted correction as stored (JSON). */
export interface LearnedModel {
  format: typeof LEARNED_FORMAT;
  /** What it corrects, said with it (e.g. the scalar analytic model and its prior). */
  base: string;
  n: number;
  names: string[];
  ranges: { rateOverBandwidth: Range; memoryBytes: Range; downtimeLimitSec: Range };
  targets: { logTime: Range; logBytes: Range; downtimeSec: Range };
  forests: { logTime: unknown; logBytes: unknown; downtimeSec: unknown };
  /** The scalar fit its base was predicted under (learned-scalar.ts; absent in models stored before it). */
  scalarFit?: ScalarFit;
}

export type LearnedResult =
  | { applied: true; figures: Figures; factors: { totalTimeSec: number; transferredBytes: number }; downtimeShiftSec: number }
  | { applied: false; reason: string };

const log2 = (x: number) => Math.log2(x);
const ratioOf = (k: KnownBefore) => Math.max(k.dirtyRateBytesPerSec, 1) / k.bandwidthBytesPerSec;
const limitOf = (k: KnownBefore) => k.downtimeLimitSec ?? 0.3;
const nameOf = (k: KnownBefore): string | undefined => k.workload ?? k.vmId;
const safeLog = (x: number) => Math.log(Math.max(x, 1e-9));

function features(k: KnownBefore, base: Figures, names: readonly string[]): number[] {
  const name = nameOf(k);
  return [
    log2(ratioOf(k)),
    log2(k.memoryBytes / 2 ** 30),
    k.technique === 'auto-converge' ? 1 : 0,
    limitOf(k),
    k.zeroPageFraction ?? -1,
    safeLog(base.totalTimeSec / (k.memoryBytes / k.bandwidthBytesPerSec)),
    safeLog(base.transferredBytes / k.memoryBytes),
    ...names.map((n) => (n === name ? 1 : 0)),
  ];
}

const span = (xs: readonly number[]): Range => [Math.min(...xs), Math.max(...xs)];

/**
 * A tiny deterministic jitter on the targets (below 1e-9): ml-cart does not split a node whose best split leaves
 * no error at all (its gain test compares the split's error with 0 and with the parent's), so a noiseless regime
 * would never be learned. Far below any figure's rounding.
 */
const jitter = (i: number) => ((i % 7) - 3) * 1e-10;

function forest(X: number[][], y: number[], o: Required<LearnOptions>, salt: number): RandomForestRegression {
  const rf = new RandomForestRegression({
    nEstimators: o.trees,
    maxFeatures: X[0].length, // every feature for every tree (bagging is over rows); a float 1.0 would read as 1 feature
    replacement: false,
    useSampleBagging: true,
    noOOB: true,
    seed: o.seed + salt,
    treeOptions: { maxDepth: o.maxDepth, minNumSamples: o.minLeaf, gainThreshold: -1 },
  } as ConstructorParameters<typeof RandomForestRegression>[0]);
  rf.train(X, y.map((v, i) => v + jitter(i)));
  return rf;
}

/** A tree node as load() reads it back: a leaf's value, or a split and its two sides (the rest is dropped). */
function slimNode(n: Record<string, unknown>): Record<string, unknown> {
  if (n.distribution !== undefined) return { distribution: n.distribution };
  return { splitValue: n.splitValue, splitColumn: n.splitColumn, left: slimNode(n.left as Record<string, unknown>), right: slimNode(n.right as Record<string, unknown>) };
}

/**
 * A forest's toJSON() with every tree node reduced to what ml-cart's load reads (setNodeParameters: a leaf's
 * distribution, a split's value, column and sides): ml-cart repeats its options in every node, ~5x the size.
 */
function forestJson(rf: RandomForestRegression): unknown {
  const j = JSON.parse(JSON.stringify(rf.toJSON())) as { baseModel: { estimators: { root: Record<string, unknown> }[] } };
  for (const e of j.baseModel.estimators) e.root = slimNode(e.root);
  return j;
}

/**
 * Fits the three forests on the rows. Throws a RangeError with fewer than MIN_LEARN_ROWS rows or a row that is
 * not finite and positive where it must be.
 */
export function fitLearned(rows: readonly LearnRow[], base: string, opts: LearnOptions = {}): LearnedModel {
  const o: Required<LearnOptions> = { trees: opts.trees ?? 40, maxDepth: opts.maxDepth ?? 8, minLeaf: opts.minLeaf ?? 3, seed: opts.seed ?? 20 };
  const usable = rows.filter((r) => r.known.memoryBytes > 0 && r.known.bandwidthBytesPerSec > 0 && r.base.totalTimeSec > 0 && r.base.transferredBytes > 0 && r.measured.totalTimeSec > 0 && r.measured.transferredBytes > 0 && [r.base.downtimeSec, r.measured.downtimeSec].every(Number.isFinite));
  if (usable.length < MIN_LEARN_ROWS) throw new RangeError(`a learned correction needs at least ${MIN_LEARN_ROWS} completed migrations with a positive time and bytes (got ${usable.length})`);
  const counts = new Map<string, number>();
  for (const r of usable) {
    const n = nameOf(r.known);
    if (n !== undefined) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  const names = [...counts].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_NAMES).map(([n]) => n).sort();
  const X = usable.map((r) => features(r.known, r.base, names));
  const logTime = usable.map((r) => Math.log(r.measured.totalTimeSec / r.base.totalTimeSec));
  const logBytes = usable.map((r) => Math.log(r.measured.transferredBytes / r.base.transferredBytes));
  const downtime = usable.map((r) => r.measured.downtimeSec - r.base.downtimeSec);
  return {
    format: LEARNED_FORMAT,
    base,
    n: usable.length,
    names,
    ranges: { rateOverBandwidth: span(usable.map((r) => ratioOf(r.known))), memoryBytes: span(usable.map((r) => r.known.memoryBytes)), downtimeLimitSec: span(usable.map((r) => limitOf(r.known))) },
    targets: { logTime: span(logTime), logBytes: span(logBytes), downtimeSec: span(downtime) },
    forests: { logTime: forestJson(forest(X, logTime, o, 0)), logBytes: forestJson(forest(X, logBytes, o, 1)), downtimeSec: forestJson(forest(X, downtime, o, 2)) },
  };
}

/** A stored model checked for shape (a store may hold an older or foreign one). */
export function isLearnedModel(m: unknown): m is LearnedModel {
  const o = m as Partial<LearnedModel> | null;
  return typeof o === 'object' && o !== null && o.format === LEARNED_FORMAT && Array.isArray(o.names) && typeof o.ranges === 'object' && typeof o.forests === 'object';
}

const fmt = (x: number) => (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(2) : String(Number(x.toPrecision(3))));
const clamp = (x: number, [lo, hi]: Range) => (x < lo ? lo : x > hi ? hi : x);

/** A model ready to apply: the forests restored once. */
export interface LearnedPredictor {
  model: LearnedModel;
  apply(known: KnownBefore, base: Figures): LearnedResult;
}

export function learnedPredictor(model: LearnedModel): LearnedPredictor {
  const time = RandomForestRegression.load(model.forests.logTime as never);
  const bytes = RandomForestRegression.load(model.forests.logBytes as never);
  const down = RandomForestRegression.load(model.forests.downtimeSec as never);
  const apply = (known: KnownBefore, base: Figures): LearnedResult => {
    const checks: [string, number, Range, string][] = [
      ['dirtyRate/bandwidth', ratioOf(known), model.ranges.rateOverBandwidth, ''],
      ['memory', known.memoryBytes, model.ranges.memoryBytes, ' B'],
      ['downtimeLimit', limitOf(known), model.ranges.downtimeLimitSec, ' s'],
    ];
    for (const [name, v, [lo, hi], unit] of checks) {
      // A relative tolerance so the training rows themselves are inside.
      if (!(v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))) return { applied: false, reason: `${name} ${fmt(v)}${unit} is outside the trained ${fmt(lo)}-${fmt(hi)}${unit} (${model.n} migrations): the analytic figure stands` };
    }
    if (![base.totalTimeSec, base.transferredBytes, base.downtimeSec].every((x) => Number.isFinite(x) && x >= 0)) return { applied: false, reason: 'the analytic figure is not finite' };
    const x = [features(known, base, model.names)];
    const ft = Math.exp(clamp(time.predict(x)[0], model.targets.logTime));
    const fb = Math.exp(clamp(bytes.predict(x)[0], model.targets.logBytes));
    const dd = clamp(down.predict(x)[0], model.targets.downtimeSec);
    const figures = { totalTimeSec: base.totalTimeSec * ft, transferredBytes: base.transferredBytes * fb, downtimeSec: Math.max(0, base.downtimeSec + dd) };
    figures.downtimeSec = Math.min(figures.downtimeSec, figures.totalTimeSec);
    if (![figures.totalTimeSec, figures.transferredBytes, figures.downtimeSec].every((v) => Number.isFinite(v) && v >= 0)) return { applied: false, reason: 'the corrected figure is not finite' };
    return { applied: true, figures, factors: { totalTimeSec: ft, transferredBytes: fb }, downtimeShiftSec: dd };
  };
  return { model, apply };
}
