/**
 * The host index's buckets and the scan of a band of hosts (host-index.ts): the hot loop of PABFD at scale.
 * Pure.
 */
import { specPowerWatts } from './power.js';
import type { Host, HostSet, Vm } from './state.js';

/** What PABFD needs to know to evaluate one host for one VM; shared by the linear scan and the index. */
export interface Candidate {
  diff: number;
  /** Did the host pass every filter (the detector left to the caller)? */
  ok: boolean;
  reserved: number;
}

/** One search's request and its best host so far (id, -1 for none). */
export interface Query {
  vm: Vm;
  r: number;
  excluded: HostSet | null;
  creating: boolean;
  evaluate: (h: Host, out: Candidate) => void;
  accept: (h: Host, reserved: number) => boolean;
  best: number;
  bestDiff: number;
  /**
   * THR's threshold, NaN for the other detectors: a host with the VM added is then overloaded when (its VMs'
   * requested MIPS + the VM's) / MIPS exceeds it, which a band's scan tests itself instead of calling `accept`.
   */
  thr: number;
}

/** What a band's scan reads of its hosts' class. */
export interface BandClass {
  totalMips: number;
  power: readonly number[];
  table: Float64Array;
  deltas: Float64Array;
}

/**
 * One bucket's hosts, packed for the scans (which read them in sequence): id, and for a band's hosts the
 * reserved MIPS, the power at the utilisation of the last update and the free MIPS, as of their filing.
 * Unordered (a host leaves by swapping in the last one): ties are settled by id.
 */
export class Bucket {
  n = 0;
  /** Least and most reserved MIPS filed since the bucket was last empty (bounds, not shrunk on removal). */
  minResv = Infinity;
  maxResv = -Infinity;
  ids = new Int32Array(8);
  resv = new Float64Array(8);
  pu = new Float64Array(8);
  avail = new Float64Array(8);
  /** Requested MIPS of the host's VMs, summed in their order (THR's test, as isOverloaded sums them). */
  req = new Float64Array(8);

  push(id: number, resv: number, pu: number, avail: number, req: number): number {
    if (this.n === this.ids.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(2 * a.length);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids);
      this.resv = grow(this.resv);
      this.pu = grow(this.pu);
      this.avail = grow(this.avail);
      this.req = grow(this.req);
    }
    const k = this.n++;
    if (resv < this.minResv) this.minResv = resv;
    if (resv > this.maxResv) this.maxResv = resv;
    this.ids[k] = id;
    this.resv[k] = resv;
    this.pu[k] = pu;
    this.avail[k] = avail;
    this.req[k] = req;
    return k;
  }

  /** Removes entry k by moving the last entry there; returns the id moved (or -1). */
  removeAt(k: number): number {
    const last = --this.n;
    if (last === 0) {
      this.minResv = Infinity;
      this.maxResv = -Infinity;
    }
    if (k === last) return -1;
    this.ids[k] = this.ids[last];
    this.resv[k] = this.resv[last];
    this.pu[k] = this.pu[last];
    this.avail[k] = this.avail[last];
    this.req[k] = this.req[last];
    return this.ids[k];
  }
}


/**
 * PABFD over a band's hosts, in a tight loop over the packed bucket: evaluateHost's arithmetic on the filed
 * reserved MIPS, power now and free MIPS, with specPowerWatts' own operations inlined (so the same values),
 * the best host (least increase, lowest id on ties, the detector's `accept`) updated in `q`. Returns the most
 * free MIPS in the band (its bound for the next searches).
 * When every host's utilisation with the VM, (reserved + r) / MIPS, falls inside one tenth of the power table
 * (from the band's least and most reserved MIPS: the division is monotonic), clear of its ends, specPowerWatts
 * takes the same branch and the same table entries for all of them, and the loop is a few operations a host.
 */
