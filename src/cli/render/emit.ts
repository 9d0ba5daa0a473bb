/**
 * `plan --emit`: a plan's actions (src/plan/emit/) rendered for an operator to review and run — a POSIX shell
 * script of `virsh` or `openstack` commands (every argument shell-quoted), or multi-document YAML for KubeVirt
 * written by the tiny emitter below (block mappings and sequences; every string a JSON-quoted scalar, which
 * YAML reads as a double-quoted string). Each move carries, as comments, the bandwidth, downtime limit,
 * time-out and technique it was priced with and what the plan predicted.
 */
import { formatBytes, formatSeconds } from '../../units.js';
import { wholeMiBPerSec, wholeMs, type MigrationAction } from '../../plan/emit/actions.js';
import { virshNotes, virshSteps } from '../../plan/emit/virsh.js';
import { novaNotes, novaSnippets, openstackArgv, NOVA_DEFAULTS } from '../../plan/emit/openstack.js';
import { kubevirtNotes, kubevirtObjects, KUBEVIRT_DEFAULTS, KUBEVIRT_DOWNTIME_SEC, POLICY_LABEL } from '../../plan/emit/kubevirt.js';

export const EMIT_KINDS = ['virsh', 'openstack', 'kubevirt'] as const;
export type EmitKind = (typeof EMIT_KINDS)[number];

/** One shell word: bare when made only of safe characters, else single-quoted (a `'` becomes `'\''`). */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Text safe inside a `#` comment: control characters (a line break would end the comment) become `?`. */
function c(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '?');
}

/** An advised technique and the settings a platform could set: "multifd+zstd (4 channels)". */
function advisedText(label: string, t: NonNullable<MigrationAction['technique']['advised']>['options']): string {
  const s: string[] = [];
  if (t.postcopyAfterSec !== undefined) s.push(`switch after ${formatSeconds(t.postcopyAfterSec)}`);
  else if (t.name === 'postcopy') s.push(`switch after pre-copy pass ${t.postcopyAfterPasses ?? 1}`);
  if (t.maxPostcopyBandwidthBytesPerSec !== undefined) s.push(`post-copy at ${formatBytes(t.maxPostcopyBandwidthBytesPerSec)}/s`);
  if (t.xbzrleCacheBytes !== undefined) s.push(`cache ${formatBytes(t.xbzrleCacheBytes)}`);
  if (t.multifdChannels !== undefined) s.push(`${t.multifdChannels} channels`);
  return `advised ${label}${s.length ? ` (${s.join(', ')})` : ''}`;
}

function technique(a: MigrationAction): string {
  if (a.technique.advised) return advisedText(a.technique.advised.label, a.technique.advised.options);
  if (a.technique.postcopy) return a.technique.autoConverge ? 'post-copy after one pre-copy pass, with auto-converge' : 'post-copy after one pre-copy pass';
  return a.technique.autoConverge ? 'pre-copy with auto-converge' : 'pre-copy';
}

/** The comment lines of one move: what it is, what it was priced with, what was predicted. */
export function describe(a: MigrationAction, i: number, downtimeSec = a.downtimeLimitSec): string[] {
  const p = a.predicted;
  const why = a.reason === 'hot-host' ? `hot host ${a.from}` : `consolidation: empties ${a.from}`;
  const lines = [
    `# ${i + 1}. ${c(a.vm)}: ${c(a.from)} -> ${c(a.to)} (${c(why)})`,
    `#    priced with: ${technique(a)}, bandwidth ${formatBytes(a.bandwidthBytesPerSec)}/s (cap ${wholeMiBPerSec(a.bandwidthBytesPerSec)} MiB/s), downtime limit ${wholeMs(downtimeSec)} ms, forced switch-over after ${Math.round(a.completionTimeoutSec)} s`,
  ];
  const parts = [p.totalTimeSec !== undefined ? formatSeconds(p.totalTimeSec) : undefined, p.downtimeSec !== undefined ? `${formatSeconds(p.downtimeSec)} downtime` : undefined, `${formatBytes(p.transferredBytes)} sent`, p.converged === undefined ? undefined : p.converged ? 'converges' : 'does NOT converge before the time-out (the plan proposes post-copy)'];
  lines.push(`#    predicted: ${parts.filter((x) => x !== undefined).join(', ')}`);
  return lines;
}

function header(kind: string, n: number): string[] {
  return [`# migcost plan --emit ${kind}: ${n} move${n === 1 ? '' : 's'}, in the plan's order (mitigation, then consolidation).`, '# Review before running. Each move is priced as the plan priced it; see docs/planning.md "Plans as actions".'];
}

export function renderVirsh(actions: readonly MigrationAction[]): string {
  const out = ['#!/bin/sh', ...header('virsh', actions.length), '# The downtime limit is set on the source domain first; it applies to its next migration.', 'set -eu', ''];
  actions.forEach((a, i) => {
    out.push(...describe(a, i), ...virshNotes(a).map((n) => `#    ${c(n)}`));
    for (const s of virshSteps(a)) out.push(shellLine(s.argv));
    out.push('');
  });
  return `${out.join('\n')}`;
}

