/**
 * What one dirty rate cannot say, fitted from a migration log (issue 20, item 1: "replaced by a fitted one where the
 * store has history"). Pure: log rows in, a plain JSON fit out; no I/O.
 *
 * 1. The first pass's non-zero bytes. QEMU sends a zero page as a ~9-byte flag, so what the first pass puts on the
 *    wire is the guest's non-zero memory, which no scalar log records. Each past migration says how much it was:
 *    the share `s` for which the scalar model (`inputFromScalar` under the working-set prior) sends the bytes the
 *    migration measured (bisection; the model's bytes fall as the zero share rises). A row whose log gives
 *    `zeroPages` says it outright. Summarised per VM id and per workload as the median non-zero bytes or the median
 *    share, whichever varies less over the group's rows (a workload whose resident memory stays put as its guests
 *    grow, the rest of a larger guest untouched and zero, keeps bytes; one that fills its guests keeps a share), and
 *    as the median share over the whole log (scale-free, for a VM and workload never seen).
 * 2. The working-set factor k of the saturating prior (src/model/from-scalar.ts): from a grid, the one under which
 *    the fitted non-zero bytes of (1) predict the log's own times best (mean absolute log error over the rows that
 *    name a VM or workload, whose zero share is known best; all rows when none does; a tie keeps the prior's).
 *    Where rates are low against the link k does not matter; the rows where it does decide it.
 *
 * Applied (`resolveScalar`): a row's own zero share when given, else its VM's, else its workload's, else the
 * whole log's; with no history at all, the stated assumption NO_HISTORY_ZERO_SHARE. The answer says which.
 * Bounded cost on a large store: at most MAX_PER_GROUP rows per VM or workload and MAX_K_ROWS rows for the grid,
 * picked by a hash of the id (the same log gives the same fit).
 */
import { inputFromScalar, MODELLED_TECHNIQUES, SCALAR_PRIOR, type ScalarInput, type ScalarPrior } from '../model/from-scalar.js';
import { simulate } from '../model/precopy.js';
import type { LoggedMigration } from '../record/logged.js';
import type { PredictInput } from '../model/types.js';
import { median } from './errors.js';

/** The store's model kind of a scalar fit (`calibrate --learn` saves one beside the learned correction). */
export const SCALAR_FIT_KIND = 'scalar-fit';
export const SCALAR_FIT_FORMAT = 1;

/**
 * The zero share assumed with no history and no `zeroPages`: none, every page sent as content. An assumption, not a
 * measurement (we found no published survey of zero-page shares in production VMs to cite): it is the upper
 * bound of the bytes and time a scalar can imply, and the output names it whenever it is used.
 */
export const NO_HISTORY_ZERO_SHARE = 0;

/** Working-set factors tried (the prior's k = 2 among them). */
export const K_GRID: readonly number[] = [1, 1.5, 2, 3, 4, 6, 8];
const MAX_PER_GROUP = 32;
const MAX_K_ROWS = 1500;
const BISECTIONS = 18;

/**
 * One VM's or workload's non-zero memory: the median bytes and the median share of its past migrations, and which
 * of the two it keeps to (`by`): the one that varies less over its rows (mean absolute log deviation from the
 * median), so a workload whose resident set stays put as guests grow keeps bytes and one that fills its guests
 * keeps a share. With one memory size the two agree.
 */
interface GroupFit {
  nonZeroBytes: number;
  nonZeroShare: number;
  by: 'bytes' | 'share';
  n: number;
}

/** Mean absolute log deviation from the median: how much a set of positive values varies, scale-free. */
function logSpread(xs: readonly number[]): number {
  const m = Math.log(Math.max(median(xs), 1e-12));
  let sum = 0;
  for (const x of xs) sum += Math.abs(Math.log(Math.max(x, 1e-12)) - m);
  return xs.length > 0 ? sum / xs.length : 0;
}

