/**
 * advise's decisions on real migrations (issue 19, item 5), as `lab decide` holds Liu's choice of a VM: a group is
 * one VM configuration migrated with every technique the lab runs (`lab matrix --preset techniques-groups`), so
 * every choice has a measured outcome. advise picks from the pre-migration sample of the group's first run, at the
 * group's bandwidth and downtime limit, with its default cost and constraints (the same `advise` as
 * `migcost advise`, among the techniques the group measured); the best in hindsight is the technique whose
 * measured migration cost least by that same cost rule. Regret = (cost of the pick - best cost) / best cost. Pure.
 */
import { advise, type AdviseOption } from '../plan/advise.js';
import { inputFromSample, sampleAt, techniqueFromSample } from '../model/from-sample.js';
import { TECHNIQUE_PLATFORM_DEFAULTS } from '../model/techniques.js';
import type { Platform } from '../model/types.js';
import type { MigrationRecord } from '../record/record.js';
import { median } from '../calibrate/errors.js';
import { byAdviseOrder, techniqueLabel } from './technique-report.js';

/** advise's default weight of a second of downtime or post-copy stall, in seconds of migration. */
export const DEFAULT_DOWNTIME_WEIGHT = 100;

/** One decision instance: the runs of one group, one per technique. */
export interface TechniqueGroup {
  group: string;
  records: MigrationRecord[];
}

/**
 * The records' decision groups (`config.group`), in first-seen order. A technique met again under a group name
 * starts a new instance of it (a pass appended twice to one file, or a resumed group run again).
 */
export function techniqueGroups(records: readonly MigrationRecord[]): TechniqueGroup[] {
  const open = new Map<string, TechniqueGroup>();
  const out: TechniqueGroup[] = [];
  for (const r of records) {
    const g = r.config.group;
    if (g === undefined) continue;
    let cur = open.get(g);
    if (!cur || cur.records.some((x) => techniqueLabel(x.config) === techniqueLabel(r.config))) {
      cur = { group: g, records: [] };
      open.set(g, cur);
      out.push(cur);
    }
    cur.records.push(r);
  }
  return out;
}

export interface CostOptions {
  /** Seconds of migration a second of downtime or post-copy stall costs (advise's `--downtime-weight`). Default 100. */
  downtimeWeight?: number;
  /** Guest stall per remote fault (s), to price a measured post-copy phase's faults. Default techniques.ts's. */
  faultLatencySec?: number;
}

/**
 * advise's cost of a measured migration: total time + weight x (downtime + post-copy stall), in seconds; the stall
 * as `measuredStallSec` reads it.
 * @example measuredCost({ totalTimeSec: 8, downtimeSec: 0.002, remoteFaults: 40 }, {}) // 8 + 100 x (0.002 + 40 x 0.025) = 108.2
 */
export function measuredCost(m: Pick<MigrationRecord['measured'], 'totalTimeSec' | 'downtimeSec' | 'remoteFaults' | 'postcopyBlocktimeSec' | 'postcopyPhaseSec'>, o: CostOptions = {}): number {
  const w = o.downtimeWeight ?? DEFAULT_DOWNTIME_WEIGHT;
  return m.totalTimeSec + w * (m.downtimeSec + measuredStallSec(m, o));
}

/**
 * A measured post-copy phase's stall (s): the destination's `postcopy-blocktime` where the record has it; else its
 * remote faults x the per-fault latency, at most the phase (QEMU's blocktime counts the time every vCPU waited, so
 * it cannot exceed the phase).
 * @example measuredStallSec({ remoteFaults: 16, postcopyPhaseSec: 0.05 }, {}) // min(16 x 0.025, 0.05) = 0.05
 */
export function measuredStallSec(m: Pick<MigrationRecord['measured'], 'remoteFaults' | 'postcopyBlocktimeSec' | 'postcopyPhaseSec'>, o: CostOptions = {}): number {
  if (m.postcopyBlocktimeSec !== undefined) return m.postcopyBlocktimeSec;
  const latency = o.faultLatencySec ?? TECHNIQUE_PLATFORM_DEFAULTS.postcopyFaultLatencySec;
  const byFaults = (m.remoteFaults ?? 0) * latency;
  return m.postcopyPhaseSec !== undefined && m.postcopyPhaseSec > 0 ? Math.min(byFaults, m.postcopyPhaseSec) : byFaults;
}

export interface Hindsight {
  /** Measured cost per technique (advise's rule); one that did not complete as the rule below says. */
  costs: Record<string, number>;
  /** The cheapest completed technique, and the techniques that did not complete. */
  best: string;
  incomplete: string[];
}

/**
 * The group's techniques priced by what their migrations did. A migration that did not complete moved nothing:
 * it costs the time it ran until cancelled plus the best completed technique's cost (the VM still has to be moved).
 * Undefined when no technique completed (there is no best to hold a pick against).
 */
export function hindsight(records: readonly MigrationRecord[], o: CostOptions = {}): Hindsight | undefined {
  const done = records.filter((r) => r.measured.status === 'completed');
  if (done.length === 0) return undefined;
  let best = done[0];
  for (const r of done) if (measuredCost(r.measured, o) < measuredCost(best.measured, o)) best = r;
  const bestCost = measuredCost(best.measured, o);
  const costs: Record<string, number> = {};
  const incomplete: string[] = [];
  for (const r of records) {
    const l = techniqueLabel(r.config);
    if (r.measured.status === 'completed') costs[l] = measuredCost(r.measured, o);
    else {
      costs[l] = r.measured.totalTimeSec + bestCost;
      incomplete.push(l);
    }
  }
  return { costs, best: techniqueLabel(best.config), incomplete };
}

