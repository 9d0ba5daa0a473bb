/**
 * Each QEMU technique as the capabilities and parameters a migration sets (TECHNIQUES-NOTES, QEMU 10.0's
 * qapi/migration.json): on the source for `runMigration`, on the destination for `prepareIncoming` (multifd needs
 * the destination started with `-incoming defer` and set before `migrate-incoming`; post-copy needs postcopy-ram
 * on both sides). Every capability and parameter here is in migration-settings.ts's TOUCHED lists, so it is put
 * back afterwards.
 */
import type { Monitor, QmpEvent, QueryMigrate } from './qmp.js';
import type { TechniqueOptions } from '../../model/types.js';
import type { Measured } from '../../model/sample.js';
import { TECHNIQUE_DEFAULTS } from '../../model/techniques.js';

export interface TechniqueSettings {
  /** Technique capabilities, each on or off (absent technique: none, so a plain migration touches none of them). */
  capabilities: Record<string, boolean>;
  parameters: Record<string, number | string>;
}

/** The technique as the source's capabilities and parameters. dirty-limit is refused (KVM's dirty ring only). */
export function techniqueSettings(t: TechniqueOptions | undefined): TechniqueSettings {
  if (!t) return { capabilities: {}, parameters: {} };
  if (t.name === 'dirty-limit') {
    throw Object.assign(new Error("technique dirty-limit: migcost's driver does not run it (QEMU needs KVM with a dirty ring; the lab's TCG refuses it): predicted only"), { badInput: true });
  }
  const capabilities: Record<string, boolean> = { 'postcopy-ram': t.name === 'postcopy', xbzrle: t.name === 'xbzrle', multifd: t.name === 'multifd' || t.name === 'compress' };
  const parameters: Record<string, number | string> = {};
  if (t.name === 'postcopy') parameters['max-postcopy-bandwidth'] = t.maxPostcopyBandwidthBytesPerSec !== undefined && Number.isFinite(t.maxPostcopyBandwidthBytesPerSec) ? Math.round(t.maxPostcopyBandwidthBytesPerSec) : 0;
  if (t.name === 'xbzrle') parameters['xbzrle-cache-size'] = t.xbzrleCacheBytes ?? TECHNIQUE_DEFAULTS.xbzrleCacheBytes;
  if (t.name === 'multifd' || t.name === 'compress') {
    parameters['multifd-channels'] = t.multifdChannels ?? TECHNIQUE_DEFAULTS.multifdChannels;
    parameters['multifd-compression'] = t.name === 'compress' ? 'zlib' : (t.multifdCompression ?? TECHNIQUE_DEFAULTS.multifdCompression);
  }
  return { capabilities, parameters };
}

/** True when the destination must be started with `-incoming defer` and set up by `prepareIncoming`. */
export function needsIncomingSetup(t: TechniqueOptions | undefined): boolean {
  return t !== undefined && (t.name === 'postcopy' || t.name === 'xbzrle' || t.name === 'multifd' || t.name === 'compress');
}

/** What `prepareIncoming` changed on a destination, with the values it had before: what `finishIncoming` puts back. */
export interface IncomingChanges {
  capabilities: { capability: string; state: boolean }[];
  parameters: Record<string, unknown>;
}

/**
 * Readies a destination started with `-incoming defer`: the events capability and the technique's capabilities
 * and multifd parameters (xbzrle decoding needs none, set anyway as the lab does), then `migrate-incoming uri`.
 * For post-copy also `postcopy-blocktime`, a destination-only capability that changes nothing on the wire: the
 * destination counts how long its vCPUs wait for pages (postcopy-ram.c), read back by `finishIncoming`. Returns what
 * it changed, with the values before, for `finishIncoming` to put back.
 */
