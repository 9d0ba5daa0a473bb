/**
 * Liu's power-management case: empty an under-used host only when the energy saved by switching it off
 * over a stated horizon exceeds the predicted energy of migrating its VMs away (break-even per host). Pure.
 */
import { simulate } from '../model/precopy.js';
import type { Cluster, Host } from './cluster.js';
import { isHot } from './planner.js';

export interface ConsolidationDecision {
  host: string;
  /** Moves that would empty it. */
  moves: { vm: string; to: string; energyJoules: number; transferredBytes: number }[];
  migrationEnergyJoules: number;
  /** Idle power x horizon: what switching the host off saves. */
  savedJoules: number;
  switchOff: boolean;
  why: string;
}

/**
 * Considers hosts whose CPU use is under `underThreshold` of capacity, emptiest first; each accepted host's
 * VMs are placed (first fit by memory, never making a host hot) before the next host is considered.
 */
export function planConsolidation(c: Cluster, opts: { horizonSec: number; underThreshold?: number; downtimeLimitSec?: number }): ConsolidationDecision[] {
  if (!(opts.horizonSec > 0)) throw new RangeError('planConsolidation: horizonSec must be > 0');
  const under = opts.underThreshold ?? 0.3;
  const load = new Map(c.hosts.map((h) => [h.id, { cpu: 0, mem: 0, vms: [] as typeof c.vms }]));
  for (const v of c.vms) {
    const l = load.get(v.host)!;
    l.cpu += v.cpu;
    l.mem += v.memoryBytes;
    l.vms.push(v);
  }
  const off = new Set<string>();
  const candidates = c.hosts.filter((h) => load.get(h.id)!.vms.length > 0 && load.get(h.id)!.cpu < under * h.cpu).sort((a, b) => load.get(a.id)!.cpu / a.cpu - load.get(b.id)!.cpu / b.cpu || a.id.localeCompare(b.id));
  const out: ConsolidationDecision[] = [];
  for (const h of candidates) {
    const lh = load.get(h.id)!;
    const trial = new Map([...load].map(([k, v]) => [k, { cpu: v.cpu, mem: v.mem }]));
    const moves: ConsolidationDecision['moves'] = [];
    let placed = true;
    for (const v of [...lh.vms].sort((a, b) => b.memoryBytes - a.memoryBytes)) {
      const to = c.hosts.find((t: Host) => t.id !== h.id && !off.has(t.id) && load.get(t.id)!.vms.length > 0 && !isHot(t, { cpu: trial.get(t.id)!.cpu + v.cpu, mem: trial.get(t.id)!.mem + v.memoryBytes }));
      if (!to) {
        placed = false;
        break;
      }
      trial.get(to.id)!.cpu += v.cpu;
      trial.get(to.id)!.mem += v.memoryBytes;
      const p = simulate({ vm: { memoryBytes: v.memoryBytes, dirtyRateBytesPerSec: v.dirtyRateBytesPerSec, zeroPageFraction: v.zeroPageFraction }, bandwidthBytesPerSec: Math.min(h.bandwidthBytesPerSec, to.bandwidthBytesPerSec), policy: { name: 'qemu', downtimeLimitSec: opts.downtimeLimitSec ?? 0.3 } });
      moves.push({ vm: v.id, to: to.id, energyJoules: p.energyJoules, transferredBytes: p.transferredBytes });
    }
    const migrationEnergyJoules = moves.reduce((s, m) => s + m.energyJoules, 0);
    const savedJoules = h.idleWatts * opts.horizonSec;
    if (!placed) {
      out.push({ host: h.id, moves: [], migrationEnergyJoules: 0, savedJoules, switchOff: false, why: 'its VMs do not fit elsewhere without a hot host' });
      continue;
    }
    const switchOff = savedJoules > migrationEnergyJoules;
    out.push({ host: h.id, moves, migrationEnergyJoules, savedJoules, switchOff, why: switchOff ? `saves ${(savedJoules - migrationEnergyJoules).toFixed(0)} J over the horizon` : 'migrating costs more energy than the horizon saves' });
    if (switchOff) {
      off.add(h.id);
      for (const [k, v] of trial) {
        const l = load.get(k)!;
        l.cpu = v.cpu;
        l.mem = v.mem;
      }
      for (const m of moves) load.get(m.to)!.vms.push(lh.vms.find((v) => v.id === m.vm)!);
      lh.vms = [];
      lh.cpu = 0;
      lh.mem = 0;
    }
  }
  return out;
}