/** (cost - best) / best, 0 when the best cost nothing and the pick neither. */
export function regretOf(cost: number, best: number): number {
  return best > 0 ? (cost - best) / best : cost > 0 ? Infinity : 0;
}

export interface AdvisePick {
  /** The cheapest option advise ranks first among the techniques measured. */
  pick: AdviseOption;
  /** advise's first option over every technique it knows (it may be one the lab cannot run, e.g. dirty-limit). */
  top: AdviseOption;
}

/**
 * What `migcost advise --vm SAMPLE --bandwidth B --downtime-limit L` picks for the record's VM, with the platform
 * constants given: the sample extrapolated to its migration's start (as the lab predicted it), each technique's
 * settings filled from what the sampler measured, the default cost and no constraints. `among`: only these labels.
 */
export function advisePick(first: MigrationRecord, among: readonly string[], o: { platform?: Partial<Platform>; downtimeWeight?: number } = {}): AdvisePick | undefined {
  const c = first.config;
  const sample = sampleAt(first.sample, first.migrationStartedAt);
  const input = inputFromSample(sample, { bandwidthBytesPerSec: c.bandwidthBytesPerSec, downtimeLimitSec: c.downtimeLimitSec, autoConverge: false }, o.platform ?? {});
  const a = advise(input, {
    bandwidthsBytesPerSec: [c.bandwidthBytesPerSec],
    downtimeLimitsSec: [c.downtimeLimitSec],
    downtimeWeight: o.downtimeWeight,
    measured: (t) => techniqueFromSample(sample, t),
  });
  const pick = a.options.find((x) => among.includes(x.label));
  return pick ? { pick, top: a.options[0] } : undefined;
}

export interface TechniqueDecision {
  group: string;
  /** The techniques measured in the group, in advise's order. */
  techniques: string[];
  /** advise's pick among them, its predicted cost, and advise's own first choice when that is another technique. */
  pick: string;
  pickPredictedCost: number;
  adviseTop?: string;
  best: string;
  costs: Record<string, number>;
  incomplete: string[];
  /** (measured cost of the pick - best measured cost) / best. */
  regret: number;
}

/** advise's decision for one group against the best in hindsight; undefined when no technique completed. */
export function techniqueDecision(g: TechniqueGroup, o: { platform?: Partial<Platform>; downtimeWeight?: number } = {}): TechniqueDecision | undefined {
  const cost: CostOptions = { downtimeWeight: o.downtimeWeight, faultLatencySec: o.platform?.postcopyFaultLatencySec };
  const h = hindsight(g.records, cost);
  if (!h) return undefined;
  const first = [...g.records].sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
  const techniques = byAdviseOrder(g.records.map((r) => techniqueLabel(r.config)));
  const a = advisePick(first, techniques, o);
  if (!a) return undefined;
  return {
    group: g.group,
    techniques,
    pick: a.pick.label,
    pickPredictedCost: a.pick.cost,
    ...(a.top.label !== a.pick.label ? { adviseTop: a.top.label } : {}),
    best: h.best,
    costs: h.costs,
    incomplete: h.incomplete,
    regret: regretOf(h.costs[a.pick.label], h.costs[h.best]),
  };
}

export interface TechniqueDecisionReport {
  /** Groups with at least `minTechniques` techniques and one completed. */
  groups: number;
  perGroup: TechniqueDecision[];
  meanRegret: number;
  medianRegret: number;
  maxRegret: number;
  /** Groups where advise picked the best in hindsight. */
  bestPicked: number;
  /** The mean regret of always choosing one technique (over the groups that measured it): what advise is up against. */
  fixed: Record<string, number>;
  costRule: string;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * advise against hindsight over every decision group in the records. `platformOf` gives the platform constants
 * advise predicts a group with (from its first record): out of fold, given, or the lab's.
 */
export function techniqueDecisionReport(
  records: readonly MigrationRecord[],
  o: { platformOf?: (r: MigrationRecord) => Partial<Platform>; downtimeWeight?: number; minTechniques?: number } = {},
): TechniqueDecisionReport {
  const min = o.minTechniques ?? 2;
  const decisions: TechniqueDecision[] = [];
  for (const g of techniqueGroups(records)) {
    if (new Set(g.records.map((r) => techniqueLabel(r.config))).size < min) continue;
    const d = techniqueDecision(g, { platform: o.platformOf?.(g.records[0]), downtimeWeight: o.downtimeWeight });
    if (d) decisions.push(d);
  }
  const regrets = decisions.map((d) => d.regret);
  const fixed: Record<string, number> = {};
  for (const l of byAdviseOrder(decisions.flatMap((d) => d.techniques))) {
    const rs = decisions.filter((d) => d.costs[l] !== undefined).map((d) => regretOf(d.costs[l], d.costs[d.best]));
    fixed[l] = mean(rs);
  }
  const w = o.downtimeWeight ?? DEFAULT_DOWNTIME_WEIGHT;
  return {
    groups: decisions.length,
    perGroup: decisions,
    meanRegret: mean(regrets),
    medianRegret: median(regrets),
    maxRegret: regrets.length ? Math.max(...regrets) : 0,
    bestPicked: decisions.filter((d) => d.pick === d.best).length,
    fixed,
    costRule: `cost = total time + ${w} x (downtime + post-copy stall), in seconds; stall = the destination's measured postcopy-blocktime, else remote faults x the per-fault latency at most the phase; a migration that did not complete costs its time until cancelled + the best completed cost`,
  };
}