export async function prepareIncoming(dst: Monitor, t: TechniqueOptions | undefined, uri: string): Promise<IncomingChanges> {
  const s = techniqueSettings(t);
  const want = [{ capability: 'events', state: true }, ...Object.entries(s.capabilities).filter(([, on]) => on).map(([capability]) => ({ capability, state: true }))];
  if (t?.name === 'postcopy') want.push({ capability: 'postcopy-blocktime', state: true });
  const had = await dst.execute<unknown>('query-migrate-capabilities');
  const before = new Map((Array.isArray(had) ? (had as { capability: string; state: boolean }[]) : []).map((c) => [c.capability, c.state]));
  const changed = { capabilities: want.filter((w) => before.get(w.capability) !== w.state).map((w) => ({ capability: w.capability, state: before.get(w.capability) ?? false })), parameters: {} as Record<string, unknown> };
  await dst.execute('migrate-set-capabilities', { capabilities: want });
  const params = Object.fromEntries(Object.entries(s.parameters).filter(([k]) => k.startsWith('multifd-')));
  if (Object.keys(params).length > 0) {
    const was = await dst.execute<Record<string, unknown>>('query-migrate-parameters').catch(() => ({}) as Record<string, unknown>);
    for (const k of Object.keys(params)) if (was[k] !== undefined && was[k] !== params[k]) changed.parameters[k] = was[k];
    await dst.execute('migrate-set-parameters', params);
  }
  await dst.execute('migrate-incoming', { uri });
  return changed;
}

/**
 * The destination's measured post-copy stall (s): `postcopy-blocktime`, the time during which every vCPU waited for a
 * page from the source (postcopy-ram.c), from its query-migrate once the migration completed; undefined where QEMU
 * does not report it (capability off, or a QEMU before 3.0).
 */
