/**
 * An index of the hosts that makes PABFD's search sub-linear in their number, with the linear scan's result
 * exactly: the qualifying host of least power increase, lowest id on ties. Pure.
 *
 * Hosts are grouped by class (same power table, MIPS, cores, RAM and bandwidth) and, within a class, by band
 * of reserved utilisation x = reserved MIPS / MIPS (NB bands of [0, 1]). A host's power increase for a VM of
 * d = MIPS / host MIPS splits into P(x + d) - P(x), whose least over the band is exact (the table is linear
 * between tenths), plus P(x) - P(u), u its utilisation at the last update: the band's least of that is kept. So each band has a lower bound; bands are visited by increasing bound and the search stops once a
 * bound exceeds the best increase found (a bound equal to it is still visited: a lower id could tie). Bands
 * that cannot hold a qualifying host (free MIPS, RAM, bandwidth, THR's threshold) are skipped whole. Empty
 * idle hosts of a class all cost the same, so only the lowest-id one is a candidate. Hosts that reserve more
 * than their allocations take from their free MIPS (a VM migrating in counts in full: the case where CloudSim
 * can stop, which the linear scan would hit on any such host) are visited always.
 * Bounds are kept loose-but-valid as hosts move (a band's least or most is tightened when it is scanned).
 * The index lives for one placement pass: built from the hosts, told of every host a move changes
 * (`update`) and of every host no longer a target (`exclude`). Each band's hosts are packed and scanned by
 * host-bucket.ts.
 */
import { specPowerWatts } from './power.js';
import { Bucket, scanBand, type Candidate, type Query } from './host-bucket.js';
import { reservedMips } from './scheduler.js';
import type { Host, HostSet, SimState, Vm } from './state.js';

/** Slack on every bound (W, and utilisation for THR's threshold): far above round-off, far below a real gap. */
const EPS = 1e-7;

/** Hosts of the same power table, MIPS, cores, RAM and bandwidth. */
interface HostClass {
  power: readonly number[];
  totalMips: number;
  coreMips: number;
  ramMb: number;
  bwKbps: number;
  /** W per unit of utilisation on each tenth of the table. */
  slopes: Float64Array;
  /** specPowerWatts' delta on each tenth: (P[i + 1] - P[i]) / 10, and the table as a typed array. */
  deltas: Float64Array;
  table: Float64Array;
  /** Hosts of the class. */
  count: number;
}

/** The hosts' classes of a run (they never change): worked out once, for every step's index. */
interface Partition {
  classes: HostClass[];
  classOf: Int32Array;
}
const partitions = new WeakMap<SimState, Partition>();

function partition(s: SimState): Partition {
  let p = partitions.get(s);
  if (p !== undefined) return p;
  const hosts = s.hosts;
  const classes: HostClass[] = [];
  const classOf = new Int32Array(hosts.length);
  const key = new Map<string, number>();
  const powerIds = new Map<readonly number[], number>();
  for (const h of hosts) {
    if (!powerIds.has(h.power)) powerIds.set(h.power, powerIds.size);
    const spec = s.cfg.hosts[h.id];
    const k = `${powerIds.get(h.power)}|${h.totalMips}|${h.coreMips}|${spec.ramMb}|${h.bwKbps}`;
    let c = key.get(k);
    if (c === undefined) {
      c = classes.length;
      key.set(k, c);
      const slopes = new Float64Array(10);
      const deltas = new Float64Array(10);
      for (let i = 0; i < 10; i++) {
        slopes[i] = (h.power[i + 1] - h.power[i]) * 10;
        deltas[i] = (h.power[i + 1] - h.power[i]) / 10;
      }
      classes.push({ power: h.power, totalMips: h.totalMips, coreMips: h.coreMips, ramMb: spec.ramMb, bwKbps: h.bwKbps, slopes, deltas, table: Float64Array.from(h.power), count: 0 });
    }
    classOf[h.id] = c;
    classes[c].count++;
  }
  p = { classes, classOf };
  partitions.set(s, p);
  return p;
}

export type { Candidate } from './host-bucket.js';