/** A fitted scalar reading, as stored (JSON). */
export interface ScalarFit {
  format: typeof SCALAR_FIT_FORMAT;
  /** Rows it was fitted on. */
  n: number;
  rateWindowSec: number;
  /** The fitted k, or the prior's when no row could tell (`kFrom`). */
  workingSetFactor: number;
  kFrom: 'fit' | 'prior';
  byVm: Record<string, GroupFit>;
  byWorkload: Record<string, GroupFit>;
  /** The median non-zero share over the log (absent: no usable row). */
  all?: { nonZeroShare: number; n: number };
}

/** What a row is priced with, and the words that say so. */
export interface ScalarResolution {
  scalar: ScalarInput;
  prior: ScalarPrior;
  zeroFrom: 'given' | 'vm' | 'workload' | 'log' | 'assumed';
  assumption: string;
}

type Named = ScalarInput & { vmId?: string; workload?: string };

/** FNV-1a, for a stable pick of rows. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const usable = (m: LoggedMigration) =>
  m.memoryBytes > 0 && m.bandwidthBytesPerSec > 0 && m.totalTimeSec > 0 && m.transferredBytes > 0 && (m.technique === undefined || MODELLED_TECHNIQUES.includes(m.technique));

const bytesAt = (row: ScalarInput, zero: number, prior: ScalarPrior) => simulate(inputFromScalar({ ...row, zeroPageFraction: zero }, {}, { prior })).transferredBytes;

/**
 * The non-zero share (0..1) of memory under which the scalar model sends the bytes a migration measured; the row's
 * `zeroPages` when the log has it. 1 when even all memory as content falls short of the measured bytes.
 * @example nonZeroShareOf({ memoryBytes: 2 ** 30, dirtyRateBytesPerSec: 0, bandwidthBytesPerSec: 1.25e8, transferredBytes: 2 ** 29, ... }) // ~0.5
 */
export function nonZeroShareOf(m: LoggedMigration, prior: ScalarPrior = SCALAR_PRIOR): number {
  if (m.zeroPageFraction !== undefined) return 1 - m.zeroPageFraction;
  const target = m.transferredBytes;
  if (bytesAt(m, 0, prior) <= target) return 1;
  let lo = 0; // zero share with too many bytes
  let hi = 1; // zero share with too few (or exactly enough)
  if (bytesAt(m, hi, prior) >= target) return 0;
  for (let i = 0; i < BISECTIONS; i++) {
    const mid = (lo + hi) / 2;
    if (bytesAt(m, mid, prior) > target) lo = mid;
    else hi = mid;
  }
  return 1 - (lo + hi) / 2;
}

/** At most `max` rows, picked by the hash of their id (stable). */
function pick<T extends { id: string }>(rows: readonly T[], max: number): readonly T[] {
  if (rows.length <= max) return rows;
  return [...rows].sort((a, b) => hash(a.id) - hash(b.id) || (a.id < b.id ? -1 : 1)).slice(0, max);
}

function groupBy(rows: readonly LoggedMigration[], key: (m: LoggedMigration) => string | undefined): Map<string, LoggedMigration[]> {
  const out = new Map<string, LoggedMigration[]>();
  for (const m of rows) {
    const k = key(m);
    if (k === undefined) continue;
    const g = out.get(k);
    if (g) g.push(m);
    else out.set(k, [m]);
  }
  return out;
}

