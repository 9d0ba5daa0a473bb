/**
 * Liu's power-management case: empty an under-used host only when the energy saved by switching it off
 * over a stated horizon exceeds the predicted energy of migrating its VMs away (break-even per host). Pure.
 *
 * After a mitigation plan, consolidation is worked out on the cluster as the plan leaves it
 * (`consolidateAfterPlan`): the moves applied, the plan's hot test for every destination, the hosts it
 * relieved taking no VM, and no host that receives a VM (from the plan or an earlier consolidation) emptied.
 */
import type { Platform, Prediction } from '../model/types.js';
import { applyMoves, type Cluster, type Host, type Vm } from './cluster.js';
import { isHot, loads, type Load } from './hot.js';
import { priceMove } from './pricing.js';
import { planHotTest, type Plan, type PlanOptions } from './planner.js';

export interface ConsolidationMove {
  vm: string;
  from: string;
  to: string;
  /** The link it was priced at: the source's shared by the moves leaving it, never above the destination's. */
  bandwidthBytesPerSec: number;
  predicted: Prediction;
  /** = predicted.energyJoules and predicted.transferredBytes (kept for readers of the older shape). */
  energyJoules: number;
  transferredBytes: number;
}

export interface ConsolidationDecision {
  host: string;
  /** Moves that would empty it (performed only when switchOff). */
  moves: ConsolidationMove[];
  migrationEnergyJoules: number;
  /** Idle power x horizon: what switching the host off saves. */
  savedJoules: number;
  switchOff: boolean;
  why: string;
}

export interface ConsolidationOptions {
  horizonSec: number;
  /** A host is a candidate when its CPU demand is under this share of its capacity (default 0.3). */
  underThreshold?: number;
  downtimeLimitSec?: number;
  /** Platform constants for every prediction, as the plan's moves. */
  platform?: Partial<Platform>;
  /** Would this host be hot at this load? Destinations must stay cool. Default: Deng's rule at capacity. */
  hot?: (h: Host, l: Load) => boolean;
  /** Hosts that receive VMs already (a plan's destinations): never emptied. */
  receiving?: ReadonlySet<string>;
  /** Hosts that take no VM (a plan's hot hosts, just relieved, as the plan's own placement excludes them). */
  notTo?: ReadonlySet<string>;
}

/**
 * Considers hosts whose CPU use is under `underThreshold` of capacity, emptiest first; each accepted host's
 * VMs are placed (first fit, biggest memory first, onto powered hosts that stay cool) before the next host is
 * considered, and a host that has received VMs is not emptied.
 */
export function planConsolidation(c: Cluster, opts: ConsolidationOptions): ConsolidationDecision[] {
  if (!(opts.horizonSec > 0)) throw new RangeError('planConsolidation: horizonSec must be > 0');
  const under = opts.underThreshold ?? 0.3;
  const hot = opts.hot ?? ((h: Host, l: Load) => isHot(h, l));
  const downtimeLimitSec = opts.downtimeLimitSec ?? 0.3;
  const load = loads(c);
  const on = new Map<string, Vm[]>(c.hosts.map((h) => [h.id, []]));
  for (const v of c.vms) on.get(v.host)!.push(v);
  const off = new Set<string>();
  const received = new Set<string>(opts.receiving ?? []);
  const share = (h: Host) => load.get(h.id)!.cpu / h.cpu;
  const candidates = c.hosts.filter((h) => on.get(h.id)!.length > 0 && load.get(h.id)!.cpu < under * h.cpu).sort((a, b) => share(a) - share(b) || a.id.localeCompare(b.id));
  const out: ConsolidationDecision[] = [];
  for (const h of candidates) {
    const savedJoules = h.idleWatts * opts.horizonSec;
    const keep = (why: string) => out.push({ host: h.id, moves: [], migrationEnergyJoules: 0, savedJoules, switchOff: false, why });
    if (received.has(h.id)) {
      keep('it receives VMs in this plan');
      continue;
    }
    const vms = [...on.get(h.id)!].sort((a, b) => b.memoryBytes - a.memoryBytes || a.id.localeCompare(b.id));
    const trial = new Map([...load].map(([k, v]) => [k, { cpu: v.cpu, mem: v.mem }]));
    const placed: { vm: Vm; to: Host }[] = [];
    for (const v of vms) {
      const to = c.hosts.find((t) => t.id !== h.id && !off.has(t.id) && !opts.notTo?.has(t.id) && on.get(t.id)!.length > 0 && !hot(t, { cpu: trial.get(t.id)!.cpu + v.cpu, mem: trial.get(t.id)!.mem + v.memoryBytes }));
      if (!to) break;
      trial.get(to.id)!.cpu += v.cpu;
      trial.get(to.id)!.mem += v.memoryBytes;
      placed.push({ vm: v, to });
    }
    if (placed.length < vms.length) {
      keep('its VMs do not fit elsewhere without a hot host');
      continue;
    }
    // priced as the plan's moves: the source link shared by the moves leaving it, the VM's sample when it has one
    const moves: ConsolidationMove[] = placed.map(({ vm, to }) => {
      const bw = Math.min(h.bandwidthBytesPerSec / placed.length, to.bandwidthBytesPerSec);
      const p = priceMove(vm, bw, downtimeLimitSec, opts.platform);
      return { vm: vm.id, from: h.id, to: to.id, bandwidthBytesPerSec: bw, predicted: p, energyJoules: p.energyJoules, transferredBytes: p.transferredBytes };
    });
    const migrationEnergyJoules = moves.reduce((s, m) => s + m.energyJoules, 0);
    const switchOff = savedJoules > migrationEnergyJoules;
    out.push({ host: h.id, moves, migrationEnergyJoules, savedJoules, switchOff, why: switchOff ? `saves ${(savedJoules - migrationEnergyJoules).toFixed(0)} J over the horizon` : 'migrating costs more energy than the horizon saves' });
    if (!switchOff) continue;
    off.add(h.id);
    for (const [k, v] of trial) Object.assign(load.get(k)!, v);
    for (const { vm, to } of placed) {
      on.get(to.id)!.push(vm);
      received.add(to.id);
    }
    on.set(h.id, []);
  }
  return out;
}

/**
 * Consolidation after a mitigation plan: on the cluster with the plan's moves applied, with the plan's hot
 * test (its thresholds or detector) for every destination and its downtime limit and platform for every
 * price; the plan's destinations are never emptied, and its hot hosts take no VM.
 */
export function consolidateAfterPlan(c: Cluster, plan: Pick<Plan, 'moves' | 'hotBefore'>, planOpts: PlanOptions, opts: Pick<ConsolidationOptions, 'horizonSec' | 'underThreshold'>): ConsolidationDecision[] {
  return planConsolidation(applyMoves(c, plan.moves), {
    ...opts,
    downtimeLimitSec: planOpts.downtimeLimitSec,
    platform: planOpts.platform,
    hot: planHotTest(c, planOpts),
    receiving: new Set(plan.moves.map((m) => m.to)),
    notTo: new Set(plan.hotBefore),
  });
}
