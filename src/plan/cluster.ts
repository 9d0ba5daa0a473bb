/**
 * Cluster state for the planner: hosts and the VMs on them, parsed from loosely typed JSON with human units,
 * checked (unknown host ids, duplicate ids, a VM bigger than every host) with errors that name the field.
 * Pure: no I/O.
 */
import { InputError, LIMITS, inRange, parseRate, parseSize, parseFraction, parseNumber } from '../units.js';
import { parseCurve, parseSample } from '../input.js';
import type { CurvePoint } from '../model/types.js';
import type { VmSample } from '../model/sample.js';

export interface Host {
  id: string;
  cpu: number;
  memoryBytes: number;
  bandwidthBytesPerSec: number;
  /** Power at idle and at full load (W), for consolidation. Defaults 100 / 200. */
  idleWatts: number;
  maxWatts: number;
  /** CPU utilisation history (fractions, oldest first) for the statistical overload detectors. */
  utilisationHistory?: number[];
}

export interface Vm {
  id: string;
  host: string;
  cpu: number;
  memoryBytes: number;
  dirtyRateBytesPerSec: number;
  zeroPageFraction?: number;
  curve?: CurvePoint[];
  cpuUtilisation?: number;
  /**
   * The VM as sampled (the JSON of `migcost sample`): when present, its moves are priced from it exactly as
   * `predict --vm` prices it (`inputFromSample`, the default model), and its memory, dirty rate, curve, zero
   * pages and vCPU load are the sample's.
   */
  sample?: VmSample;
}

export interface Cluster {
  hosts: Host[];
  vms: Vm[];
}

function str(field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new InputError(field, v, 'must be a non-empty string');
  return v;
}

function positive(field: string, v: unknown): number {
  const n = parseNumber(field, v);
  if (!(n > 0)) throw new InputError(field, v, 'must be greater than 0');
  return inRange(field, v, n, 0, MAX_CPU);
}

/** CPU capacities and demands (cores or MIPS): up to 1e12, so sums over any cluster stay finite. */
const MAX_CPU = 1e12;

/**
 * Parses and checks a cluster document: `{hosts: [{id, cpu, memory, bandwidth?, idleWatts?, maxWatts?,
 * utilisationHistory?}], vms: [{id, host, cpu, memory, dirtyRate?, zeroPageFraction?, curve?, cpuUtilisation?,
 * sample?}]}`. A VM's `sample` is the JSON of `migcost sample --json` (checked by `parseSample`); it stands in
 * for the VM's memory, dirty rate, curve, zero pages and vCPU load (`memory` may then be left out).
 */