export function renderOpenstack(actions: readonly MigrationAction[]): string {
  const out = ['#!/bin/sh', ...header('openstack', actions.length), '# Nova takes bandwidth, downtime and time-out from each source compute host\'s nova.conf, not from the API.', '# The openstack CLI sets only the destination host. The technique comes from nova.conf too: auto-converge and post-copy are permissions there (and Nova 2026.1+ has live_migration_parallel_connections for multifd); XBZRLE, compression and dirty-limit cannot be set through Nova.', 'set -eu', ''];
  for (const s of novaSnippets(actions)) {
    const keys = Object.keys(s.settings) as (keyof typeof NOVA_DEFAULTS)[];
    if (keys.length === 0) {
      out.push(`# nova.conf on ${c(s.computeHost)}: Nova's defaults match the plan.`);
      continue;
    }
    out.push(`# nova.conf on compute host ${c(s.computeHost)}, where the plan differs from Nova's defaults (restart nova-compute after editing):`, '# [libvirt]');
    for (const k of keys) out.push(`# ${k} = ${String(s.settings[k])}    (default ${String(NOVA_DEFAULTS[k])})`);
    if (s.differing.length > 0) out.push(`# (moves leaving ${c(s.computeHost)} differ in ${s.differing.join(', ')}: the lowest is given)`);
    out.push('# (Nova raises the downtime to live_migration_downtime in live_migration_downtime_steps steps; the plan priced the limit from the start)');
  }
  out.push('');
  actions.forEach((a, i) => {
    out.push(...describe(a, i), ...novaNotes(a).map((n) => `#    ${c(n)}`), shellLine(openstackArgv(a)), '');
  });
  return out.join('\n');
}

/**
 * A JSON-quoted string made safe for YAML's double-quoted style: YAML allows only printable characters in a
 * stream, so DEL, the C1 controls and U+FFFE/U+FFFF (which JSON leaves raw) are escaped too.
 */
function yamlString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A YAML scalar: strings double-quoted; booleans and null plain; numbers plain, and in exponent form with a
 * '.' in the mantissa and a signed exponent (`1.0e+21`), which YAML 1.1 readers (PyYAML) need to see a float.
 */
function scalar(v: unknown): string {
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`YAML: ${v} is not a finite number`);
    const t = String(v);
    if (!t.includes('e')) return t;
    const [m, e] = v.toExponential().split('e');
    return `${m.includes('.') ? m : `${m}.0`}e${e}`;
  }
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  throw new TypeError(`YAML: cannot write ${typeof v}`);
}

/** Words YAML 1.1 reads as booleans or null: never a plain key. */
const YAML_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

function key(k: string): string {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(k) && !YAML_WORDS.has(k.toLowerCase()) ? k : yamlString(k);
}

/** Block YAML of JSON-like data (objects, arrays, strings, finite numbers, booleans, null). */
export function toYaml(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return `${indent}[]\n`;
    return v.map((x) => (typeof x === 'object' && x !== null && Object.keys(x).length > 0 ? `${indent}-\n${toYaml(x, `${indent}  `)}` : `${indent}- ${typeof x === 'object' && x !== null ? (Array.isArray(x) ? '[]' : '{}') : scalar(x)}\n`)).join('');
  }
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return `${indent}{}\n`;
    return entries.map(([k, x]) => (typeof x === 'object' && x !== null && (Array.isArray(x) ? x.length > 0 : Object.keys(x).length > 0) ? `${indent}${key(k)}:\n${toYaml(x, `${indent}  `)}` : `${indent}${key(k)}: ${typeof x === 'object' && x !== null ? (Array.isArray(x) ? '[]' : '{}') : scalar(x)}\n`)).join('');
  }
  return `${indent}${scalar(v)}\n`;
}

export function renderKubevirt(actions: readonly MigrationAction[]): string {
  const { policies, moves } = kubevirtObjects(actions);
  const docs: string[] = [];
  const head = [...header('kubevirt', actions.length), `# KubeVirt's defaults: bandwidthPerMigration ${KUBEVIRT_DEFAULTS.bandwidthPerMigration} (unlimited), completionTimeoutPerGiB ${KUBEVIRT_DEFAULTS.completionTimeoutPerGiB}, no auto-converge, no post-copy;`, `# a MigrationPolicy below carries what differs. KubeVirt has no downtime setting: its migrations run with ${wholeMs(KUBEVIRT_DOWNTIME_SEC)} ms.`];
  docs.push(head.join('\n'));
  for (const p of policies) docs.push(`# applies to VMIs labelled ${POLICY_LABEL}=${p.metadata.name}\n${toYaml(p)}`);
  moves.forEach((m, i) => {
    const a = m.action;
    const lines = [...describe(a, i), ...kubevirtNotes(a).map((n) => `#    ${c(n)}`)];
    if (wholeMs(a.downtimeLimitSec) !== wholeMs(KUBEVIRT_DOWNTIME_SEC)) lines.push(`#    the plan priced a ${wholeMs(a.downtimeLimitSec)} ms downtime limit; KubeVirt will use ${wholeMs(KUBEVIRT_DOWNTIME_SEC)} ms`);
    if (m.policy) lines.push(`#    policy ${m.policy}: first run ${c(shellLine(['kubectl', 'label', 'vmi', '-n', a.names.namespace, a.names.vmi, `${POLICY_LABEL}=${m.policy}`, '--overwrite']))}`);
    docs.push(`${lines.join('\n')}\n${toYaml(m.migration)}`);
  });
  return `${docs.join('\n---\n')}`;
}

export function renderEmit(kind: EmitKind, actions: readonly MigrationAction[]): string {
  const text = kind === 'virsh' ? renderVirsh(actions) : kind === 'openstack' ? renderOpenstack(actions) : renderKubevirt(actions);
  return text.endsWith('\n') ? text : `${text}\n`;
}