/** The zero-page part of a fit under one prior (k fixed). */
function fitShares(rows: readonly LoggedMigration[], prior: Extract<ScalarPrior, { kind: 'saturating' }>, shareOf: (m: LoggedMigration) => number): Omit<ScalarFit, 'format' | 'n' | 'kFrom'> {
  const groups = (key: (m: LoggedMigration) => string | undefined): Record<string, GroupFit> => {
    const out: Record<string, GroupFit> = {};
    for (const [name, g] of [...groupBy(rows, key)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const some = pick(g, MAX_PER_GROUP);
      const shares = some.map(shareOf);
      const bytes = some.map((m, i) => shares[i] * m.memoryBytes);
      out[name] = { nonZeroBytes: median(bytes), nonZeroShare: median(shares), by: logSpread(bytes) < logSpread(shares) - 1e-9 ? 'bytes' : 'share', n: g.length };
    }
    return out;
  };
  const all = pick(rows, MAX_K_ROWS);
  return {
    rateWindowSec: prior.rateWindowSec,
    workingSetFactor: prior.workingSetFactor,
    byVm: groups((m) => m.vmId),
    byWorkload: groups((m) => m.workload),
    ...(all.length > 0 ? { all: { nonZeroShare: median(all.map(shareOf)), n: rows.length } } : {}),
  };
}

/**
 * Fits the scalar reading on a log (the training rows only, when scoring). Rows of unmodelled techniques
 * (post-copy, ...) or without positive totals are left out. With no usable row the fit holds the prior alone.
 */
export function fitScalarHistory(rows: readonly LoggedMigration[], opts: { prior?: Extract<ScalarPrior, { kind: 'saturating' }>; grid?: readonly number[] } = {}): ScalarFit {
  const prior = opts.prior ?? SCALAR_PRIOR;
  const good = rows.filter(usable);
  const grid = opts.grid ?? K_GRID;
  if (good.length === 0) return { format: SCALAR_FIT_FORMAT, n: 0, kFrom: 'prior', ...fitShares([], prior, () => 1) };
  // k is judged on the rows whose zero share is known best (those of a VM or workload), when there are any.
  const named = good.filter((m) => m.vmId !== undefined || m.workload !== undefined);
  const scoring = pick(named.length > 0 ? named : good, MAX_K_ROWS);
  let best: { k: number; score: number; fit: Omit<ScalarFit, 'format' | 'n' | 'kFrom'> } | undefined;
  for (const k of grid.length > 0 ? grid : [prior.workingSetFactor]) {
    const p = { ...prior, workingSetFactor: k };
    const memo = new Map<string, number>();
    const shareOf = (m: LoggedMigration) => {
      let s = memo.get(m.id);
      if (s === undefined) memo.set(m.id, (s = nonZeroShareOf(m, p)));
      return s;
    };
    const fit = fitShares(good, p, shareOf);
    let total = 0;
    for (const m of scoring) {
      const r = resolveScalar(m, { format: SCALAR_FIT_FORMAT, n: good.length, kFrom: 'fit', ...fit });
      total += Math.abs(Math.log(Math.max(simulate(inputFromScalar(r.scalar, {}, { prior: r.prior })).totalTimeSec, 1e-9) / m.totalTimeSec));
    }
    const score = total / scoring.length;
    // A tie (within 1e-9) keeps the factor nearer the prior's.
    if (!best || score < best.score - 1e-9 || (Math.abs(score - best.score) <= 1e-9 && Math.abs(Math.log(k / prior.workingSetFactor)) < Math.abs(Math.log(best.k / prior.workingSetFactor)))) best = { k, score, fit };
  }
  const chosen = best as NonNullable<typeof best>;
  return { format: SCALAR_FIT_FORMAT, n: good.length, kFrom: grid.length > 1 ? 'fit' : 'prior', ...chosen.fit };
}

/** A stored fit checked for shape. */
export function isScalarFit(m: unknown): m is ScalarFit {
  const o = m as Partial<ScalarFit> | null;
  return typeof o === 'object' && o !== null && o.format === SCALAR_FIT_FORMAT && typeof o.workingSetFactor === 'number' && typeof o.byVm === 'object' && typeof o.byWorkload === 'object';
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

/**
 * A row's scalar reading under a fit: its zero share (given, else its VM's, else its workload's, else the log's,
 * else NO_HISTORY_ZERO_SHARE) and the working-set prior (the fit's k, else SCALAR_PRIOR's); `base` keeps the
 * caller's rate window (or a linear prior).
 */
export function resolveScalar(row: Named, fit: ScalarFit | undefined, base: ScalarPrior = SCALAR_PRIOR): ScalarResolution {
  const prior: ScalarPrior = base.kind === 'saturating' && fit && fit.n > 0 ? { ...base, workingSetFactor: fit.workingSetFactor } : base;
  const kWords = prior.kind === 'linear' ? 'the rate held constant' : `working set ${prior.workingSetFactor}x the dirt of one ${prior.rateWindowSec} s window (${fit && fit.n > 0 && fit.kFrom === 'fit' ? `fitted on ${fit.n} past migrations` : 'the stated prior'})`;
  const share = (g: GroupFit) => (g.by === 'share' ? g.nonZeroShare : Math.min(1, Math.max(0, g.nonZeroBytes / row.memoryBytes)));
  const words = (g: GroupFit) => (g.by === 'share' ? `non-zero share ${pct(g.nonZeroShare)}` : `non-zero memory ${mib(g.nonZeroBytes)}`);
  const at = (zero: number, zeroFrom: ScalarResolution['zeroFrom'], words: string): ScalarResolution => ({ scalar: { ...row, zeroPageFraction: zero }, prior, zeroFrom, assumption: `${words}; ${kWords}` });
  if (row.zeroPageFraction !== undefined) return { scalar: row, prior, zeroFrom: 'given', assumption: `zero pages ${pct(row.zeroPageFraction)} (given); ${kWords}` };
  const vm = row.vmId !== undefined ? fit?.byVm[row.vmId] : undefined;
  if (vm) return at(1 - share(vm), 'vm', `${words(vm)} (VM ${row.vmId}'s ${vm.n} past migrations)`);
  const wl = row.workload !== undefined ? fit?.byWorkload[row.workload] : undefined;
  if (wl) return at(1 - share(wl), 'workload', `${words(wl)} (workload ${row.workload}'s ${wl.n} past migrations)`);
  if (fit?.all) return at(1 - fit.all.nonZeroShare, 'log', `non-zero share ${pct(fit.all.nonZeroShare)} (median of ${fit.all.n} past migrations)`);
  return at(NO_HISTORY_ZERO_SHARE, 'assumed', 'no zero pages (assumed with no history: every page sent as content, the upper bound)');
}

/** What `scalarReading` adds to an answer: the zero share used, where it came from, and the words. */
export interface ScalarReading {
  zeroPageFraction: number;
  zeroFrom: ScalarResolution['zeroFrom'];
  assumption: string;
}

/**
 * A prediction input (a scalar one: QEMU pre-copy, no layout) with the fit's zero share put in where it has none
 * (`predict --db`, batch rows, the API on a server with a store); the input is changed in place. Undefined when the
 * input is not a scalar reading (another policy, a layout), which keeps its own.
 * `rateWindowSec` says the rate is read over a window (predict --rate-window), else it is held constant.
 */
export function applyScalarFit(input: PredictInput, fit: ScalarFit | undefined, names: { vmId?: string; workload?: string } = {}, rateWindowSec?: number): ScalarReading | undefined {
  if (input.policy.name !== 'qemu' || input.vm.layout !== undefined) return undefined;
  const base: ScalarPrior = rateWindowSec !== undefined ? { ...SCALAR_PRIOR, rateWindowSec } : { kind: 'linear' };
  const r = resolveScalar({ memoryBytes: input.vm.memoryBytes, dirtyRateBytesPerSec: input.vm.dirtyRateBytesPerSec, bandwidthBytesPerSec: input.bandwidthBytesPerSec, ...(input.vm.zeroPageFraction !== undefined ? { zeroPageFraction: input.vm.zeroPageFraction } : {}), ...names }, fit, base);
  const zero = r.scalar.zeroPageFraction ?? 0;
  if (r.zeroFrom !== 'given' && zero > 0) input.vm.zeroPageFraction = zero;
  return { zeroPageFraction: zero, zeroFrom: r.zeroFrom, assumption: r.assumption };
}

/** The working-set prior a rate window is read with under a fit (its k when fitted on history, else the prior's). */
export function fittedPrior(fit: ScalarFit | undefined, rateWindowSec: number): Extract<ScalarPrior, { kind: 'saturating' }> {
  return { ...SCALAR_PRIOR, rateWindowSec, workingSetFactor: fit && fit.n > 0 ? fit.workingSetFactor : SCALAR_PRIOR.workingSetFactor };
}