export async function postcopyBlocktimeSec(dst: Monitor, waitSec = 3): Promise<number | undefined> {
  // The source completes when it has sent the last page; the destination a moment later, and reports its blocktime
  // only once it has (migration.c fill_destination_migration_info): wait for that, briefly.
  const until = Date.now() + waitSec * 1000;
  let q = (await dst.execute('query-migrate')) as QueryMigrate;
  while (q.status !== undefined && q.status !== 'completed' && q.status !== 'failed' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    q = (await dst.execute('query-migrate')) as QueryMigrate;
  }
  const ms = q['postcopy-blocktime'];
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

/**
 * After a migration into a destination readied by `prepareIncoming`, whatever its outcome: the measured post-copy
 * stall when asked (`postcopyBlocktimeSec`), then every capability and parameter `prepareIncoming` changed put back,
 * so the VM now running there (or the destination left behind) keeps no setting migcost added. A step that fails
 * leaves the stall undefined; its error is swallowed (the migration's own outcome is what the caller reports).
 */
export async function finishIncoming(dst: Monitor, changes: IncomingChanges, readBlocktime: boolean): Promise<number | undefined> {
  const sec = readBlocktime ? await postcopyBlocktimeSec(dst).catch(() => undefined) : undefined;
  if (changes.capabilities.length > 0) await dst.execute('migrate-set-capabilities', { capabilities: changes.capabilities }).catch(() => {});
  if (Object.keys(changes.parameters).length > 0) await dst.execute('migrate-set-parameters', changes.parameters).catch(() => {});
  return sec;
}

/** When the driver issues `migrate-start-postcopy`: after `passes` complete passes or `sec` seconds; undefined unless post-copy. */
export function postcopyTrigger(t: TechniqueOptions | undefined): { passes: number; sec: number } | undefined {
  if (t?.name !== 'postcopy') return undefined;
  if (t.postcopyAfterSec !== undefined) return { passes: Infinity, sec: t.postcopyAfterSec };
  return { passes: t.postcopyAfterPasses ?? TECHNIQUE_DEFAULTS.postcopyAfterPasses, sec: Infinity };
}

/**
 * Post-copy's downtime as QEMU meant it. QEMU counts it in whole ms from STOP to the device state sent; a switch
 * under 1 ms rounds to 0, which `migration_downtime_end` (migration.c) takes for "unset" and overwrites at
 * completion with STOP -> completed, i.e. the whole post-copy phase (TECHNIQUES-NOTES, "Downtime quirk"). A
 * reported downtime within 5 ms of the phase is that sentinel: the switch took under 1 ms, recorded as 0.5 ms (the
 * middle of what rounds to 0). Anything else is returned unchanged.
 */
export function postcopyDowntimeSec(reportedSec: number, postcopyPhaseSec: number | undefined): number {
  if (postcopyPhaseSec === undefined || postcopyPhaseSec <= 0.005) return reportedSec;
  return reportedSec >= postcopyPhaseSec - 0.005 ? 0.0005 : reportedSec;
}

/** When QEMU stamped a MIGRATION event of `status` (the first), s on the host's clock; undefined without one. */
function eventAt(events: readonly QmpEvent[], status: string): number | undefined {
  const e = events.find((x) => x.event === 'MIGRATION' && x.data?.status === status && x.timestamp);
  return e?.timestamp ? e.timestamp.seconds + e.timestamp.microseconds / 1e6 : undefined;
}

/**
 * A completed post-copy migration's times from QEMU's own MIGRATION events (the `events` capability the driver
 * turns on; QEMU stamps each on the host's clock as it changes state). The migration starts at setup; the switch
 * at device (QEMU 10's `postcopy_start` stops the guest in device and moves to postcopy-active once the package is
 * sent; QEMUs that go straight to postcopy-active switch there); the guest runs on the destination from the later
 * of postcopy-active and switch + downtime, and the phase runs from there to completed. The downtime is QEMU's,
 * its 0 ms sentinel (a downtime spanning the switch to completed: `postcopyDowntimeSec`) read as 0.5 ms. Polls
 * every 20 ms could not time phases of tens of ms, and read two clocks. Undefined without setup, postcopy-active
 * and completed in order. Pure.
 * @example postcopyTimesFromEvents([setup at 0, device at 2.5, postcopy-active at 2.504, completed at 2.56], 0.004) // { switchSec: 2.5, phaseSec: 0.056, downtimeSec: 0.004 }
 */
export function postcopyTimesFromEvents(events: readonly QmpEvent[], reportedDowntimeSec: number): { switchSec: number; phaseSec: number; downtimeSec: number } | undefined {
  const setup = eventAt(events, 'setup');
  const active = eventAt(events, 'postcopy-active');
  const done = eventAt(events, 'completed');
  if (setup === undefined || active === undefined || done === undefined || !(done >= active && active >= setup)) return undefined;
  const device = eventAt(events, 'device');
  const start = device !== undefined && device >= setup && device <= active ? device : active;
  const downtimeSec = postcopyDowntimeSec(reportedDowntimeSec, done - start);
  return { switchSec: start - setup, phaseSec: Math.max(0, done - Math.max(active, start + downtimeSec)), downtimeSec };
}

/** The technique's own measured fields from the last query-migrate (and the post-copy switch: from QEMU's events, or as the driver saw it). */
export function techniqueMeasured(t: TechniqueOptions | undefined, q: QueryMigrate, postcopy: { switchSec: number; issuedSec?: number; phaseSec?: number } | undefined): Partial<Measured> {
  if (!t) return {};
  const out: Partial<Measured> = { technique: t.name };
  const ram = q.ram;
  if (t.name === 'postcopy' && ram) {
    out.postcopyBytes = ram['postcopy-bytes'] ?? 0;
    out.remoteFaults = ram['postcopy-requests'] ?? 0;
    if (postcopy) {
      out.switchoverSec = postcopy.switchSec;
      out.postcopyPhaseSec = postcopy.phaseSec ?? Math.max(0, (q['total-time'] ?? 0) / 1000 - postcopy.switchSec);
      out.postcopyTimedBy = postcopy.phaseSec !== undefined ? 'events' : 'poll';
    } else out.postcopyPhaseSec = 0;
  }
  const x = q['xbzrle-cache'];
  if (t.name === 'xbzrle' && x) {
    out.xbzrleCacheHits = x.pages;
    out.xbzrleCacheMisses = x['cache-miss'];
    out.xbzrleOverflows = x.overflow;
    // QEMU adds a page for each overflow to `bytes` though the page goes as a normal one (TECHNIQUES-NOTES §2).
    out.xbzrleEncodedBytes = Math.max(0, x.bytes - x.overflow * (ram?.['page-size'] ?? 4096));
  }
  if ((t.name === 'multifd' || t.name === 'compress') && ram && ram['multifd-bytes'] !== undefined) {
    out.multifdBytes = ram['multifd-bytes'];
    if (ram['multifd-bytes'] > 0) out.compressionRatio = ram['normal-bytes'] / ram['multifd-bytes'];
  }
  return out;
}
