/**
 * The migration driver: configures and starts a QEMU pre-copy migration, follows every round by polling
 * `query-migrate` (~20 ms) and listening for MIGRATION events, and returns the measured outcome with a
 * per-round trace. Failures are results: a failed, cancelled or timed-out migration says so, and the VM
 * keeps running on the source.
 */
import type { Monitor, QueryMigrate, QmpEvent } from './qmp.js';
import type { AdaptiveRate, RoundTrace, TechniqueOptions } from '../../model/types.js';
import type { Measured } from '../../model/sample.js';
import { withMigrationSettings, type AUTO_CONVERGE_PARAMETERS } from './migration-settings.js';
import { techniqueSettings, postcopyTrigger, techniqueMeasured, postcopyDowntimeSec, postcopyTimesFromEvents } from './technique-settings.js';

export interface MigrationOptions {
  source: Monitor;
  /** e.g. tcp:127.0.0.1:4444 */
  uri: string;
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  autoConverge: boolean;
  /** Cancel after this long. */
  timeoutSec: number;
  adaptiveRate?: AdaptiveRate;
  pollMs?: number;
  /**
   * A pseudo-migration (Deng): never switch over. QEMU pauses before the switch-over (capability
   * pause-before-switchover) and the driver cancels there, so the VM always stays on the source.
   */
  pseudo?: boolean;
  /** After every poll; a promise returned is awaited before the next (what it sets lands before the settings are put back). */
  onProgress?: (q: QueryMigrate, elapsedSec: number) => void | Promise<void>;
  /** Cancels the migration when aborted (an interrupted command); the result then says cancelled. */
  signal?: AbortSignal;
  /**
   * The QEMU technique and its settings (technique-settings.ts): its capabilities and parameters are set on the
   * source (the destination's by `prepareIncoming`), and for post-copy `migrate-start-postcopy` is issued after
   * the passes or seconds it says. Absent: pre-copy as `autoConverge` says, the technique capabilities untouched.
   */
  technique?: TechniqueOptions;
  /**
   * Auto-converge's parameters (QEMU's names, percentages), set with the others: the throttle probe's trigger and
   * throttle (throttle-probe.ts). Absent: the VM's own (QEMU's defaults unless someone changed them).
   */
  autoConvergeParameters?: Partial<Record<(typeof AUTO_CONVERGE_PARAMETERS)[number], number>>;
  /**
   * The bandwidth QEMU assumes for the switch-over (`avail-switchover-bandwidth`, QEMU >= 8.2; bytes/s) in place of
   * the one it measures: it switches over when what is pending fits this x the downtime limit. Absent: measured.
   */
  switchoverBandwidthBytesPerSec?: number;
}