export function parseCluster(doc: unknown): Cluster {
  if (typeof doc !== 'object' || doc === null) throw new InputError('cluster', doc, 'must be a JSON object with hosts and vms');
  const d = doc as Record<string, unknown>;
  if (!Array.isArray(d.hosts) || d.hosts.length === 0) throw new InputError('hosts', d.hosts, 'must be a non-empty array');
  if (!Array.isArray(d.vms)) throw new InputError('vms', d.vms, 'must be an array');
  const hosts: Host[] = d.hosts.map((h: unknown, i: number) => {
    if (typeof h !== 'object' || h === null) throw new InputError(`hosts[${i}]`, h, 'must be an object');
    const o = h as Record<string, unknown>;
    const host: Host = {
      id: str(`hosts[${i}].id`, o.id),
      cpu: positive(`hosts[${i}].cpu`, o.cpu),
      memoryBytes: parseSize(`hosts[${i}].memory`, o.memory),
      bandwidthBytesPerSec: parseRate(`hosts[${i}].bandwidth`, o.bandwidth ?? '10Gbit/s'),
      idleWatts: o.idleWatts === undefined ? 100 : parseNumber(`hosts[${i}].idleWatts`, o.idleWatts, { min: 0, max: 1e9 }),
      maxWatts: o.maxWatts === undefined ? 200 : parseNumber(`hosts[${i}].maxWatts`, o.maxWatts, { min: 0, max: 1e9 }),
    };
    if (o.utilisationHistory !== undefined) {
      if (!Array.isArray(o.utilisationHistory)) throw new InputError(`hosts[${i}].utilisationHistory`, o.utilisationHistory, 'must be an array of fractions');
      host.utilisationHistory = o.utilisationHistory.map((x, j) => parseNumber(`hosts[${i}].utilisationHistory[${j}]`, x, { min: 0, max: 1e6 }));
    }
    if (!(host.memoryBytes > 0)) throw new InputError(`hosts[${i}].memory`, o.memory, 'must be greater than 0');
    if (!(host.bandwidthBytesPerSec > 0)) throw new InputError(`hosts[${i}].bandwidth`, o.bandwidth, 'must be greater than 0');
    inRange(`hosts[${i}].memory`, o.memory, host.memoryBytes, 0, LIMITS.maxBytes, ' B');
    inRange(`hosts[${i}].bandwidth`, o.bandwidth, host.bandwidthBytesPerSec, LIMITS.minRateBytesPerSec, LIMITS.maxRateBytesPerSec, ' B/s');
    return host;
  });
  const hostIds = new Set<string>();
  for (const [i, h] of hosts.entries()) {
    if (hostIds.has(h.id)) throw new InputError(`hosts[${i}].id`, h.id, 'is a duplicate host id');
    hostIds.add(h.id);
  }
  const vmIds = new Set<string>();
  // a loop, not Math.max(...hosts): spreading 300,000 arguments overflows the stack
  let maxHostMem = -Infinity;
  let maxHostCpu = -Infinity;
  for (const h of hosts) {
    if (h.memoryBytes > maxHostMem) maxHostMem = h.memoryBytes;
    if (h.cpu > maxHostCpu) maxHostCpu = h.cpu;
  }
  const vms: Vm[] = d.vms.map((v: unknown, i: number) => {
    if (typeof v !== 'object' || v === null) throw new InputError(`vms[${i}]`, v, 'must be an object');
    const o = v as Record<string, unknown>;
    const vm: Vm = {
      id: str(`vms[${i}].id`, o.id),
      host: str(`vms[${i}].host`, o.host),
      cpu: parseNumber(`vms[${i}].cpu`, o.cpu, { min: 0, max: MAX_CPU }),
      memoryBytes: o.memory === undefined && o.sample !== undefined ? 0 : parseSize(`vms[${i}].memory`, o.memory),
      dirtyRateBytesPerSec: parseRate(`vms[${i}].dirtyRate`, o.dirtyRate ?? 0),
    };
    if (o.sample !== undefined) Object.assign(vm, withSample(vm, parseSample(`vms[${i}].sample`, o.sample)));
    if (!(vm.memoryBytes > 0)) throw new InputError(`vms[${i}].memory`, o.memory, 'must be greater than 0');
    inRange(`vms[${i}].memory`, o.memory, vm.memoryBytes, 0, LIMITS.maxBytes, ' B');
    inRange(`vms[${i}].dirtyRate`, o.dirtyRate, vm.dirtyRateBytesPerSec, 0, LIMITS.maxRateBytesPerSec, ' B/s');
    if (vmIds.has(vm.id)) throw new InputError(`vms[${i}].id`, vm.id, 'is a duplicate VM id');
    vmIds.add(vm.id);
    if (!hostIds.has(vm.host)) throw new InputError(`vms[${i}].host`, vm.host, 'names no host in hosts');
    if (vm.memoryBytes > maxHostMem || vm.cpu > maxHostCpu) throw new InputError(`vms[${i}]`, vm.id, 'is bigger than every host (memory or cpu): no placement can hold it');
    if (o.zeroPageFraction !== undefined) vm.zeroPageFraction = parseFraction(`vms[${i}].zeroPageFraction`, o.zeroPageFraction);
    if (o.curve !== undefined) vm.curve = parseCurve(`vms[${i}].curve`, o.curve);
    if (o.cpuUtilisation !== undefined) {
      vm.cpuUtilisation = parseFraction(`vms[${i}].cpuUtilisation`, o.cpuUtilisation);
      if (!(vm.cpuUtilisation > 0)) throw new InputError(`vms[${i}].cpuUtilisation`, o.cpuUtilisation, 'must be greater than 0 (a busy share in (0, 1])');
    }
    return vm;
  });
  return { hosts, vms };
}

/**
 * A VM carrying its sample: the sample's memory, dirty rate, curve, zero pages and vCPU load (clamped to
 * [0, 1]) replace what the document said. Pure; returns a new VM.
 */
export function withSample(vm: Vm, sample: VmSample): Vm {
  const out: Vm = { ...vm, memoryBytes: sample.memoryBytes, dirtyRateBytesPerSec: sample.dirtyRateBytesPerSec, sample };
  if (sample.curve.length > 0) out.curve = sample.curve;
  if (sample.zeroPageFraction !== undefined) out.zeroPageFraction = sample.zeroPageFraction;
  if (sample.cpuUtilisation !== undefined) out.cpuUtilisation = Math.min(1, Math.max(0, sample.cpuUtilisation));
  return out;
}

/**
 * The parsed cluster with each named VM carrying its sample (`withSample`): how `plan --live` and `plan
 * --from-store` bring in what QMP or the store measured, after the document was parsed. VMs without a sample
 * keep what they had. Throws InputError when a sampled VM is bigger than every host.
 */
export function withSamples(c: Cluster, samples: ReadonlyMap<string, VmSample>): Cluster {
  let maxHostMem = -Infinity;
  for (const h of c.hosts) if (h.memoryBytes > maxHostMem) maxHostMem = h.memoryBytes;
  const vms = c.vms.map((v, i) => {
    const s = samples.get(v.id);
    if (!s) return v;
    if (s.memoryBytes > maxHostMem) throw new InputError(`vms[${i}].sample`, v.id, 'is bigger than every host (memory): no placement can hold it');
    return withSample(v, s);
  });
  return { hosts: c.hosts, vms };
}

/** The cluster after these moves (each VM on its new host). Pure; throws RangeError on an unknown VM or host. */
export function applyMoves(c: Cluster, moves: readonly { vm: string; to: string }[]): Cluster {
  const to = new Map(moves.map((m) => [m.vm, m.to]));
  const hostIds = new Set(c.hosts.map((h) => h.id));
  const vmIds = new Set(c.vms.map((v) => v.id));
  for (const [vm, h] of to) {
    if (!hostIds.has(h)) throw new RangeError(`applyMoves: ${vm} moves to unknown host ${h}`);
    if (!vmIds.has(vm)) throw new RangeError(`applyMoves: unknown VM ${vm}`);
  }
  return { hosts: c.hosts, vms: c.vms.map((v) => (to.has(v.id) ? { ...v, host: to.get(v.id)! } : v)) };
}
