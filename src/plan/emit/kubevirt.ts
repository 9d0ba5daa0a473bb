/**
 * Actions as KubeVirt objects: one `VirtualMachineInstanceMigration` (kubevirt.io/v1) per move, its
 * destination node pinned with `spec.addedNodeSelector` (`kubernetes.io/hostname`), and one cluster-scoped
 * `MigrationPolicy` (migrations.kubevirt.io/v1alpha1) per distinct set of settings that differ from the
 * cluster's defaults, selecting its VMIs by the label `migcost.io/migration-policy` (which the VMI must carry
 * when the migration starts). Fields as in kubevirt.io/api core/v1 (VirtualMachineInstanceMigrationSpec,
 * VMMigrationConfiguration) and migrations/v1alpha1 (MigrationPolicySpec, Selectors). KubeVirt has no
 * downtime setting: libvirt's default (300 ms) applies. Pure.
 */
import { InputError } from '../../units.js';
import { timeoutPerGiB, wholeMiBPerSec, type MigrationAction } from './actions.js';

/** KubeVirt's cluster defaults (pkg/virt-config/virt-config.go): unlimited bandwidth, 150 s per GiB. */
export const KUBEVIRT_DEFAULTS = { bandwidthPerMigration: '0Mi', completionTimeoutPerGiB: 150, allowAutoConverge: false, allowPostCopy: false, allowWorkloadDisruption: false } as const;

/** The downtime limit KubeVirt's migrations run with (libvirt's and QEMU's default, not configurable). */
export const KUBEVIRT_DOWNTIME_SEC = 0.3;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const POLICY_LABEL = 'migcost.io/migration-policy';

export interface PolicySettings {
  bandwidthPerMigration?: string;
  completionTimeoutPerGiB?: number;
  allowAutoConverge?: boolean;
  allowPostCopy?: boolean;
  allowWorkloadDisruption?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface KubevirtMove {
  action: MigrationAction;
  migration: KubeObject;
  /** The policy's name when the move's settings differ from the defaults. */
  policy?: string;
}

/** The settings one move was priced with, where they differ from KubeVirt's defaults. */
export function policySettings(a: MigrationAction): PolicySettings {
  const all: Required<PolicySettings> = {
    bandwidthPerMigration: `${wholeMiBPerSec(a.bandwidthBytesPerSec)}Mi`,
    completionTimeoutPerGiB: timeoutPerGiB(a),
    allowAutoConverge: a.technique.autoConverge,
    allowPostCopy: a.technique.postcopy,
    // the model forces the switch-over at the time-out (paused guest, or post-copy if allowed): not a cancel
    allowWorkloadDisruption: true,
  };
  const out: PolicySettings = {};
  for (const k of Object.keys(all) as (keyof PolicySettings)[]) if (all[k] !== KUBEVIRT_DEFAULTS[k]) (out as Record<string, unknown>)[k] = all[k];
  return out;
}

/** A DNS-1123 label from any name: lower case, [a-z0-9-], at most `max` characters, alphanumeric at both ends. */
export function dnsLabel(s: string, max = 63): string {
  const t = s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, max).replace(/-+$/, '');
  return t === '' ? 'vm' : t;
}

export function kubevirtObjects(actions: readonly MigrationAction[]): { policies: KubeObject[]; moves: KubevirtMove[] } {
  const policies: KubeObject[] = [];
  const byKey = new Map<string, string>();
  const moves = actions.map((a, i): KubevirtMove => {
    if (!DNS_SUBDOMAIN.test(a.names.vmi) || a.names.vmi.length > 253) throw new InputError('vmi', a.names.vmi, `must be a KubeVirt VMI name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'); set "vmi" on VM ${JSON.stringify(a.vm)} in the cluster file`);
    if (!DNS_LABEL.test(a.names.namespace) || a.names.namespace.length > 63) throw new InputError('namespace', a.names.namespace, `must be a Kubernetes namespace (a DNS-1123 label); set "namespace" on VM ${JSON.stringify(a.vm)} in the cluster file`);
    const settings = policySettings(a);
    let policy: string | undefined;
    if (Object.keys(settings).length > 0) {
      const key = JSON.stringify(settings);
      policy = byKey.get(key);
      if (policy === undefined) {
        policy = `migcost-policy-${byKey.size + 1}`;
        byKey.set(key, policy);
        policies.push({ apiVersion: 'migrations.kubevirt.io/v1alpha1', kind: 'MigrationPolicy', metadata: { name: policy }, spec: { ...settings, selectors: { virtualMachineInstanceSelector: { [POLICY_LABEL]: policy } } } });
      }
    }
    const migration: KubeObject = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstanceMigration',
      metadata: { name: `migcost-${i + 1}-${dnsLabel(a.names.vmi, 40)}`, namespace: a.names.namespace },
      spec: { vmiName: a.names.vmi, addedNodeSelector: { 'kubernetes.io/hostname': a.destination.node } },
    };
    return { action: a, migration, policy };
  });
  return { policies, moves };
}

/**
 * What the advised technique asks that a KubeVirt MigrationPolicy cannot set, or how KubeVirt reaches it (comment
 * lines). Post-copy: KubeVirt starts in pre-copy and switches when completionTimeoutPerGiB triggers, which the
 * policy sets to the predicted switch. XBZRLE: virt-launcher never asks libvirt for compression. multifd: no policy
 * field sets channels or compression; KubeVirt's virt-handler turns multifd on with its own thread count when the
 * VMI has no CPU limit and post-copy is not allowed.
 */
export function kubevirtNotes(a: MigrationAction): string[] {
  const t = a.technique.advised?.options;
  if (!t) return [];
  if (t.name === 'postcopy') return [`KubeVirt switches to post-copy when completionTimeoutPerGiB triggers: set to ${timeoutPerGiB(a)} s/GiB, the switch after ${Math.round(a.completionTimeoutSec)} s`];
  if (t.name === 'xbzrle') return ['KubeVirt cannot set XBZRLE (no MigrationPolicy field; virt-launcher never asks libvirt for compression): this runs as its pre-copy'];
  if (t.name === 'multifd' || t.name === 'compress') {
    const method = t.name === 'compress' ? 'zlib' : (t.multifdCompression ?? 'none');
    return [`KubeVirt cannot set multifd channels${method !== 'none' ? ` or ${method} compression` : ''} (no MigrationPolicy field): its virt-handler uses multifd with its own thread count when the VMI has no CPU limit and post-copy is not allowed`];
  }
  if (t.name === 'dirty-limit') return ['KubeVirt cannot set dirty-limit (no MigrationPolicy field): this runs as its pre-copy'];
  return [];
}
