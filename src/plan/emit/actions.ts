/**
 * A plan's moves as actions an operator's platform can run: each move (hot-host mitigation and consolidation
 * alike) with the settings the plan priced it with (bandwidth, downtime limit, completion timeout, technique)
 * and the names the platform knows the VM and hosts by. The emitters beside this file turn actions into
 * `virsh` / `openstack` argument arrays and KubeVirt manifests. Pure: no I/O.
 *
 * Names come from optional fields of the cluster document (defaults in brackets):
 * - hosts[i].libvirtUri [`qemu+ssh://<id>/system`]: the libvirt connection of the host (virsh `-c` on the
 *   source, `--desturi` for the destination);
 * - hosts[i].computeHost [id]: Nova's compute host name (`openstack server migrate --host`);
 * - hosts[i].node [id]: the Kubernetes node name (`kubernetes.io/hostname`) of the host;
 * - vms[i].domain [id]: libvirt domain name; vms[i].server [id]: Nova server name or ID;
 *   vms[i].vmi [id]: KubeVirt VMI name; vms[i].namespace [`default`]: its namespace.
 */
import { InputError } from '../../units.js';
import type { Cluster } from '../cluster.js';
import type { Plan } from '../planner.js';
import type { ConsolidationDecision } from '../consolidate.js';
import type { TechniqueOptions } from '../../model/types.js';
import { isAdvised, type AdvisedMove } from '../advise-moves.js';

/** Which of QEMU's techniques the move was priced with. */
export interface Technique {
  autoConverge: boolean;
  postcopy: boolean;
  /**
   * `plan --advise`: the technique advise picked for the move (its label, e.g. multifd+zstd) and its settings, which
   * each emitter sets as far as its platform can (and says in a comment what it cannot). Absent: pre-copy as priced.
   */
  advised?: { label: string; options: TechniqueOptions };
}

export interface HostNames {
  libvirtUri: string;
  computeHost: string;
  node: string;
}

export interface VmNames {
  domain: string;
  server: string;
  vmi: string;
  namespace: string;
}

export interface MigrationAction {
  vm: string;
  from: string;
  to: string;
  /** Why the plan moves it. */
  reason: 'hot-host' | 'consolidation';
  /** The bandwidth cap the move was priced at (bytes/s). */
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  /** The model's time-out: a forced switch-over (the guest paused) once pre-copy has run this long. */
  completionTimeoutSec: number;
  memoryBytes: number;
  technique: Technique;
  /** What the plan predicted for it (consolidation moves carry only the bytes). */
  predicted: { totalTimeSec?: number; downtimeSec?: number; transferredBytes: number; converged?: boolean };
  source: HostNames;
  destination: HostNames;
  names: VmNames;
}

/** The model's pre-copy time-out the planner prices every move with (src/plan/planner.ts, consolidate.ts). */
export const PLAN_TIMEOUT_SEC = 600;

export interface Names {
  hosts: Map<string, HostNames>;
  vms: Map<string, VmNames>;
}

function optionalName(field: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new InputError(field, v, 'must be a non-empty string');
  if (/[\0\n\r]/.test(v)) throw new InputError(field, v, 'must not contain NUL or line breaks');
  return v;
}

/**
 * Reads the platform names from the cluster document (already checked by `parseCluster`, so hosts and vms
 * are arrays of objects with ids). Throws InputError naming the field for a name that is not a string.
 */
export function parseNames(doc: unknown): Names {
  const d = doc as { hosts: Record<string, unknown>[]; vms: Record<string, unknown>[] };
  const hosts = new Map<string, HostNames>();
  d.hosts.forEach((h, i) => {
    const id = h.id as string;
    hosts.set(id, {
      libvirtUri: optionalName(`hosts[${i}].libvirtUri`, h.libvirtUri, `qemu+ssh://${id}/system`),
      computeHost: optionalName(`hosts[${i}].computeHost`, h.computeHost, id),
      node: optionalName(`hosts[${i}].node`, h.node, id),
    });
  });
  const vms = new Map<string, VmNames>();
  d.vms.forEach((v, i) => {
    const id = v.id as string;
    vms.set(id, {
      domain: optionalName(`vms[${i}].domain`, v.domain, id),
      server: optionalName(`vms[${i}].server`, v.server, id),
      vmi: optionalName(`vms[${i}].vmi`, v.vmi, id),
      namespace: optionalName(`vms[${i}].namespace`, v.namespace, 'default'),
    });
  });
  return { hosts, vms };
}

