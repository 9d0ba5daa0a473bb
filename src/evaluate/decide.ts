/**
 * The papers' decision experiments, on real migrations (pure evaluation; the lab runs the migrations).
 *
 * One "group" is a host with eight VMs, two each of four workloads (one 256 MiB and one 512 MiB guest each).
 * Every VM of a group is sampled, predicted (before its migration) and then migrated for real, one at a
 * time, so every choice any policy could make has a measured outcome: a counterfactual evaluation with no
 * guesswork about the paths not taken.
 *
 * - Liu 2011 §6: pick ONE VM to move. Model-guided = the smallest predicted weighted cost C (equal weights
 *   over downtime, time, traffic, energy); random = the expectation of a uniform pick (the mean of the
 *   eight measured outcomes). Paper: model-guided cuts latency 72.9 %, downtime 93.5 %, traffic 74.5 %,
 *   energy 73.6 % against random.
 * - Deng 2013 §5: the host is hot (its VMs' CPU demand over its capacity); pick VMs until it is not. MOA
 *   (ascending predicted traffic), optimal (least predicted traffic that cools the host), RA (random order,
 *   expectation over seeds) and MIA (ascending memory); measured traffic normalised to MIA's. Paper: RA
 *   1.264, MOA 0.774.
 * Regret: how much more a policy's choice cost, measured, than the best choice in hindsight.
 */
import { rankByCost, EQUAL_WEIGHTS } from '../model/cost.js';
import { LIU_WIRED_ENERGY, wiredEnergyJoules } from '../model/energy.js';
import type { Platform, Prediction } from '../model/types.js';
import { sampleAt } from '../model/from-sample.js';
import { planMitigation, type SelectionPolicy } from '../plan/planner.js';
import type { Cluster } from '../plan/cluster.js';
import type { MigrationConfig, MigrationRecord } from '../record/record.js';

const MIB = 2 ** 20;

/** The eight VMs of one group. */
export const DECISION_WORKLOADS: { name: string; workload: MigrationConfig['workload']; params: Record<string, string | number> }[] = [
  { name: 'idle', workload: 'idle', params: {} },
  { name: 'dirtier-random', workload: 'dirtier', params: { wss: '96M', rate: 12000, pattern: 'random' } },
  { name: 'memtester', workload: 'memtester', params: { wss: '32M' } },
  { name: 'redis', workload: 'redis', params: { clients: 1 } },
];

/** Two VMs each of four workloads, 256 MiB and 512 MiB, at 100 MiB/s and a 300 ms downtime limit. */
export function decisionSet(opts: { bandwidthBytesPerSec?: number; downtimeLimitSec?: number; timeoutSec?: number } = {}): MigrationConfig[] {
  const out: MigrationConfig[] = [];
  for (const w of DECISION_WORKLOADS) {
    for (const mem of [256 * MIB, 512 * MIB]) {
      out.push({
        memoryBytes: mem,
        workload: w.workload,
        params: { ...w.params },
        bandwidthBytesPerSec: opts.bandwidthBytesPerSec ?? 100 * MIB,
        downtimeLimitSec: opts.downtimeLimitSec ?? 0.3,
        autoConverge: false,
        timeoutSec: opts.timeoutSec ?? 60,
      });
    }
  }
  return out;
}

/** What the lab tags each record of an experiment with. */
export interface ExperimentTag {
  name: 'decide';
  /** One group = one decision instance (a host with its eight VMs). */
  group: string;
  /** The VM's name inside its group. */
  vm: string;
}

export type TaggedRecord = MigrationRecord & { experiment?: ExperimentTag };

/** The four figures both papers compare. Energy is Liu's wired model of the bytes (no power meter here). */
export interface Outcome {
  totalTimeSec: number;
  downtimeSec: number;
  transferredBytes: number;
  energyJoules: number;
}

const METRIC_KEYS = ['totalTimeSec', 'downtimeSec', 'transferredBytes', 'energyJoules'] as const;
type MetricKey = (typeof METRIC_KEYS)[number];