export interface MigrationResult {
  measured: Measured;
  trace: RoundTrace[];
  /** The last query-migrate answer. */
  final: QueryMigrate;
  /** Pages each pre-copy round of `trace` sent as zero-page flags and in full (QEMU's duplicate / normal counters). */
  /** Zero and normal pages sent per round, the first pass first, then every later round and the one in
   * progress when the migration ended (polls that miss a sync merge two rounds). */
  roundPages: { zero: number; normal: number }[];
  /** Source VM state after the migration ('postmigrate' when it moved, 'running' when it stayed). */
  sourceStatus: string;
  events: QmpEvent[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Pages = { zero: number; normal: number };

/**
 * Where the first pass ended, in QEMU's zero / normal page counters. The first pass sends every page of RAM
 * once (`ram.total`), but the poll that sees its closing bitmap sync may come late, after QEMU has begun
 * re-sending dirtied pages: those (at most what was sent since the previous poll) belong to the next round.
 * They are split between zero and normal pages as the pages sent since the previous poll were.
 */
export function firstPassEnd(ram: { duplicate: number; normal: number; total: number; 'page-size'?: number }, start: Pages, lastPoll: Pages): Pages {
  const end = { zero: ram.duplicate, normal: ram.normal };
  const ramPages = Math.round(ram.total / (ram['page-size'] || 4096));
  const over = end.zero + end.normal - start.zero - start.normal - ramPages;
  const dz = end.zero - Math.max(lastPoll.zero, start.zero);
  const dn = end.normal - Math.max(lastPoll.normal, start.normal);
  if (!(ramPages > 0) || over <= 0 || dz + dn <= 0) return end;
  const excess = Math.min(over, dz + dn);
  const z = Math.round((excess * dz) / (dz + dn));
  return { zero: end.zero - z, normal: end.normal - (excess - z) };
}

/**
 * Runs one migration to its end. Never throws for a migration that fails; throws only if QMP itself fails
 * before the start, or if a migration is already active (MigrationActiveError). The capabilities and
 * parameters it sets are restored afterwards, whatever the outcome.
 */
export function runMigration(o: MigrationOptions): Promise<MigrationResult> {
  return withMigrationSettings(o.source, () => migrate(o));
}

async function migrate(o: MigrationOptions): Promise<MigrationResult> {
  const qmp = o.source;
  if (o.signal?.aborted) throw o.signal.reason;
  const pollMs = o.pollMs ?? 20;
  const events: QmpEvent[] = [];
  const onEvent = (e: QmpEvent) => {
    if (e.event.startsWith('MIGRATION')) events.push(e);
  };
  qmp.on('event', onEvent);
  const tech = techniqueSettings(o.technique);
  // Off first (QEMU checks each set as a whole: a leftover multifd refuses xbzrle), then the technique's.
  const offs = Object.keys(tech.capabilities).map((c) => ({ capability: c, state: false }));
  if (offs.length > 0) await qmp.execute('migrate-set-capabilities', { capabilities: offs });
  await qmp.execute('migrate-set-capabilities', {
    capabilities: [
      { capability: 'events', state: true },
      { capability: 'auto-converge', state: o.autoConverge || o.technique?.name === 'auto-converge' },
      { capability: 'pause-before-switchover', state: o.pseudo === true },
      ...Object.entries(tech.capabilities).filter(([, on]) => on).map(([capability]) => ({ capability, state: true })),
    ],
  });
  const initialBw = o.adaptiveRate ? o.adaptiveRate.maxBytesPerSec : o.bandwidthBytesPerSec;
  await qmp.execute('migrate-set-parameters', { 'max-bandwidth': Math.round(initialBw), 'downtime-limit': Math.round(o.downtimeLimitSec * 1000), ...tech.parameters, ...o.autoConvergeParameters, ...(o.switchoverBandwidthBytesPerSec !== undefined ? { 'avail-switchover-bandwidth': Math.round(o.switchoverBandwidthBytesPerSec) } : {}) });
  const trigger = postcopyTrigger(o.technique);
  let postcopyIssuedSec: number | undefined;
  let postcopyAtMs: number | undefined;
  const t0 = Date.now();
  await qmp.execute('migrate', { uri: o.uri });

  const trace: RoundTrace[] = [];
  let last: QueryMigrate = {};
  let syncs = 0;
  let roundStart = { t: t0, transferred: 0 };
  let remainingBeforeSync = 0;
  let pagesBeforeSync = 0;
  const roundPages: { zero: number; normal: number }[] = [];
  let roundStartPages = { zero: 0, normal: 0 };
  let pagesAtLastPoll = { zero: 0, normal: 0 };
  let maxThrottle = 0;
  let cancelled = false;
  let error: string | undefined;
  let currentBw = initialBw;
  for (;;) {
    let q: QueryMigrate;
    try {
      q = await qmp.queryMigrate();
    } catch (e) {
      error = `QMP failed during the migration: ${(e as Error).message}`;
      break;
    }
    const now = Date.now();
    const status = q.status ?? 'none';
    const ram = q.ram;
    if (q['cpu-throttle-percentage'] !== undefined) maxThrottle = Math.max(maxThrottle, q['cpu-throttle-percentage'] / 100);
    if (ram) {
      const count = ram['dirty-sync-count'];
      if (count > syncs) {
        // A bitmap sync ended a round: what was sent since the last one, and what the sync added.
        if (syncs >= 1 && status === 'active') {
          const sent = ram.transferred - roundStart.transferred;
          const dur = (now - roundStart.t) / 1000;
          // Pages dirtied during the round = what the sync added to `remaining`. Between two polls QEMU may
          // also have finished the round and started the next, so add back the pages it processed meanwhile.
          const pageSize = ram['page-size'] ?? 4096;
          const processed = (ram.normal + ram.duplicate - pagesBeforeSync) * pageSize;
          const dirtied = Math.max(0, ram.remaining - remainingBeforeSync + processed);
          trace.push({
            round: trace.length,
            kind: 'pre-copy',
            sentBytes: sent,
            durationSec: dur,
            rateBytesPerSec: currentBw,
            dirtiedBytes: dirtied,
            skippedBytes: 0,
            remainingBytes: ram.remaining,
            throttle: (q['cpu-throttle-percentage'] ?? 0) / 100,
          });
          if (o.adaptiveRate && dur > 0) {
            const a = o.adaptiveRate;
            const bw = Math.min(a.maxBytesPerSec, Math.max(a.minBytesPerSec, dirtied / dur + a.deltaBytesPerSec));
            currentBw = bw;
            qmp.execute('migrate-set-parameters', { 'max-bandwidth': Math.round(bw) }).catch(() => {});
          }
        }
        // Pages per round are kept whatever the state: the last rounds of a pseudo-migration end as it
        // turns to pre-switchover, and their pages are what tells re-sent zero pages from non-zero ones.
        if (syncs >= 1) {
          const end = roundPages.length === 0 ? firstPassEnd(ram, roundStartPages, pagesAtLastPoll) : { zero: ram.duplicate, normal: ram.normal };
          roundPages.push({ zero: end.zero - roundStartPages.zero, normal: end.normal - roundStartPages.normal });
          roundStartPages = end;
        }
        // The first sync (QEMU's setup) comes before any page is sent: pages seen by then belong to round 0.
        syncs = count;
        roundStart = { t: now, transferred: ram.transferred };
      }
      remainingBeforeSync = ram.remaining;
      pagesBeforeSync = ram.normal + ram.duplicate;
      pagesAtLastPoll = { zero: ram.duplicate, normal: ram.normal };
    }
    // Post-copy: switch once the passes (syncs - 1) or the seconds are reached; then follow its phase.
    if (trigger && postcopyIssuedSec === undefined && status === 'active' && ((ram?.['dirty-sync-count'] ?? 0) >= trigger.passes + 1 || (now - t0) / 1000 >= trigger.sec)) {
      postcopyIssuedSec = (now - t0) / 1000;
      await qmp.execute('migrate-start-postcopy').catch((e: Error) => {
        error = `migrate-start-postcopy: ${e.message}`;
      });
    }
    if (status === 'postcopy-active' && postcopyAtMs === undefined) postcopyAtMs = now;
    last = q;
    await o.onProgress?.(q, (now - t0) / 1000);
    if (status === 'completed' && (q['total-time'] ?? 0) > 0) break;
    if (status === 'failed' || status === 'cancelled') {
      error = q['error-desc'] ?? status;
      break;
    }
    // Once switched, a post-copy migration cannot be cancelled (the guest runs on the destination; QEMU refuses):
    // the time-out lets it finish, and a post-copy phase that fails is recorded as failed, not as cancelled.
    const switched = status.startsWith('postcopy') || (postcopyIssuedSec !== undefined && status === 'device');
    if (!cancelled && !switched && (((now - t0) / 1000 > o.timeoutSec) || (o.pseudo && status === 'pre-switchover') || o.signal?.aborted)) {
      cancelled = true;
      await qmp.execute('migrate_cancel').catch(() => {});
    }
    await sleep(pollMs);
  }
  qmp.off('event', onEvent);
  const pcEvents = o.technique?.name === 'postcopy' && last.status === 'completed' ? postcopyTimesFromEvents(events, (last.downtime ?? 0) / 1000) : undefined;
  // The round in progress when the loop ended (the stop-and-copy of a completed migration, the last
  // pre-copy round of a cancelled one).
  if (syncs >= 1 && last.ram) {
    const tail = { zero: last.ram.duplicate - roundStartPages.zero, normal: last.ram.normal - roundStartPages.normal };
    if (tail.zero + tail.normal > 0) roundPages.push(tail);
  }
  let sourceStatus = 'unknown';
  try {
    sourceStatus = (await qmp.queryStatus()).status;
  } catch {
    /* the source is gone */
  }
  const ram = last.ram;
  const status: Measured['status'] = last.status === 'completed' ? 'completed' : last.status === 'cancelled' || cancelled ? 'cancelled' : 'failed';
  if (status === 'completed' && ram) {
    // The stop-and-copy: what was sent after the last pre-copy round.
    const lastSent = trace.reduce((s, r) => s + r.sentBytes, 0);
    trace.push({
      round: trace.length,
      kind: 'stop-copy',
      sentBytes: Math.max(0, ram.transferred - lastSent - (postcopyAtMs !== undefined ? (ram['postcopy-bytes'] ?? 0) : 0)),
      durationSec: (last.downtime ?? 0) / 1000,
      rateBytesPerSec: 0,
      dirtiedBytes: 0,
      skippedBytes: 0,
      remainingBytes: 0,
      throttle: maxThrottle,
    });
    if (postcopyAtMs !== undefined || pcEvents) {
      // The post-copy phase: from the switch (QEMU's events, else the first postcopy-active poll) to the end, what it pulled.
      const phaseSec = pcEvents ? pcEvents.phaseSec : Math.max(0, (last['total-time'] ?? 0) / 1000 - (postcopyAtMs! - t0) / 1000);
      trace.push({
        round: trace.length,
        kind: 'post-copy',
        sentBytes: ram['postcopy-bytes'] ?? 0,
        durationSec: phaseSec,
        rateBytesPerSec: phaseSec > 0 ? (ram['postcopy-bytes'] ?? 0) / phaseSec : 0,
        dirtiedBytes: 0,
        skippedBytes: 0,
        remainingBytes: 0,
        throttle: 0,
      });
    }
  }
  const measured: Measured = {
    status,
    totalTimeSec: (last['total-time'] ?? Date.now() - t0) / 1000,
    downtimeSec: status === 'completed' ? (last.downtime ?? 0) / 1000 : 0,
    transferredBytes: ram?.transferred ?? 0,
    rounds: Math.max(0, (ram?.['dirty-sync-count'] ?? 2) - 2),
    converged: status === 'completed',
    setupSec: (last['setup-time'] ?? 0) / 1000,
    zeroPages: ram?.duplicate,
    normalPages: ram?.normal,
    dirtySyncCount: ram?.['dirty-sync-count'],
    stopCopyBytes: ram?.['downtime-bytes'],
    precopyBytes: ram?.['precopy-bytes'],
    maxThrottle,
    ...techniqueMeasured(o.technique, last, pcEvents ? { switchSec: pcEvents.switchSec, phaseSec: pcEvents.phaseSec, issuedSec: postcopyIssuedSec } : postcopyAtMs === undefined ? undefined : { switchSec: (postcopyAtMs - t0) / 1000, issuedSec: postcopyIssuedSec }),
  };
  if (o.technique?.name === 'postcopy' && status === 'completed') measured.downtimeSec = pcEvents ? pcEvents.downtimeSec : postcopyDowntimeSec(measured.downtimeSec, measured.postcopyPhaseSec);
  if (error && status !== 'completed') measured.error = cancelled ? (o.pseudo ? 'pseudo-migration: cancelled by design' : `cancelled after the ${o.timeoutSec} s time-out`) : error;
  return { measured, trace, roundPages, final: last, sourceStatus, events };
}