/**
 * Every move of the plan, then every move of the consolidation decisions that switch a host off, as actions.
 * Mitigation moves carry the plan's bandwidth and `downtimeLimitSec`; consolidation moves the bandwidth and
 * prediction consolidation priced them with (plan/pricing.ts) and `consolidationDowntimeLimitSec`
 * (`plan` passes its --downtime-limit: consolidation moves are priced with it too). A move priced with auto-converge (a throttle
 * above 0) says so.
 */
export function actionsFromPlan(c: Cluster, names: Names, plan: Plan, consolidation: readonly ConsolidationDecision[] | undefined, opts: { downtimeLimitSec: number; consolidationDowntimeLimitSec?: number }): MigrationAction[] {
  const host = new Map(c.hosts.map((h) => [h.id, h]));
  const vm = new Map(c.vms.map((v) => [v.id, v]));
  const out: MigrationAction[] = [];
  const base = (vmId: string, from: string, to: string) => ({
    vm: vmId,
    from,
    to,
    memoryBytes: vm.get(vmId)!.memoryBytes,
    completionTimeoutSec: PLAN_TIMEOUT_SEC,
    source: names.hosts.get(from)!,
    destination: names.hosts.get(to)!,
    names: names.vms.get(vmId)!,
  });
  for (const m of plan.moves) {
    const p = m.predicted;
    const advised = isAdvised(m);
    out.push({
      ...base(m.vm, m.from, m.to),
      ...(advised ? { completionTimeoutSec: advisedTimeoutSec(m) } : {}),
      reason: 'hot-host',
      bandwidthBytesPerSec: m.bandwidthBytesPerSec,
      downtimeLimitSec: opts.downtimeLimitSec,
      technique: advised ? advisedTechnique(m) : { autoConverge: p.maxThrottle > 0, postcopy: false },
      predicted: { totalTimeSec: p.totalTimeSec, downtimeSec: p.downtimeSec, transferredBytes: p.transferredBytes, converged: p.converged },
    });
  }
  for (const d of consolidation ?? []) {
    if (!d.switchOff) continue;
    for (const m of d.moves) {
      out.push({
        ...base(m.vm, d.host, m.to),
        reason: 'consolidation',
        bandwidthBytesPerSec: m.bandwidthBytesPerSec,
        downtimeLimitSec: opts.consolidationDowntimeLimitSec ?? 0.3,
        technique: { autoConverge: m.predicted.maxThrottle > 0, postcopy: false },
        predicted: { totalTimeSec: m.predicted.totalTimeSec, downtimeSec: m.predicted.downtimeSec, transferredBytes: m.predicted.transferredBytes, converged: m.predicted.converged },
      });
    }
  }
  return out;
}

/** An advised move's technique: auto-converge and post-copy as flags, and the technique with its settings. */
export function advisedTechnique(m: AdvisedMove): Technique {
  return { autoConverge: m.technique.name === 'auto-converge', postcopy: m.technique.name === 'postcopy', advised: { label: m.advised.label, options: { ...m.technique } } };
}

/**
 * An advised move's completion time-out (s). Post-copy: when it switches — after `postcopyAfterSec`, else when advise
 * predicted the switch (after its pre-copy passes) — since Nova (force_complete with post-copy permitted) and
 * KubeVirt (allowPostCopy) switch to post-copy only at their completion time-out, as virsh's --timeout-postcopy does.
 * Every other technique: the plan's time-out.
 */
export function advisedTimeoutSec(m: AdvisedMove): number {
  if (m.technique.name !== 'postcopy') return PLAN_TIMEOUT_SEC;
  const at = m.technique.postcopyAfterSec ?? m.predicted.switchoverSec;
  return at !== undefined && Number.isFinite(at) && at > 0 ? Math.min(PLAN_TIMEOUT_SEC, Math.max(1, Math.ceil(at))) : PLAN_TIMEOUT_SEC;
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** The bandwidth as the whole MiB/s libvirt, Nova and KubeVirt take (rounded down, at least 1). */
export function wholeMiBPerSec(bytesPerSec: number): number {
  return Math.max(1, Math.floor(bytesPerSec / MiB));
}

/** The downtime limit in whole milliseconds (at least 1). */
export function wholeMs(sec: number): number {
  return Math.max(1, Math.round(sec * 1000));
}

/** The time-out as seconds per GiB of memory (Nova's and KubeVirt's unit), rounded up, at least 1. */
export function timeoutPerGiB(a: MigrationAction): number {
  return Math.max(1, Math.ceil(a.completionTimeoutSec / (a.memoryBytes / GiB)));
}