/** The measured outcome of a record in the four figures (energy from the measured bytes). */
export function measuredOutcome(r: MigrationRecord): Outcome {
  const m = r.measured;
  return { totalTimeSec: m.totalTimeSec, downtimeSec: m.downtimeSec, transferredBytes: m.transferredBytes, energyJoules: wiredEnergyJoules(LIU_WIRED_ENERGY, m.transferredBytes) };
}

/** Splits tagged records into groups of one experiment, in first-seen order. */
export function groupsOf(records: readonly TaggedRecord[]): { group: string; records: TaggedRecord[] }[] {
  const m = new Map<string, TaggedRecord[]>();
  for (const r of records) {
    if (r.experiment?.name !== 'decide') continue;
    const g = m.get(r.experiment.group) ?? [];
    g.push(r);
    m.set(r.experiment.group, g);
  }
  return [...m].map(([group, rs]) => ({ group, records: rs }));
}

const asPrediction = (o: Outcome): Prediction =>
  ({ ...o, rounds: 0, converged: true, setupSec: 0, precopySec: 0, stopCopySec: 0, stopCopyBytes: 0, resumeSec: 0, maxThrottle: 0 }) as Prediction;

/** Liu's weighted cost of each of a group's measured outcomes (normalised by the group's measured maxima). */
export function measuredCosts(outcomes: readonly Outcome[]): number[] {
  const ranked = rankByCost(outcomes, asPrediction, EQUAL_WEIGHTS);
  const out = new Array<number>(outcomes.length);
  for (const r of ranked) out[r.index] = r.cost;
  return out;
}

export interface LiuGroupResult {
  group: string;
  /** The VM the model chose, and the one that was cheapest in hindsight (by measured C). */
  modelChoice: string;
  bestChoice: string;
  model: Outcome;
  /** Expectation of a uniformly random pick. */
  random: Outcome;
  best: Outcome;
  /** (random - model) / random per figure: the paper's "reduction". */
  reduction: Record<MetricKey, number>;
  /** (C(model) - C(best)) / C(best), C measured. */
  regret: number;
  /** Per figure: (model's pick - the best pick for that figure alone) / that best, measured. */
  regretBy: Record<MetricKey, number>;
  /** A migration that did not complete among the group's. */
  incomplete: string[];
}

/**
 * A record's prediction by one variant; records taken without a pseudo-migration have no `deng-bitmap`, which
 * is then `deng-curve` (with no bitmap counts the two are the same model).
 */
export function recordedPrediction(r: MigrationRecord, variant: string): MigrationRecord['predicted'][string] | undefined {
  return r.predicted[variant] ?? (variant === 'deng-bitmap' ? r.predicted['deng-curve'] : undefined);
}

/** A group member's name: its experiment tag, else its position. */
function vmName(r: TaggedRecord, i: number): string {
  return r.experiment?.vm ?? `vm${i}`;
}

/** Hindsight: the cheapest completed migration by measured cost (one that did not complete moved nothing). */
function hindsightIndex(records: readonly TaggedRecord[], costs: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < records.length; i++) if (records[i].measured.status === 'completed' && (best < 0 || costs[i] < costs[best])) best = i;
  return best >= 0 ? best : costs.indexOf(Math.min(...costs));
}