export class HostIndex {
  private readonly classes: HostClass[];
  /** Per class: the lowest id of its empty idle hosts. */
  private readonly firstEmpty: Int32Array;
  private readonly classOf: Int32Array;
  /** Bucket of each host: class * (NB + 1) + band, band NB = empty idle; the last bucket = always visited; -1 = not indexed. */
  private readonly bucketOf: Int32Array;
  private readonly posOf: Int32Array;
  private readonly buckets: Bucket[];
  private readonly minDelta: Float64Array;
  private readonly maxAvail: Float64Array;
  private readonly maxRam: Float64Array;
  private readonly maxBw: Float64Array;
  private readonly minReqU: Float64Array;
  private readonly lb: Float64Array;
  private readonly order: number[] = [];
  readonly nb: number;
  private readonly stride: number;
  private readonly always: number;
  /** THR's threshold: a host whose requested utilisation with the VM exceeds it is overloaded, whatever its history. */
  private readonly ceiling: number;
  /** THR's threshold for the band scans' own test (NaN: ask `accept`). */
  private readonly thr: number;
  /** Hosts evaluated, for the bench's counts. */
  visited = 0;
  private readonly cand: Candidate = { diff: 0, ok: false, reserved: 0 };

  constructor(
    private readonly s: SimState,
    excluded: Iterable<Host> = [],
  ) {
    const hosts = s.hosts;
    const p = partition(s);
    this.classes = p.classes;
    this.classOf = p.classOf;
    this.firstEmpty = new Int32Array(this.classes.length);
    this.bucketOf = new Int32Array(hosts.length).fill(-1);
    this.posOf = new Int32Array(hosts.length);
    let largest = 0;
    for (const c of this.classes) largest = Math.max(largest, c.count);
    // bands: a multiple of 10, so that each tenth of the power table (where increases tie) is whole bands
    this.nb = 10 * Math.max(1, Math.min(10, Math.ceil(Math.sqrt(largest) / 20)));
    this.stride = this.nb + 1;
    const n = this.classes.length * this.stride + 1;
    this.always = n - 1;
    this.buckets = Array.from({ length: n }, () => new Bucket());
    this.minDelta = new Float64Array(n).fill(Infinity);
    this.maxAvail = new Float64Array(n).fill(-Infinity);
    this.maxRam = new Float64Array(n).fill(-Infinity);
    this.maxBw = new Float64Array(n).fill(-Infinity);
    this.minReqU = new Float64Array(n).fill(Infinity);
    this.lb = new Float64Array(n);
    const cfg = s.cfg;
    this.ceiling = cfg.detector === 'thr' ? cfg.detectorParam : Infinity;
    this.thr = cfg.detector === 'thr' ? cfg.detectorParam : NaN;
    const skip = new Uint8Array(hosts.length);
    for (const h of excluded) skip[h.id] = 1;
    for (const h of hosts) if (skip[h.id] === 0) this.insert(h);
  }

  /** The host is no target any more in this pass. */
  exclude(h: Host): void {
    if (this.bucketOf[h.id] >= 0) this.remove(h);
  }
  excludeId(id: number): void {
    if (this.bucketOf[id] >= 0) this.remove(this.s.hosts[id]);
  }

  /** The host's VMs or reservations changed: re-file it (unless excluded). */
  update(h: Host): void {
    if (this.bucketOf[h.id] < 0) return;
    this.remove(h);
    this.insert(h);
  }

  private isEmptyIdle(h: Host, c: HostClass): boolean {
    return h.vms.length === 0 && h.usedMips === 0 && h.available === h.totalMips && h.migratingIn.size === 0 && h.ramFreeMb === c.ramMb && h.bwFreeKbps === c.bwKbps;
  }

