/**
 * Which VM to take off an overloaded host (Beloglazov and Buyya; CloudSim 3.0.3's rules). Pure.
 * - mmt: least RAM (shortest migration); ties to the earliest in the host's list.
 * - mu: least CPU utilisation (a fraction of the VM's MIPS).
 * - rs: uniformly at random (seeded here; CloudSim's is unseeded).
 * - moa, optimal: cost-aware, with migcost's predicted prices (see cost-selection.ts).
 * - mc: the VM whose utilisation history is best explained by the others' (largest OLS R²), over the
 *   shortest candidate history; MMT when that regression cannot be fitted.
 */
import { olsRSquared } from './cloudsim-math.js';

export const SIM_SELECTIONS = ['mmt', 'mc', 'rs', 'mu', 'moa', 'optimal'] as const;
/** The cost-aware selections the engine runs itself with predicted prices (cost-selection.ts). */
export const COST_AWARE_SELECTIONS = ['moa', 'optimal'] as const;
export type SimSelection = (typeof SIM_SELECTIONS)[number];

/** What a selection policy sees of a VM. */
export interface SelectableVm {
  ramMb: number;
  mips: number;
  /** CPU utilisation now (fraction). */
  utilisation: number;
  /** Utilisation history, newest first. */
  history: readonly number[];
}

/** Index into `candidates` of the VM to take, or -1 when there is none. */
export type SelectVm = (candidates: readonly SelectableVm[]) => number;

/** Least RAM, first on ties. */
export function selectMinimumMigrationTime(c: readonly SelectableVm[]): number {
  let best = -1;
  let min = Number.MAX_VALUE;
  for (let i = 0; i < c.length; i++) {
    if (c[i].ramMb < min) {
      min = c[i].ramMb;
      best = i;
    }
  }
  return best;
}

/** Least utilisation (u x MIPS / MIPS, as CloudSim computes it), first on ties. */
export function selectMinimumUtilisation(c: readonly SelectableVm[]): number {
  let best = -1;
  let min = Number.MAX_VALUE;
  for (let i = 0; i < c.length; i++) {
    const metric = (c[i].utilisation * c[i].mips) / c[i].mips;
    if (metric < min) {
      min = metric;
      best = i;
    }
  }
  return best;
}

/**
 * Maximum correlation: m = shortest history; for each candidate, R² of its m newest values on the others'.
 * Falls back to MMT with one candidate, when m < candidates, or on a singular fit. The largest R² wins
 * (first on ties; NaN never; the first candidate when none is positive).
 */
export function selectMaximumCorrelation(c: readonly SelectableVm[]): number {
  if (c.length === 0) return -1;
  let m = Number.MAX_SAFE_INTEGER;
  for (const v of c) m = Math.min(m, v.history.length);
  const rows = c.map((v) => Float64Array.from(v.history.slice(0, m)));
  const r2: number[] = [];
  for (let i = 0; i < c.length; i++) {
    const others = rows.filter((_, j) => j !== i);
    const r = olsRSquared(rows[i], others);
    if (typeof r === 'string') return selectMinimumMigrationTime(c);
    r2.push(r);
  }
  let best = 0;
  let max = Number.MIN_VALUE;
  for (let i = 0; i < r2.length; i++) {
    if (r2[i] > max) {
      max = r2[i];
      best = i;
    }
  }
  return best;
}

/** The selection function for `name`; `random` gives uniform numbers in [0, 1) for `rs`. */
export function makeSelection(name: SimSelection, random: () => number): SelectVm {
  switch (name) {
    case 'mmt':
      return selectMinimumMigrationTime;
    case 'mu':
      return selectMinimumUtilisation;
    case 'mc':
      return selectMaximumCorrelation;
    case 'rs':
      return (c) => (c.length === 0 ? -1 : Math.min(c.length - 1, Math.floor(random() * c.length)));
    case 'moa':
    case 'optimal':
      throw new RangeError(`makeSelection: ${name} needs predicted prices; the engine runs it (cost-selection.ts)`);
    default:
      throw new RangeError(`makeSelection: unknown selection ${String(name)}`);
  }
}