/** Liu's experiment on one group: one VM to move. `variant` names the prediction the model uses. */
export function liuDecision(group: string, records: readonly TaggedRecord[], variant = 'deng-bitmap'): LiuGroupResult {
  if (records.length < 2) throw new RangeError(`liuDecision: group ${group} needs at least 2 records`);
  const names = records.map(vmName);
  const predictionOf = (r: TaggedRecord) => {
    const p = recordedPrediction(r, variant);
    if (!p) throw new RangeError(`liuDecision: record ${r.id} has no ${variant} prediction`);
    return p;
  };
  const ranked = rankByCost(records, predictionOf);
  // A VM predicted not to converge is never the model's pick when another would do.
  const pick = ranked.find((x) => predictionOf(records[x.index]).converged) ?? ranked[0];
  const outcomes = records.map(measuredOutcome);
  const costs = measuredCosts(outcomes);
  const best = hindsightIndex(records, costs);
  const random = { totalTimeSec: 0, downtimeSec: 0, transferredBytes: 0, energyJoules: 0 };
  for (const o of outcomes) for (const k of METRIC_KEYS) random[k] += o[k] / outcomes.length;
  const model = outcomes[pick.index];
  const reduction = {} as Record<MetricKey, number>;
  for (const k of METRIC_KEYS) reduction[k] = random[k] > 0 ? (random[k] - model[k]) / random[k] : 0;
  const regret = costs[best] > 0 ? (costs[pick.index] - costs[best]) / costs[best] : costs[pick.index] > 0 ? Infinity : 0;
  const regretBy = {} as Record<MetricKey, number>;
  const done = outcomes.filter((_, i) => records[i].measured.status === 'completed');
  for (const k of METRIC_KEYS) {
    const lo = Math.min(...(done.length ? done : outcomes).map((o) => o[k]));
    regretBy[k] = lo > 0 ? (model[k] - lo) / lo : 0;
  }
  return {
    group,
    modelChoice: names[pick.index],
    bestChoice: names[best],
    model,
    random,
    best: outcomes[best],
    reduction,
    regret,
    regretBy,
    incomplete: names.filter((_, i) => records[i].measured.status !== 'completed'),
  };
}

export const DENG_POLICIES = ['moa', 'optimal', 'mia', 'ra'] as const;
export type DengPolicy = (typeof DENG_POLICIES)[number];

export interface DengPolicyResult {
  /** Measured bytes of the VMs the policy moves (the expectation over seeds for `ra`). */
  transferredBytes: number;
  downtimeSec: number;
  /** Normalised to MIA's measured bytes. */
  normalisedToMia: number;
  /** (bytes - hindsight best) / hindsight best. */
  regret: number;
  /** The VMs moved (for `ra`: those of seed 1). */
  moved: string[];
}

export interface DengGroupResult {
  group: string;
  /** CPU demand of each VM (vCPU busy share while sampled) and the host's capacity. */
  demand: Record<string, number>;
  capacity: number;
  best: { transferredBytes: number; moved: string[] };
  policies: Record<DengPolicy, DengPolicyResult>;
}

/**
 * Deng's experiment on one group. The host's CPU capacity is `capacityShare` of its VMs' summed demand
 * (demand = the vCPU busy share measured while sampling, floored at 0.02), so about (1 - share) of the demand
 * must leave; a second, empty host takes what leaves. The policies decide from predictions (the planner,
 * with the lab's platform constants); what they chose is then priced by the measured migrations.
 */
