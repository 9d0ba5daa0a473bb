/** `plan --emit`: the plan's moves as commands or manifests, to stdout or `--emit-output FILE`. */
import { writeFileSync } from 'node:fs';
import { Option } from 'commander';
import { InputError } from '../../../units.js';
import type { Cluster } from '../../../plan/cluster.js';
import type { Plan } from '../../../plan/planner.js';
import type { ConsolidationDecision } from '../../../plan/consolidate.js';
import { actionsFromPlan, parseNames } from '../../../plan/emit/actions.js';
import { EMIT_KINDS, renderEmit, type EmitKind } from '../../render/emit.js';

export interface EmitFlags {
  emit?: EmitKind;
  emitOutput?: string;
  downtimeLimit: number;
}

export const emitOption = (): Option =>
  new Option('--emit <kind>', 'write the moves (consolidation moves too) as virsh or openstack commands, or KubeVirt manifests, each with the settings it was priced with (docs/planning.md)').argParser((v: string): EmitKind => {
    if (!(EMIT_KINDS as readonly string[]).includes(v)) throw new InputError('--emit', v, `must be one of ${EMIT_KINDS.join(', ')}`);
    return v as EmitKind;
  });
export const emitOutputOption = (): Option => new Option('--emit-output <file>', 'with --emit: write there instead of standard output (the usual table or JSON then still prints)');

/**
 * Writes the emitted actions when `--emit` was given. Returns true when they went to standard output (the
 * command then prints nothing else).
 */
export function emitPlan(o: EmitFlags, doc: unknown, cluster: Cluster, plan: Plan, consolidation: readonly ConsolidationDecision[] | undefined): boolean {
  if (o.emit === undefined) {
    if (o.emitOutput !== undefined) throw new InputError('--emit-output', o.emitOutput, 'needs --emit virsh|openstack|kubevirt');
    return false;
  }
  const text = renderEmit(o.emit, actionsFromPlan(cluster, parseNames(doc), plan, consolidation, { downtimeLimitSec: o.downtimeLimit, consolidationDowntimeLimitSec: o.downtimeLimit }));
  if (o.emitOutput === undefined) {
    process.stdout.write(text);
    return true;
  }
  writeFileSync(o.emitOutput, text, { mode: o.emit === 'kubevirt' ? 0o644 : 0o755 });
  return false;
}