  private insert(h: Host): void {
    const ci = this.classOf[h.id];
    const c = this.classes[ci];
    const base = ci * this.stride;
    let b: number;
    let resv = 0;
    let pu = 0;
    let req = 0;
    if (this.isEmptyIdle(h, c)) {
      b = base + this.nb;
      if (this.buckets[b].n === 0 || h.id < this.firstEmpty[ci]) this.firstEmpty[ci] = h.id;
    } else {
      const u = h.utilisation();
      const reserved = reservedMips(h);
      const x = reserved / h.totalMips;
      // reserving more than its allocations take from its free MIPS (a VM migrating in, counted in full): a
      // VM that fits the free MIPS may still overrun the host, CloudSim's fatal case, so always visited
      if (reserved > h.totalMips - h.available + 1e-10 * h.totalMips || !(u >= 0 && u <= 1) || !(x >= 0) || x > 1 + 1e-9) b = this.always;
      else {
        const xc = x > 1 ? 1 : x;
        b = base + Math.min(this.nb - 1, Math.floor(xc * this.nb));
        resv = reserved;
        pu = specPowerWatts(h.power, u);
        const delta = specPowerWatts(h.power, xc) - pu;
        if (delta < this.minDelta[b]) this.minDelta[b] = delta;
      }
      for (const v of h.vms) req += v.request();
      const reqU = reserved === 0 ? -Infinity : req / h.totalMips;
      if (reqU < this.minReqU[b]) this.minReqU[b] = reqU;
    }
    if (h.available > this.maxAvail[b]) this.maxAvail[b] = h.available;
    if (h.ramFreeMb > this.maxRam[b]) this.maxRam[b] = h.ramFreeMb;
    if (h.bwFreeKbps > this.maxBw[b]) this.maxBw[b] = h.bwFreeKbps;
    this.bucketOf[h.id] = b;
    this.posOf[h.id] = this.buckets[b].push(h.id, resv, pu, h.available, req);
  }

  private remove(h: Host): void {
    const b = this.bucketOf[h.id];
    const bucket = this.buckets[b];
    const moved = bucket.removeAt(this.posOf[h.id]);
    if (moved >= 0) this.posOf[moved] = this.posOf[h.id];
    this.bucketOf[h.id] = -1;
    const ci = this.classOf[h.id];
    if (b === ci * this.stride + this.nb && bucket.n > 0 && h.id === this.firstEmpty[ci]) {
      let m = bucket.ids[0];
      for (let k = 1; k < bucket.n; k++) if (bucket.ids[k] < m) m = bucket.ids[k];
      this.firstEmpty[ci] = m;
    }
    if (bucket.n === 0) this.resetBounds(b);
  }

  private resetBounds(b: number): void {
    this.minDelta[b] = Infinity;
    this.maxAvail[b] = -Infinity;
    this.maxRam[b] = -Infinity;
    this.maxBw[b] = -Infinity;
    this.minReqU[b] = Infinity;
  }

  /** Class c's table linearly interpolated at u in [0, 1] (CloudSim's arithmetic differs by round-off only). */
  private static watts(c: HostClass, u: number): number {
    const i = u >= 1 ? 9 : Math.floor(u * 10);
    return c.power[i] + (c.slopes[i] / 10) * (u * 10 - i);
  }

  /** g(x) = P(min(x + d, 1)) - P(x): the increase from reserved utilisation x by d. */
  private static rise(c: HostClass, x: number, d: number): number {
    return HostIndex.watts(c, Math.min(1, x + d)) - HostIndex.watts(c, x);
  }

  /**
   * The least of g over [x0, x1]: g is linear between the tenths and the tenths less d, so its least is at
   * an end or one of those points (a band narrower than a tenth holds at most one of each inside it).
   */
  private static minRise(c: HostClass, x0: number, x1: number, d: number): number {
    let m = Math.min(HostIndex.rise(c, x0, d), HostIndex.rise(c, x1, d));
    const t = Math.ceil(x0 * 10) / 10;
    if (t > x0 && t < x1) m = Math.min(m, HostIndex.rise(c, t, d));
    const k = Math.ceil((x0 + d) * 10);
    for (let j = k; j <= k + 1 && j <= 10; j++) {
      const a = j / 10 - d;
      if (a > x0 && a < x1) m = Math.min(m, HostIndex.rise(c, a, d));
    }
    return m;
  }

  /** Lower bound of the power increase of any host of bucket b for a VM asking r MIPS, or +Infinity when none can qualify. */
  private bound(b: number, r: number, vm: Vm, creating: boolean): number {
    if (this.buckets[b].n === 0 || !(this.maxAvail[b] >= r)) return Infinity;
    if (creating && (this.maxRam[b] < vm.ramMb || this.maxBw[b] < vm.bwKbps)) return Infinity;
    if (b === this.always) return -Infinity;
    const ci = Math.floor(b / this.stride);
    const c = this.classes[ci];
    if (c.coreMips < r) return Infinity;
    const band = b - ci * this.stride;
    const d = r / c.totalMips;
    if (band === this.nb) return specPowerWatts(c.power, Math.min(1, d)) - c.power[0] - EPS;
    if (this.minReqU[b] + d > this.ceiling + 1e-9) return Infinity;
    const x0 = band / this.nb;
    const x1 = band === this.nb - 1 ? 1 : (band + 1) / this.nb;
    return HostIndex.minRise(c, x0, x1, d) + this.minDelta[b] - EPS;
  }