export function dengDecision(group: string, records: readonly TaggedRecord[], opts: { capacityShare?: number; platform?: Partial<Platform>; raSeeds?: number } = {}): DengGroupResult {
  const share = opts.capacityShare ?? 0.7;
  if (!(share > 0 && share < 1)) throw new RangeError('dengDecision: capacityShare must be in (0, 1)');
  const names = records.map(vmName);
  const demand = records.map((r) => Math.max(0.02, Math.min(1, r.sample.cpuUtilisation ?? 0.5)));
  const total = demand.reduce((a, b) => a + b, 0);
  const capacity = total * share;
  const mem = records.reduce((a, r) => a + r.config.memoryBytes, 0);
  const bw = records[0].config.bandwidthBytesPerSec;
  const cluster: Cluster = {
    hosts: [
      { id: 'hot', cpu: capacity, memoryBytes: mem * 2, bandwidthBytesPerSec: bw, idleWatts: 100, maxWatts: 200 },
      { id: 'spare', cpu: total * 2, memoryBytes: mem * 2, bandwidthBytesPerSec: bw, idleWatts: 100, maxWatts: 200 },
    ],
    vms: records.map((r, i) => ({
      id: names[i],
      host: 'hot',
      cpu: demand[i],
      memoryBytes: r.sample.memoryBytes,
      dirtyRateBytesPerSec: r.sample.dirtyRateBytesPerSec,
      zeroPageFraction: r.sample.zeroPageFraction,
      curve: r.sample.curve.length > 0 ? r.sample.curve : undefined,
      cpuUtilisation: r.sample.cpuUtilisation,
      sample: sampleAt(r.sample, r.migrationStartedAt),
    })),
  };
  const byName = new Map(names.map((n, i) => [n, records[i]]));
  const measuredOf = (moved: readonly string[]) => {
    let bytes = 0;
    let down = 0;
    for (const n of moved) {
      const m = byName.get(n)!.measured;
      bytes += m.transferredBytes;
      down += m.downtimeSec;
    }
    return { bytes, down };
  };
  // Hindsight: the set of completed migrations with the least measured bytes that cools the host.
  const n = records.length;
  let bestBytes = Infinity;
  let bestSet: string[] = [];
  for (let mask = 1; mask < 1 << n; mask++) {
    let cpu = total;
    let bytes = 0;
    let ok = true;
    const set: string[] = [];
    for (let i = 0; i < n; i++) {
      if (!(mask & (1 << i))) continue;
      if (records[i].measured.status !== 'completed') {
        ok = false;
        break;
      }
      cpu -= demand[i];
      bytes += records[i].measured.transferredBytes;
      set.push(names[i]);
    }
    if (ok && cpu <= capacity + 1e-9 && bytes < bestBytes) {
      bestBytes = bytes;
      bestSet = set;
    }
  }
  const run = (policy: SelectionPolicy, seed = 1) => planMitigation(cluster, { policy, objective: 'traffic', seed, platform: opts.platform }).moves.map((m) => m.vm);
  const results = {} as Record<DengPolicy, DengPolicyResult>;
  for (const p of DENG_POLICIES) {
    if (p === 'ra') {
      const seeds = opts.raSeeds ?? 200;
      let bytes = 0;
      let down = 0;
      for (let s = 1; s <= seeds; s++) {
        const m = measuredOf(run('ra', s));
        bytes += m.bytes / seeds;
        down += m.down / seeds;
      }
      results.ra = { transferredBytes: bytes, downtimeSec: down, normalisedToMia: 0, regret: 0, moved: run('ra', 1) };
    } else {
      const moved = run(p);
      const m = measuredOf(moved);
      results[p] = { transferredBytes: m.bytes, downtimeSec: m.down, normalisedToMia: 0, regret: 0, moved };
    }
  }
  for (const p of DENG_POLICIES) {
    const r = results[p];
    r.normalisedToMia = results.mia.transferredBytes > 0 ? r.transferredBytes / results.mia.transferredBytes : 0;
    r.regret = bestBytes > 0 && Number.isFinite(bestBytes) ? (r.transferredBytes - bestBytes) / bestBytes : 0;
  }
  return {
    group,
    demand: Object.fromEntries(names.map((nm, i) => [nm, demand[i]])),
    capacity,
    best: { transferredBytes: Number.isFinite(bestBytes) ? bestBytes : 0, moved: bestSet },
    policies: results,
  };
}

