/**
 * Actions as `openstack server migrate --live-migration --host DEST SERVER` argument arrays, and the nova.conf
 * `[libvirt]` settings the plan priced them with where they differ from Nova's defaults: Nova takes the
 * bandwidth, downtime, completion time-out and techniques from each source compute host's nova.conf, not
 * from the API. `--host` with `--live-migration` needs compute API microversion 2.30 or later. Pure.
 */
import { timeoutPerGiB, wholeMiBPerSec, wholeMs, type MigrationAction } from './actions.js';

/** Nova's defaults for the `[libvirt] live_migration_*` options (nova/conf/libvirt.py). */
export const NOVA_DEFAULTS = {
  live_migration_bandwidth: 0, // MiB/s, 0 = unlimited
  live_migration_downtime: 500, // ms, reached in live_migration_downtime_steps steps
  live_migration_completion_timeout: 800, // s per GiB of data
  live_migration_timeout_action: 'abort',
  live_migration_permit_auto_converge: false,
  live_migration_permit_post_copy: false,
} as const;

export type NovaSettings = { -readonly [K in keyof typeof NOVA_DEFAULTS]: (typeof NOVA_DEFAULTS)[K] extends number ? number : (typeof NOVA_DEFAULTS)[K] extends boolean ? boolean : string };

export function openstackArgv(a: MigrationAction): string[] {
  return ['openstack', '--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', '--host', a.destination.computeHost, '--wait', a.names.server];
}

/** The settings one move was priced with, in nova.conf's terms (forced completion at the time-out). */
export function novaSettings(a: MigrationAction): NovaSettings {
  return {
    live_migration_bandwidth: wholeMiBPerSec(a.bandwidthBytesPerSec),
    live_migration_downtime: wholeMs(a.downtimeLimitSec),
    live_migration_completion_timeout: timeoutPerGiB(a),
    live_migration_timeout_action: 'force_complete',
    live_migration_permit_auto_converge: a.technique.autoConverge,
    live_migration_permit_post_copy: a.technique.postcopy,
  };
}

export interface NovaSnippet {
  /** The source compute host whose nova.conf it is. */
  computeHost: string;
  /** Only the settings that differ from Nova's defaults. */
  settings: Partial<NovaSettings>;
  /** The moves leaving that host asked for different values of these: the lowest (safest) is given. */
  differing: string[];
}

/**
 * One nova.conf snippet per source compute host, in the order hosts first appear. nova.conf holds one value
 * per host, so where moves leaving one host differ, the lowest bandwidth and time-out and the strictest
 * downtime are given, and the option is named in `differing`.
 */
export function novaSnippets(actions: readonly MigrationAction[]): NovaSnippet[] {
  const by = new Map<string, NovaSettings[]>();
  for (const a of actions) {
    const k = a.source.computeHost;
    if (!by.has(k)) by.set(k, []);
    by.get(k)!.push(novaSettings(a));
  }
  return [...by].map(([computeHost, all]) => {
    const merged: NovaSettings = { ...all[0] };
    const differing: string[] = [];
    for (const key of Object.keys(merged) as (keyof NovaSettings)[]) {
      const values = new Set(all.map((s) => s[key]));
      if (values.size < 2) continue;
      differing.push(key);
      if (typeof merged[key] === 'number') (merged as Record<string, unknown>)[key] = Math.min(...all.map((s) => s[key] as number));
      else if (typeof merged[key] === 'boolean') (merged as Record<string, unknown>)[key] = all.some((s) => s[key] === true);
    }
    const settings: Partial<NovaSettings> = {};
    for (const key of Object.keys(merged) as (keyof NovaSettings)[]) {
      if (merged[key] !== NOVA_DEFAULTS[key]) (settings as Record<string, unknown>)[key] = merged[key];
    }
    return { computeHost, settings, differing };
  });
}

/**
 * What the advised technique asks that Nova cannot set, or how Nova reaches it (comment lines). Nova takes only
 * auto-converge and post-copy permissions from nova.conf; post-copy starts at live_migration_completion_timeout with
 * live_migration_timeout_action = force_complete, which the snippet sets to the predicted switch.
 */
export function novaNotes(a: MigrationAction): string[] {
  const t = a.technique.advised?.options;
  if (!t) return [];
  if (t.name === 'postcopy') return [`Nova switches to post-copy at live_migration_completion_timeout (force_complete, post-copy permitted): ${timeoutPerGiB(a)} s/GiB, the switch after ${Math.round(a.completionTimeoutSec)} s`];
  if (t.name === 'xbzrle') return ['Nova cannot set XBZRLE (nova.conf [libvirt] has no compression option): this runs as pre-copy'];
  if (t.name === 'multifd' || t.name === 'compress') {
    const method = t.name === 'compress' ? 'zlib' : (t.multifdCompression ?? 'none');
    return [
      `multifd: only Nova 2026.1 (33.0) and later can ask for it, with [libvirt] live_migration_parallel_connections = ${t.multifdChannels ?? 2} (default 1, off); older Nova cannot${method !== 'none' ? `; no Nova option sets ${method} compression` : ''}`,
    ];
  }
  if (t.name === 'dirty-limit') return ['Nova cannot set dirty-limit (no nova.conf option): this runs as pre-copy'];
  return [];
}
