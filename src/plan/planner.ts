/**
 * Hot-node mitigation (Deng 2013) with migcost's predictions: find hot hosts, choose which VMs to move by a
 * selection policy, place each on a host with room that stays cool, and price every move with the pre-copy
 * model at the bandwidth it really gets (moves leaving one host share its link). Pure and deterministic.
 */
import { rankByCost, EQUAL_WEIGHTS } from '../model/cost.js';
import type { Platform, Prediction } from '../model/types.js';
import { priceMove } from './pricing.js';
import type { Cluster, Host, Vm } from './cluster.js';
import type { Detector } from './detectors.js';
import { loads, hotRule, hotTest, whyHot, checkHistory, type Load, type HotHost } from './hot.js';
import { mulberry32 } from '../stats/random.js';
import { boundedSubset, optimalSubset } from './search.js';

export { boundedSubset, optimalSubset } from './search.js';
export { isHot, hotHosts, type HotHost } from './hot.js';

export const SELECTION_POLICIES = ['moa', 'optimal', 'mia', 'ra', 'mmt', 'mu'] as const;
export type SelectionPolicy = (typeof SELECTION_POLICIES)[number];
export const OBJECTIVES = ['traffic', 'downtime', 'cost'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface PlanOptions {
  policy: SelectionPolicy;
  objective?: Objective;
  /** A host is hot when its VMs' CPU or memory demand exceeds this share of its capacity (Deng: 1.0). */
  cpuThreshold?: number;
  memoryThreshold?: number;
  downtimeLimitSec?: number;
  /** Seed of `ra`. */
  seed?: number;
  /** `optimal` searches every subset of hosts with at most this many VMs, else a bounded search (cost per relief, prune, swap). */
  exactLimit?: number;
  /** `optimal` takes moa's order (no search) on hosts with more VMs than this (default 1,000; the search is O(n^3) at worst). */
  searchLimit?: number;
  /** `optimal` takes moa's order on every host left once this answers true (e.g. a time budget). Default: never. */
  searchStop?: () => boolean;
  /**
   * `deng` (default): demand over capacity x threshold. Or a Beloglazov-Buyya detector over each host's
   * utilisation history (thr, mad, iqr, lr) with `detectorParam`; capacity is never exceeded either way.
   */
  detector?: 'deng' | Detector;
  detectorParam?: number;
  /** How the user named the detector, for the error that refuses a short history (`--detector`; default `detector`). */
  detectorFlag?: string;
  /** Platform constants for every prediction (e.g. fitted by `migcost lab calibrate`); model defaults otherwise. */
  platform?: Partial<Platform>;
}

export interface Move {
  vm: string;
  from: string;
  to: string;
  predicted: Prediction;
  /** Bandwidth the move was priced at (the source link shared by the moves leaving it). */
  bandwidthBytesPerSec: number;
}

export interface Avoided {
  vm: string;
  host: string;
  why: string;
}

export interface Plan {
  policy: SelectionPolicy;
  objective: Objective;
  moves: Move[];
  total: { transferredBytes: number; downtimeSec: number; totalTimeSec: number; energyJoules: number };
  hotBefore: string[];
  hotAfter: string[];
  /** Each host in hotBefore, the rule that flagged it and its figures. */
  hot: HotHost[];
  /** Each host in hotAfter, likewise. */
  stillHot: HotHost[];
  avoided: Avoided[];
}

/** The hot test a plan with these options uses on this cluster (before any move), as placement and consolidation apply it. */
export function planHotTest(c: Cluster, opts: Pick<PlanOptions, 'cpuThreshold' | 'memoryThreshold' | 'detector' | 'detectorParam'>): (h: Host, l: Load) => boolean {
  return hotTest(hotRule(opts), loads(c));
}

/** The number that orders candidates for `moa` and `optimal`. */
function objectiveValue(p: Prediction, objective: Objective): number {
  return objective === 'downtime' ? p.downtimeSec : p.transferredBytes;
}


/** Picks the VMs to move off one hot host, in order. */
function select(host: Host, load: Load, vms: Vm[], preds: Map<string, Prediction>, o: { policy: SelectionPolicy; objective: Objective; seed: number; exactLimit: number; searchLimit: number; searchStop?: () => boolean; hot: (h: Host, l: Load) => boolean }, avoided: Avoided[]): Vm[] {
  const need = (chosen: Vm[]) => {
    let cpu = load.cpu;
    let mem = load.mem;
    for (const v of chosen) {
      cpu -= v.cpu;
      mem -= v.memoryBytes;
    }
    return o.hot(host, { cpu, mem });
  };
  let order: Vm[];
  const cost = (v: Vm) => objectiveValue(preds.get(v.id)!, o.objective);
  switch (o.policy) {
    case 'moa':
    case 'optimal':
      if (o.objective === 'cost') {
        order = rankByCost(vms, (v) => preds.get(v.id)!, EQUAL_WEIGHTS).map((r) => r.candidate);
      } else order = [...vms].sort((a, b) => cost(a) - cost(b) || a.id.localeCompare(b.id));
      break;
    case 'mia':
    case 'mmt':
      order = [...vms].sort((a, b) => a.memoryBytes - b.memoryBytes || a.id.localeCompare(b.id));
      break;
    case 'mu':
      order = [...vms].sort((a, b) => a.cpu - b.cpu || a.id.localeCompare(b.id));
      break;
    case 'ra': {
      const r = mulberry32(o.seed ^ hashString(host.id));
      order = [...vms];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      break;
    }
  }
  // VMs predicted not to converge go last (cost-aware policies only), and are taken only if nothing else will do.
  if (o.policy === 'moa' || o.policy === 'optimal') {
    const ok = order.filter((v) => preds.get(v.id)!.converged);
    const bad = order.filter((v) => !preds.get(v.id)!.converged);
    order = [...ok, ...bad];
  }
  if (o.policy === 'optimal') {
    const setCost = (v: Vm) => (o.objective === 'cost' ? preds.get(v.id)!.totalTimeSec : cost(v)) + (preds.get(v.id)!.converged ? 0 : 1e18);
    const searched = vms.length <= o.searchLimit && !o.searchStop?.();
    const best = !searched ? undefined : vms.length <= o.exactLimit ? optimalSubset(vms, setCost, need) : boundedSubset(vms, load, host, setCost, need);
    if (best) order = best;
  }
  const chosen: Vm[] = [];
  for (const v of order) {
    if (!need(chosen)) break;
    chosen.push(v);
  }
  for (const v of vms) {
    if (!preds.get(v.id)!.converged) {
      avoided.push({ vm: v.id, host: host.id, why: chosen.includes(v) ? 'predicted not to converge, but nothing else removes the overload: propose post-copy' : 'predicted not to converge within 600 s at this bandwidth' });
    }
  }
  return chosen;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Plans the mitigation of every hot host. Placement is best-fit decreasing by memory over hosts that stay
 * cool with the VM added (never creating a new hot node), preferring hosts already powered (non-empty).
 */
export function planMitigation(c: Cluster, opts: PlanOptions): Plan {
  const rule = hotRule(opts);
  checkHistory(c, rule.detector, opts.detectorFlag);
  const o = {
    ...rule,
    policy: opts.policy,
    objective: opts.objective ?? 'traffic',
    downtimeLimitSec: opts.downtimeLimitSec ?? 0.3,
    seed: opts.seed ?? 1,
    exactLimit: opts.exactLimit ?? 16,
    searchLimit: opts.searchLimit ?? 1000,
    searchStop: opts.searchStop,
  };
  const demandNow = loads(c);
  const hotFn = hotTest(rule, demandNow);
  const so = { ...o, hot: hotFn };
  const l = loads(c);
  const byHost = new Map<string, Vm[]>(c.hosts.map((h) => [h.id, []]));
  for (const v of c.vms) byHost.get(v.host)!.push(v);
  const hostById = new Map(c.hosts.map((h) => [h.id, h]));
  const hotBefore = c.hosts.filter((h) => hotFn(h, l.get(h.id)!)).map((h) => h.id);
  const hot = new Set(hotBefore);
  const avoided: Avoided[] = [];
  const selected: { vm: Vm; from: Host }[] = [];
  for (const hid of hotBefore) {
    const h = hostById.get(hid)!;
    const vms = byHost.get(hid)!;
    // Selection prices each candidate at the host's full link; the final price accounts for sharing.
    const preds = new Map(vms.map((v) => [v.id, priceMove(v, h.bandwidthBytesPerSec, o.downtimeLimitSec, opts.platform)]));
    for (const v of select(h, l.get(hid)!, vms, preds, so, avoided)) selected.push({ vm: v, from: h });
  }
  // Placement: biggest first, onto the cool host with the least memory left that still fits. Plain arrays
  // indexed by host: this loop runs moves x hosts times.
  const moves: { vm: Vm; from: Host; to: Host }[] = [];
  const order = [...selected].sort((a, b) => b.vm.memoryBytes - a.vm.memoryBytes || a.vm.id.localeCompare(b.vm.id));
  const H = c.hosts.length;
  const statistical = o.detector !== 'deng';
  const cpuUsed = new Float64Array(H);
  const memUsed = new Float64Array(H);
  const cpuCap = new Float64Array(H);
  const memCap = new Float64Array(H);
  const excluded = new Uint8Array(H);
  const index = new Map<string, number>();
  c.hosts.forEach((h, i) => {
    const lh = l.get(h.id)!;
    cpuUsed[i] = lh.cpu;
    memUsed[i] = lh.mem;
    cpuCap[i] = h.cpu * o.cpuThreshold + 1e-9;
    memCap[i] = h.memoryBytes * o.memoryThreshold + 1e-9;
    excluded[i] = hot.has(h.id) ? 1 : 0;
    index.set(h.id, i);
  });
  for (const s of order) {
    const from = index.get(s.from.id)!;
    let best = -1;
    let bestLeft = Infinity;
    const vc = s.vm.cpu;
    const vmem = s.vm.memoryBytes;
    for (let i = 0; i < H; i++) {
      if (excluded[i] || i === from) continue;
      const mem = memUsed[i] + vmem;
      if (cpuUsed[i] + vc > cpuCap[i] || mem > memCap[i]) continue;
      if (statistical && hotFn(c.hosts[i], { cpu: cpuUsed[i] + vc, mem })) continue;
      const left = memCap[i] - mem + (memUsed[i] === 0 ? memCap[i] : 0); // prefer powered hosts
      if (left < bestLeft) {
        bestLeft = left;
        best = i;
      }
    }
    if (best < 0) {
      avoided.push({ vm: s.vm.id, host: s.from.id, why: 'no host has room without becoming hot' });
      continue;
    }
    cpuUsed[best] += vc;
    memUsed[best] += vmem;
    cpuUsed[from] -= vc;
    memUsed[from] -= vmem;
    const lb = l.get(c.hosts[best].id)!;
    lb.cpu += vc;
    lb.mem += vmem;
    const lf = l.get(s.from.id)!;
    lf.cpu -= vc;
    lf.mem -= vmem;
    moves.push({ vm: s.vm, from: s.from, to: c.hosts[best] });
  }
  // Price each move at its share of the source link (and never above the destination's).
  const leaving = new Map<string, number>();
  for (const m of moves) leaving.set(m.from.id, (leaving.get(m.from.id) ?? 0) + 1);
  const priced: Move[] = moves.map((m) => {
    const bw = Math.min(m.from.bandwidthBytesPerSec / leaving.get(m.from.id)!, m.to.bandwidthBytesPerSec);
    return { vm: m.vm.id, from: m.from.id, to: m.to.id, predicted: priceMove(m.vm, bw, o.downtimeLimitSec, opts.platform), bandwidthBytesPerSec: bw };
  });
  const total = { transferredBytes: 0, downtimeSec: 0, totalTimeSec: 0, energyJoules: 0 };
  for (const m of priced) {
    total.transferredBytes += m.predicted.transferredBytes;
    total.downtimeSec += m.predicted.downtimeSec;
    total.totalTimeSec = Math.max(total.totalTimeSec, m.predicted.totalTimeSec); // moves run in parallel
    total.energyJoules += m.predicted.energyJoules;
  }
  const hotAfter = c.hosts.filter((h) => hotFn(h, l.get(h.id)!)).map((h) => h.id);
  const why = (ids: string[], at: Map<string, Load>): HotHost[] => ids.map((id) => whyHot(rule, demandNow, hostById.get(id)!, at.get(id)!)!);
  return { policy: o.policy, objective: o.objective, moves: priced, total, hotBefore, hotAfter, hot: why(hotBefore, demandNow), stillHot: why(hotAfter, l), avoided };
}
