/**
 * From what an operator has before a migration (memory, one dirty rate, the link, the downtime limit, the
 * technique) to the model's input: `inputFromScalar`, the one place a scalar-only row becomes a prediction's input
 * (`evaluate`, and later the learned model's analytic feature), beside `inputFromSample` for a sampled VM. Pure.
 *
 * The rate is read for what it is: the distinct pages dirtied in one measurement window (`rateWindowSec`, default
 * 1 s: QEMU's `calc-dirty-rate` and libvirt's `domdirtyrate-calc` count each page once per window). Within the
 * window dirt grows linearly; beyond it, toward a saturating working set — the prior (SCALAR_PRIOR):
 *
 *   D(t) = r t                                          for t <= w
 *   D(t) = W - (W - r w) exp(-r (t - w) / (W - r w))    for t > w   (same value and slope at w; D -> W)
 *   W    = min(memory, k r w), k = 2 (r w itself at most memory)
 *
 * Source of the shape and of k: the lab's page-sampling curves (docs/lab.md; `calc-dirty-rate` counts distinct
 * pages, so its count levels off at the working set): over the standard matrix every non-idle
 * workload's dirtied-bytes-versus-window curve levels off within 1-4 s, at 1 to 2.3 times its one-second count
 * (dirtier 64 MiB: 60 -> 64 MiB; dirtier 96 MiB random: 33 -> 76 MiB at 4 s; redis: 4 -> 8 MiB; memtester,
 * stress-ng: flat from 1 s). k = 2 is a round figure inside that range, not a fit; scores on the lab's own records
 * are therefore not independent of it (docs/history.md gives them for k = 1, 2 and 4: how much it matters).
 * `{ kind: 'linear' }` is the older reading: the rate constant over every round.
 */
import { POLICY_DEFAULTS } from './precopy.js';
import { predict } from './techniques.js';
import type { CurvePoint, Platform, PredictInput } from './types.js';

/** A migration as an operator knows it beforehand. */
export interface ScalarInput {
  memoryBytes: number;
  /** One measured dirty rate (bytes/s): distinct bytes dirtied in `rateWindowSec`, over that window. */
  dirtyRateBytesPerSec: number;
  bandwidthBytesPerSec: number;
  /** Default QEMU's, 0.3 s. */
  downtimeLimitSec?: number;
  /** `auto-converge` turns on QEMU's throttling; anything else is read as plain pre-copy. */
  technique?: string;
  /** The share of memory that is zero pages (0..1), when known (a log's `zeroPages`); absent, none. */
  zeroPageFraction?: number;
}

/** How dirt grows beyond the measurement window. */
export type ScalarPrior = { kind: 'saturating'; workingSetFactor: number; rateWindowSec: number } | { kind: 'linear' };

/** The default prior: a working set twice the dirt of one 1 s window (see the file's comment for the source). */
export const SCALAR_PRIOR: Readonly<Extract<ScalarPrior, { kind: 'saturating' }>> = Object.freeze({ kind: 'saturating', workingSetFactor: 2, rateWindowSec: 1 });

/** Windows (in time constants past the measurement window) at which the saturating curve is tabulated. */
const TAU_STEPS = [0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 9];

/**
 * The dirtied-bytes-versus-window curve a scalar rate implies under a saturating prior: through (w, r w), then
 * toward W, ending flat (the model holds a curve's last slope). Empty for a rate of 0.
 * @example scalarCurve({ memoryBytes: 1 GiB, dirtyRateBytesPerSec: 10 MiB, ... }, SCALAR_PRIOR) // (1, 10 MiB) ... flat at 20 MiB
 */
export function scalarCurve(s: ScalarInput, prior: Extract<ScalarPrior, { kind: 'saturating' }> = SCALAR_PRIOR): CurvePoint[] {
  const r = s.dirtyRateBytesPerSec;
  const w = prior.rateWindowSec;
  if (!(r > 0)) return [];
  const inWindow = Math.min(s.memoryBytes, r * w); // no more distinct pages than the guest has
  const W = Math.max(inWindow, Math.min(s.memoryBytes, prior.workingSetFactor * inWindow));
  const points: CurvePoint[] = [{ windowSec: w, dirtiedBytes: inWindow }];
  const gap = W - inWindow;
  if (gap <= 0) {
    points.push({ windowSec: 2 * w, dirtiedBytes: inWindow });
    return points;
  }
  const tau = gap / r;
  for (const k of TAU_STEPS) points.push({ windowSec: w + k * tau, dirtiedBytes: W - gap * Math.exp(-k) });
  const last = points[points.length - 1];
  points.push({ windowSec: last.windowSec + tau, dirtiedBytes: last.dirtiedBytes }); // flat from here: held at ~W
  return points;
}