/** Liu's picks priced by each VM's mean measured outcome over the groups (VMs matched by name). */
function pooledLiu(groups: { records: TaggedRecord[] }[], liu: readonly LiuGroupResult[]): { best: string; meanRegret: number; bestFixedPerGroupRegret: number; costs: Record<string, number> } | undefined {
  if (groups.length < 2) return undefined;
  const byVm = new Map<string, Outcome[]>();
  for (const g of groups) {
    for (const [i, r] of g.records.entries()) {
      if (r.measured.status !== 'completed') continue;
      const name = vmName(r, i);
      byVm.set(name, [...(byVm.get(name) ?? []), measuredOutcome(r)]);
    }
  }
  const names = [...byVm.keys()];
  const means = names.map((n) => {
    const os = byVm.get(n)!;
    const m = { totalTimeSec: 0, downtimeSec: 0, transferredBytes: 0, energyJoules: 0 };
    for (const o of os) for (const k of METRIC_KEYS) m[k] += o[k] / os.length;
    return m;
  });
  const c = measuredCosts(means);
  const bestI = c.indexOf(Math.min(...c));
  const regrets = liu.map((l) => {
    const i = names.indexOf(l.modelChoice);
    return i < 0 ? 0 : (c[i] - c[bestI]) / c[bestI];
  });
  // The same per-group regret for a pick that never changes: the VM best on average. What per-group noise
  // alone costs a predictor that knows every VM's mean outcome.
  const fixed = groups.map((g) => {
    const costs = measuredCosts(g.records.map(measuredOutcome));
    const hindsight = costs[hindsightIndex(g.records, costs)];
    const j = g.records.findIndex((r, i) => vmName(r, i) === names[bestI]);
    return j < 0 || !(hindsight > 0) ? 0 : (costs[j] - hindsight) / hindsight;
  });
  return { best: names[bestI], meanRegret: mean(regrets), bestFixedPerGroupRegret: mean(fixed), costs: Object.fromEntries(names.map((n, i) => [n, c[i]])) };
}

export interface DecisionReport {
  groups: number;
  liu: {
    perGroup: LiuGroupResult[];
    meanReduction: Record<MetricKey, number>;
    meanRegret: number;
    meanRegretBy: Record<MetricKey, number>;
    bestPicked: number;
    /**
     * Against the VM that is best on its mean measured outcome over all groups (single runs are noisy: an idle
     * guest's downtime varies 28-50 ms): each group's pick priced by the means too. Undefined with one group.
     */
    /**
     * Picks priced by each VM's mean outcome over the groups; `bestFixedPerGroupRegret`: the per-group regret of
     * always picking the VM best on average (the floor per-group noise sets).
     */
    pooled?: { best: string; meanRegret: number; bestFixedPerGroupRegret: number; costs: Record<string, number> };
  };
  deng: { perGroup: DengGroupResult[]; meanNormalisedToMia: Record<DengPolicy, number>; meanRegret: Record<DengPolicy, number> };
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Both experiments over every complete group (groups with fewer than `minGroupSize` records are skipped). */
export function decisionReport(records: readonly TaggedRecord[], opts: { variant?: string; platform?: Partial<Platform>; capacityShare?: number; minGroupSize?: number } = {}): DecisionReport {
  const groups = groupsOf(records).filter((g) => g.records.length >= (opts.minGroupSize ?? 8));
  const liu = groups.map((g) => liuDecision(g.group, g.records, opts.variant));
  const deng = groups.map((g) => dengDecision(g.group, g.records, { platform: opts.platform, capacityShare: opts.capacityShare }));
  const meanReduction = {} as Record<MetricKey, number>;
  const meanRegretBy = {} as Record<MetricKey, number>;
  for (const k of METRIC_KEYS) {
    meanReduction[k] = mean(liu.map((l) => l.reduction[k]));
    meanRegretBy[k] = mean(liu.map((l) => l.regretBy[k]));
  }
  const meanNormalisedToMia = {} as Record<DengPolicy, number>;
  const meanRegret = {} as Record<DengPolicy, number>;
  for (const p of DENG_POLICIES) {
    meanNormalisedToMia[p] = mean(deng.map((d) => d.policies[p].normalisedToMia));
    meanRegret[p] = mean(deng.map((d) => d.policies[p].regret));
  }
  return {
    groups: groups.length,
    liu: { perGroup: liu, meanReduction, meanRegret: mean(liu.map((l) => l.regret)), meanRegretBy, pooled: pooledLiu(groups, liu), bestPicked: liu.filter((l) => l.modelChoice === l.bestChoice).length },
    deng: { perGroup: deng, meanNormalisedToMia, meanRegret },
  };
}
