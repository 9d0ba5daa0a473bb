/**
 * When a host counts as hot, and why: Deng's capacity rule (CPU or memory demand over capacity x a threshold),
 * or a Beloglazov-Buyya detector over the host's utilisation history on top of the capacity limits. Each hot
 * host gets the rule that flagged it and its figures ("capacity: cpu 125 % > 100 %", "lr: predicted 1.04 at the
 * next step >= 1/1.2 = 0.83"). A detector that needs history refuses a cluster without enough of it. Pure.
 */
import { InputError } from '../units.js';
import type { Cluster, Host } from './cluster.js';
import { overloaded, explainOverload, historyNeeded, HISTORY_SOURCE, DETECTOR_DEFAULTS, type Detector } from './detectors.js';

export interface Load {
  cpu: number;
  mem: number;
}

export function loads(c: Cluster): Map<string, Load> {
  const m = new Map<string, Load>(c.hosts.map((h) => [h.id, { cpu: 0, mem: 0 }]));
  for (const v of c.vms) {
    const l = m.get(v.host)!;
    l.cpu += v.cpu;
    l.mem += v.memoryBytes;
  }
  return m;
}

/** Deng's hot-node rule: the CPU or memory demand of a host's VMs over its capacity (times a threshold). */
export function isHot(h: Host, l: Load, cpuThreshold = 1, memoryThreshold = 1): boolean {
  return l.cpu > h.cpu * cpuThreshold + 1e-9 || l.mem > h.memoryBytes * memoryThreshold + 1e-9;
}

export function hotHosts(c: Cluster, cpuThreshold = 1, memoryThreshold = 1): string[] {
  const l = loads(c);
  return c.hosts.filter((h) => isHot(h, l.get(h.id)!, cpuThreshold, memoryThreshold)).map((h) => h.id);
}

/** The hot rule of a plan, its defaults filled in. */
export interface HotRule {
  cpuThreshold: number;
  memoryThreshold: number;
  detector: 'deng' | Detector;
  detectorParam: number;
}

export function hotRule(o: { cpuThreshold?: number; memoryThreshold?: number; detector?: 'deng' | Detector; detectorParam?: number }): HotRule {
  const detector = o.detector ?? 'deng';
  return {
    cpuThreshold: o.cpuThreshold ?? 1,
    memoryThreshold: o.memoryThreshold ?? 1,
    detector,
    detectorParam: o.detectorParam ?? (detector !== 'deng' ? DETECTOR_DEFAULTS[detector] : 1),
  };
}

/** A host's history scaled to a new load: the history is the sum of its VMs' (as in CloudSim). */
function scaledHistory(h: Host, l: Load, demandNow: ReadonlyMap<string, Load>): number[] {
  const base = demandNow.get(h.id)?.cpu ?? 0;
  const k = base > 0 ? l.cpu / base : 1;
  return (h.utilisationHistory ?? []).map((x) => x * k);
}

/**
 * The hot test a plan uses: Deng's rule, or a statistical detector on top of the capacity limits. `demandNow`
 * is each host's load before any move, so moving VMs scales its history by the CPU demand that stays.
 */
export function hotTest(o: HotRule, demandNow: ReadonlyMap<string, Load>): (h: Host, l: Load) => boolean {
  if (o.detector === 'deng') return (h: Host, l: Load) => isHot(h, l, o.cpuThreshold, o.memoryThreshold);
  const d = o.detector;
  return (h: Host, l: Load) => isHot(h, l) || overloaded(d, o.detectorParam, l.cpu / h.cpu, scaledHistory(h, l, demandNow));
}

/** A hot host and the rule that flagged it, with its figures. */
export interface HotHost {
  host: string;
  rule: 'capacity' | Detector;
  reason: string;
}

const pct = (x: number): string => `${Number((x * 100).toFixed(1))} %`;

/** Why `hotTest(o, demandNow)` says `h` is hot at load `l`, or undefined when it is not. */
export function whyHot(o: HotRule, demandNow: ReadonlyMap<string, Load>, h: Host, l: Load): HotHost | undefined {
  const [ct, mt] = o.detector === 'deng' ? [o.cpuThreshold, o.memoryThreshold] : [1, 1];
  if (l.cpu > h.cpu * ct + 1e-9) return { host: h.id, rule: 'capacity', reason: `capacity: cpu ${pct(l.cpu / h.cpu)} > ${pct(ct)}` };
  if (l.mem > h.memoryBytes * mt + 1e-9) return { host: h.id, rule: 'capacity', reason: `capacity: memory ${pct(l.mem / h.memoryBytes)} > ${pct(mt)}` };
  if (o.detector === 'deng') return undefined;
  const v = explainOverload(o.detector, o.detectorParam, l.cpu / h.cpu, scaledHistory(h, l, demandNow));
  return v.hot ? { host: h.id, rule: o.detector, reason: v.reason } : undefined;
}

/**
 * Refuses a cluster whose hosts have too little utilisation history for `detector` (below it the rule would
 * silently fall back to a static 0.7). `flag` is how the user named the detector (`--detector`, `detector`).
 * The error's field is the first short host's `utilisationHistory`.
 */
export function checkHistory(c: Cluster, detector: 'deng' | Detector, flag = 'detector'): void {
  if (detector === 'deng') return;
  const need = historyNeeded(detector);
  const short = c.hosts.map((h, i) => ({ i, id: h.id, n: h.utilisationHistory?.length ?? 0 })).filter((x) => x.n < need);
  if (short.length === 0) return;
  const shown = short.slice(0, 6).map((x) => `${x.id} has ${x.n}`).join(', ') + (short.length > 6 ? `, and ${short.length - 6} more` : '');
  const field = `hosts[${short[0].i}].utilisationHistory`;
  const e = new InputError(field, short[0].n, 'values');
  e.message = `${flag} ${detector} needs a utilisation history of at least ${need} values on every host (${HISTORY_SOURCE[detector]}); ${short.length} of ${c.hosts.length} hosts have fewer: ${shown} (${field}). Give each host "utilisationHistory" (CPU utilisation fractions, oldest first), or use ${flag} deng (the capacity rule, no history)`;
  throw e;
}