/** Techniques the analytic model tells apart; any other is priced as plain pre-copy. */
export const MODELLED_TECHNIQUES: readonly string[] = ['precopy', 'pre-copy', 'auto-converge'];

/**
 * The model's input for a scalar-only migration: QEMU's policy at the given downtime limit (auto-converge when
 * the technique says so), the dirt growing as the prior says (by default toward a saturating working set).
 * @example inputFromScalar({ memoryBytes: 4 * 2 ** 30, dirtyRateBytesPerSec: 50 * 2 ** 20, bandwidthBytesPerSec: 1.25e8, downtimeLimitSec: 0.3 })
 */
export function inputFromScalar(s: ScalarInput, platform: Partial<Platform> = {}, opts: { prior?: ScalarPrior } = {}): PredictInput {
  const prior = opts.prior ?? SCALAR_PRIOR;
  const input: PredictInput = {
    vm: { memoryBytes: s.memoryBytes, dirtyRateBytesPerSec: s.dirtyRateBytesPerSec },
    bandwidthBytesPerSec: s.bandwidthBytesPerSec,
    policy: { name: 'qemu', downtimeLimitSec: s.downtimeLimitSec ?? POLICY_DEFAULTS.qemu.downtimeLimitSec, autoConverge: s.technique === 'auto-converge' },
    platform,
  };
  if (s.zeroPageFraction !== undefined) input.vm.zeroPageFraction = s.zeroPageFraction;
  if (prior.kind === 'saturating') {
    const points = scalarCurve(s, prior);
    if (points.length > 0) input.vm.dirtyModel = { kind: 'curve', points };
  }
  return input;
}

/**
 * How much the working-set prior matters (`predict --rate-window`): the migration predicted with the window's dirt
 * saturating at WORKING_SET_RANGE's ends instead of the prior's k (1x: the window saw the whole working set; 4x:
 * twice the top of the 1-2.3x the lab's curves levelled off at, the range docs/history.md scores), everything else
 * as given (its technique included). Ordered low to high, with whether each end converges.
 */
export const WORKING_SET_RANGE: readonly [number, number] = [1, 4];
export interface WorkingSetRange {
  workingSetFactor: [number, number];
  totalTimeSec: [number, number];
  transferredBytes: [number, number];
  converges: [boolean, boolean];
}
export function workingSetRange(input: PredictInput, prior: Extract<ScalarPrior, { kind: 'saturating' }> = SCALAR_PRIOR): WorkingSetRange {
  const at = (k: number) => {
    const points = scalarCurve({ memoryBytes: input.vm.memoryBytes, dirtyRateBytesPerSec: input.vm.dirtyRateBytesPerSec, bandwidthBytesPerSec: input.bandwidthBytesPerSec }, { ...prior, workingSetFactor: k });
    const vm = { ...input.vm, dirtyModel: points.length > 0 ? ({ kind: 'curve', points } as const) : input.vm.dirtyModel };
    return predict({ ...input, vm, trace: false });
  };
  const lo = at(WORKING_SET_RANGE[0]);
  const hi = at(WORKING_SET_RANGE[1]);
  const sorted = <T>(a: number, b: number, x: T, y: T): [T, T] => (a <= b ? [x, y] : [y, x]);
  return {
    workingSetFactor: [WORKING_SET_RANGE[0], WORKING_SET_RANGE[1]],
    totalTimeSec: sorted(lo.totalTimeSec, hi.totalTimeSec, lo.totalTimeSec, hi.totalTimeSec),
    transferredBytes: sorted(lo.transferredBytes, hi.transferredBytes, lo.transferredBytes, hi.transferredBytes),
    converges: [lo.converged, hi.converged],
  };
}
