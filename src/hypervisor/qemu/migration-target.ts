/**
 * What a request may ask QEMU to migrate to, and from where. QEMU's `migrate` runs an `exec:` URI through
 * /bin/sh and sends guest RAM to any `tcp:` address, and a QMP socket path reaches whatever listens there; so
 * `execute` (CLI and POST /v1/execute) accepts only the destinations and the QMP sockets the operator listed
 * (a targets file, `serve --allow-dest`), `tcp:` and `unix:` URIs only, and a bounded time-out.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allowedLibvirtFromDoc, type AllowedLibvirt } from '../libvirt/migration-target.js';

/** The URI schemes a real move may use. `exec:` (a shell command) is never one of them. */
export const MIGRATION_URI_SCHEMES = ['tcp', 'unix'] as const;

/** The longest time-out a move may ask for: 24 h. */
export const MAX_MOVE_TIMEOUT_SEC = 86_400;

/** What the operator allows. */
export interface AllowedTargets {
  /** Migration URIs, exactly (`tcp:10.0.0.2:4444`, `unix:/run/incoming.sock`); `tcp:HOST:*` allows any port of HOST. */
  destinations: readonly string[];
  /** QMP socket paths. */
  qmpSockets: readonly string[];
  /** libvirt source domains and destination connections (hypervisor/libvirt/migration-target.ts). */
  libvirt?: AllowedLibvirt;
}

/** A rule a request broke: the field it names and why. */
export interface TargetIssue {
  field: string;
  rule: string;
}

const TCP = /^tcp:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const UNIX = /^unix:\/[^\s\0]*$/;

/** Why a migration URI is refused, or undefined when it is a well-formed tcp: or unix: URI. */
export function uriShapeIssue(uri: string): string | undefined {
  if (/^exec:/i.test(uri)) return 'exec: URIs are never accepted (QEMU runs them through /bin/sh)';
  const tcp = TCP.exec(uri);
  if (tcp) return Number(tcp[2]) >= 1 && Number(tcp[2]) <= 65535 ? undefined : 'has a port outside 1-65535';
  if (UNIX.test(uri)) return undefined;
  return `must be tcp:HOST:PORT or unix:/PATH (schemes: ${MIGRATION_URI_SCHEMES.join(', ')})`;
}

function destinationAllowed(uri: string, allowed: readonly string[]): boolean {
  for (const a of allowed) {
    if (a === uri) return true;
    if (a.startsWith('tcp:') && a.endsWith(':*') && uri.startsWith(a.slice(0, -1)) && /^\d+$/.test(uri.slice(a.length - 1))) return true;
  }
  return false;
}

/** Checks one move's QMP socket and destination URI against what the operator allows. */
export function checkTarget(t: { qmp: string; uri: string }, allowed: AllowedTargets, field: string): TargetIssue | undefined {
  const shape = uriShapeIssue(t.uri);
  if (shape) return { field: `${field}.uri`, rule: shape };
  if (!destinationAllowed(t.uri, allowed.destinations)) return { field: `${field}.uri`, rule: 'is not a destination the operator allowed (serve --allow-dest)' };
  const sockets = new Set(allowed.qmpSockets.map((p) => resolve(p)));
  if (!t.qmp.startsWith('/') || !sockets.has(resolve(t.qmp))) return { field: `${field}.qmp`, rule: 'is not a QMP socket the operator listed (serve --allow-dest)' };
  return undefined;
}

/** Why a move's time-out is refused, or undefined. */
export function timeoutIssue(timeoutSec: number): string | undefined {
  return timeoutSec > 0 && timeoutSec <= MAX_MOVE_TIMEOUT_SEC ? undefined : `must be greater than 0 and at most ${MAX_MOVE_TIMEOUT_SEC} s`;
}

/**
 * Reads an allow list from a targets file: `{"vms": {"vm1": {"qmp": "/run/vm1.qmp", "uri": "tcp:10.0.0.2:4444"}}}`
 * (the format of `migcost execute --targets`), optionally with `"destinations": [...]` and `"qmpSockets": [...]`
 * besides. Every URI in it must itself be a tcp: or unix: URI. libvirt entries (`{"libvirt", "domain", "dest",
 * "xml"}`) and a `"libvirt": {"domains": [...], "destinations": [...]}` section give the libvirt form.
 */
export function allowedTargetsFromFile(path: string): AllowedTargets {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AllowListError(`${path}: must be a readable JSON targets file (${(e as Error).message})`);
  }
  const d = (doc ?? {}) as { vms?: Record<string, { qmp?: unknown; uri?: unknown; libvirt?: unknown }>; destinations?: unknown; qmpSockets?: unknown; libvirt?: unknown };
  const destinations: string[] = [];
  const qmpSockets: string[] = [];
  for (const [vm, t] of Object.entries(d.vms ?? {})) {
    if (t?.libvirt !== undefined) continue; // a libvirt entry: read below
    if (typeof t?.qmp !== 'string' || typeof t?.uri !== 'string') throw new AllowListError(`${path}: vms.${vm} must give qmp and uri`);
    destinations.push(t.uri);
    qmpSockets.push(t.qmp);
  }
  if (Array.isArray(d.destinations)) destinations.push(...d.destinations.map(String));
  if (Array.isArray(d.qmpSockets)) qmpSockets.push(...d.qmpSockets.map(String));
  for (const u of destinations) {
    const issue = uriShapeIssue(u.endsWith(':*') ? `${u.slice(0, -1)}1` : u);
    if (issue) throw new AllowListError(`${path}: destination ${u} ${issue}`);
  }
  let libvirt: AllowedLibvirt;
  try {
    libvirt = allowedLibvirtFromDoc(d, path);
  } catch (e) {
    throw new AllowListError((e as Error).message);
  }
  return { destinations, qmpSockets, ...(libvirt.domains.length + libvirt.destinations.length > 0 ? { libvirt } : {}) };
}

/** A bad allow list (the operator's, so bad input). */
export class AllowListError extends Error {
  override name = 'AllowListError';
  readonly badInput = true;
}