  /**
   * The host `findHost` would return (the same one), given `evaluate` (the linear scan's test of one host)
   * and `accept` (its detector test, called only on a host that would win).
   */
  search(vm: Vm, r: number, excluded: HostSet | null, creating: boolean, evaluate: (h: Host, out: Candidate) => void, accept: (h: Host, reserved: number) => boolean): Host | null {
    const n = this.buckets.length;
    const lb = this.lb;
    let first = -1;
    for (let b = 0; b < n; b++) {
      lb[b] = this.bound(b, r, vm, creating);
      if (lb[b] !== Infinity && (first < 0 || lb[b] < lb[first])) first = b;
    }
    if (first < 0) return null;
    const q: Query = { vm, r, excluded, creating, evaluate, accept, best: -1, bestDiff: Number.MAX_VALUE, thr: this.thr };
    this.scan(first, q);
    const order = this.order;
    order.length = 0;
    for (let b = 0; b < n; b++) if (b !== first && lb[b] <= q.bestDiff) order.push(b);
    order.sort((a, z) => lb[a] - lb[z] || a - z);
    for (const b of order) {
      if (lb[b] > q.bestDiff) break;
      this.scan(b, q);
    }
    return q.best < 0 ? null : this.s.hosts[q.best];
  }

  private scan(b: number, q: Query): void {
    const ci = Math.floor(b / this.stride);
    const band = b === this.always ? -1 : b - ci * this.stride;
    if (band >= 0 && band < this.nb) {
      if (q.creating) this.scanBandCreating(b, this.classes[ci], q);
      else {
        this.visited += this.buckets[b].n;
        this.maxAvail[b] = scanBand(this.buckets[b], this.classes[ci], q, this.s.hosts, this.cand);
      }
      return;
    }
    // the empty idle hosts' candidate; the always-visited hosts in id order (the linear scan stops at the first that overruns)
    const bucket = this.buckets[b];
    const list = band === this.nb ? [this.firstEmpty[ci]] : Array.from(bucket.ids.subarray(0, bucket.n)).sort((x, y) => x - y);
    const cand = this.cand;
    for (const id of list) {
      const h = this.s.hosts[id];
      this.visited++;
      q.evaluate(h, cand);
      if (!cand.ok) continue;
      if (!(cand.diff < q.bestDiff || (cand.diff === q.bestDiff && q.best >= 0 && id < q.best))) continue;
      if (!q.accept(h, cand.reserved)) continue;
      q.bestDiff = cand.diff;
      q.best = id;
    }
  }

  /** A band's hosts at creation (t = 0): RAM and bandwidth checked too, from the hosts themselves. */
  private scanBandCreating(b: number, c: HostClass, q: Query): void {
    const bucket = this.buckets[b];
    const hosts = this.s.hosts;
    const { vm, r } = q;
    let avail = -Infinity;
    let ram = -Infinity;
    let bw = -Infinity;
    for (let k = 0; k < bucket.n; k++) {
      const id = bucket.ids[k];
      const h = hosts[id];
      const free = bucket.avail[k];
      if (free > avail) avail = free;
      if (h.ramFreeMb > ram) ram = h.ramFreeMb;
      if (h.bwFreeKbps > bw) bw = h.bwFreeKbps;
      this.visited++;
      if (h.ramFreeMb < vm.ramMb || h.bwFreeKbps < vm.bwKbps) continue;
      if (!(free >= r) || (q.excluded !== null && q.excluded.has(h))) continue;
      const reserved = bucket.resv[k];
      const after = (reserved + r) / c.totalMips;
      let diff: number;
      if (after > 1 + 1e-9) {
        q.evaluate(h, this.cand);
        if (!this.cand.ok) continue;
        diff = this.cand.diff;
      } else diff = after > 1 ? specPowerWatts(c.power, 1) - bucket.pu[k] : specPowerWatts(c.power, after) - bucket.pu[k];
      if (!(diff < q.bestDiff || (diff === q.bestDiff && id < q.best))) continue;
      if (!q.accept(h, reserved)) continue;
      q.bestDiff = diff;
      q.best = id;
    }
    this.maxAvail[b] = avail;
    this.maxRam[b] = ram;
    this.maxBw[b] = bw;
  }
}