export function scanBand(bucket: Bucket, c: BandClass, q: Query, hosts: readonly Host[], cand: Candidate): number {
  const n = bucket.n;
  const ids = bucket.ids;
  const resv = bucket.resv;
  const pu = bucket.pu;
  const avail = bucket.avail;
  const flags = q.excluded === null ? null : q.excluded.flags;
  const r = q.r;
  const total = c.totalMips;
  const table = c.table;
  const deltas = c.deltas;
  const reqs = bucket.req;
  const thr = q.thr;
  let maxFree = -Infinity;
  const tLo = ((bucket.minResv + r) / total) * 10;
  const tHi = ((bucket.maxResv + r) / total) * 10;
  const tenth = Math.floor(tLo);
  if (tenth === Math.floor(tHi) && tenth >= 0 && tHi < 10 && tLo - tenth > 1e-8 && tenth + 1 - tHi > 1e-8) {
    const p1 = table[tenth];
    const delta = deltas[tenth];
    const base = tenth / 10;
    for (let k = 0; k < n; k++) {
      const free = avail[k];
      if (free > maxFree) maxFree = free;
      if (!(free >= r)) continue;
      const diff = p1 + delta * ((resv[k] + r) / total - base) * 100 - pu[k];
      if (!(diff <= q.bestDiff)) continue;
      const id = ids[k];
      if (flags !== null && flags[id] === 1) continue;
      if (!(diff < q.bestDiff || id < q.best)) continue;
      if (thr === thr ? resv[k] !== 0 && (reqs[k] + r) / total > thr : !q.accept(hosts[id], resv[k])) continue;
      q.bestDiff = diff;
      q.best = id;
    }
    return maxFree;
  }
  if (tenth >= 0 && tHi < 10 && Math.floor(tHi) === tenth + 1) {
    // the band straddles a tenth: each host's tenth from t = after x 10 (specPowerWatts' own t), clear of its ends
    const p1 = table[tenth];
    const delta1 = deltas[tenth];
    const base1 = tenth / 10;
    const p2 = table[tenth + 1];
    const delta2 = deltas[tenth + 1];
    const base2 = (tenth + 1) / 10;
    const lo1 = tenth + 1e-8;
    const mid = tenth + 1;
    const hi2 = tenth + 2 - 1e-8;
    for (let k = 0; k < n; k++) {
      const free = avail[k];
      if (free > maxFree) maxFree = free;
      if (!(free >= r)) continue;
      const after = (resv[k] + r) / total;
      const t = after * 10;
      let diff: number;
      if (t > lo1 && t < mid - 1e-8) diff = p1 + delta1 * (after - base1) * 100 - pu[k];
      else if (t > mid + 1e-8 && t < hi2) diff = p2 + delta2 * (after - base2) * 100 - pu[k];
      else diff = specPowerWatts(c.power, after) - pu[k];
      if (!(diff <= q.bestDiff)) continue;
      const id = ids[k];
      if (flags !== null && flags[id] === 1) continue;
      if (!(diff < q.bestDiff || id < q.best)) continue;
      if (thr === thr ? resv[k] !== 0 && (reqs[k] + r) / total > thr : !q.accept(hosts[id], resv[k])) continue;
      q.bestDiff = diff;
      q.best = id;
    }
    return maxFree;
  }
  for (let k = 0; k < n; k++) {
    const free = avail[k];
    if (free > maxFree) maxFree = free;
    if (!(free >= r)) continue;
    const id = ids[k];
    if (flags !== null && flags[id] === 1) continue;
    const after = (resv[k] + r) / total;
    let diff: number;
    if (after > 1) {
      if (after > 1 + 1e-9) {
        // cannot happen for a banded host (filed as reserving no more than its allocations take); the full test
        q.evaluate(hosts[id], cand);
        if (!cand.ok) continue;
        diff = cand.diff;
      } else diff = specPowerWatts(c.power, 1) - pu[k];
    } else {
      const t = after * 10;
      if (Math.abs(t - Math.round(t)) < 1e-9) diff = specPowerWatts(c.power, after) - pu[k];
      else {
        const u1 = Math.floor(t);
        diff = table[u1] + deltas[u1] * (after - u1 / 10) * 100 - pu[k];
      }
    }
    if (!(diff < q.bestDiff || (diff === q.bestDiff && id < q.best))) continue;
    if (!q.accept(hosts[id], resv[k])) continue;
    q.bestDiff = diff;
    q.best = id;
  }
  return maxFree;
}
