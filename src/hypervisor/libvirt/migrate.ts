/**
 * The migration driver through libvirt: `virsh migrate --live` with the bandwidth, a technique (technique-args.ts:
 * post-copy switched with `virsh migrate-postcopy`, auto-converge, xbzrle, multifd) and the downtime limit (`migrate-setmaxdowntime`, which sticks to the source domain: read first and put back when the
 * domain is still there afterwards), following `domjobinfo --rawstats` on the source into the per-round trace,
 * and the outcome from the destination's completed-job statistics (libvirt times the job itself; virsh's return
 * is later than the switch-over: LIBVIRT-NOTES §3). A failed or timed-out migration is a result: the domain
 * keeps running on the source, and migcost aborts the job (`domjobabort`) at the time-out.
 */
import { spawn } from 'node:child_process';
import type { RoundTrace, TechniqueOptions } from '../../model/types.js';
import type { Measured } from '../../model/sample.js';
import { LibvirtError, Virsh, checkDomainName, intField, jobInfo, optionalInt, type JobStats } from './virsh.js';
import { refuseIfJobActive } from './sample.js';
import { FirstPassClock } from './first-pass.js';
import { watchDomainEvents } from './events.js';
import { techniqueArgs, techniqueMeasuredLibvirt } from './technique-args.js';
import { postcopyTrigger } from '../qemu/technique-settings.js';

export interface LibvirtMigrationOptions {
  source: Virsh;
  domain: string;
  /** The destination libvirt URI as the client sees it (e.g. qemu+ssh://host/system). */
  destinationUri: string;
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  autoConverge: boolean;
  timeoutSec: number;
  /** The technique (absent: plain pre-copy as `autoConverge` says). */
  technique?: TechniqueOptions;
  /** A domain XML for the destination (`virsh migrate --xml`), e.g. from `dumpxml --migratable` with other paths. */
  xmlFile?: string;
  /** Peer-to-peer: the source daemon connects to the destination. */
  p2p?: boolean;
  pollMs?: number;
  onProgress?: (stats: JobStats, elapsedSec: number) => void;
  signal?: AbortSignal;
}

export interface LibvirtMigrationResult {
  measured: Measured;
  trace: RoundTrace[];
  /** Where the domain runs afterwards. */
  domainOn: 'destination' | 'source';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** libvirt's --bandwidth is whole MiB/s; at least 1. */
export function bandwidthMiB(bytesPerSec: number): number {
  if (!(bytesPerSec > 0) || !Number.isFinite(bytesPerSec)) throw new LibvirtError(`bandwidth: ${bytesPerSec} B/s must be a positive finite rate`);
  return Math.max(1, Math.round(bytesPerSec / 2 ** 20));
}

/** The argument array of `virsh migrate` for these options (no shell is involved). */
export function migrateArgs(o: LibvirtMigrationOptions): string[] {
  const args = ['migrate', '--live', '--domain', checkDomainName('--domain', o.domain), '--desturi', o.destinationUri, '--bandwidth', String(bandwidthMiB(o.bandwidthBytesPerSec))];
  const t = techniqueArgs(o.technique);
  if (o.autoConverge && !t.includes('--auto-converge')) args.push('--auto-converge');
  args.push(...t);
  if (o.p2p) args.push('--p2p');
  if (o.xmlFile) args.push('--xml', o.xmlFile);
  return args;
}

/** Runs one live migration to its end through libvirt. Throws only before the start (a job already running, bad options). */
export async function migrateDomain(o: LibvirtMigrationOptions): Promise<LibvirtMigrationResult> {
  const v = o.source;
  const domain = checkDomainName('--domain', o.domain);
  await refuseIfJobActive(v, domain);
  const oldDowntime = (await v.run(['migrate-getmaxdowntime', '--domain', domain])).trim();
  if (!/^\d+$/.test(oldDowntime)) throw new LibvirtError(`migrate-getmaxdowntime: "${oldDowntime}" is not a whole number of ms`);
  const dest = new Virsh(o.destinationUri, { binary: v.binary });
  await v.run(['migrate-setmaxdowntime', '--domain', domain, '--downtime', String(Math.max(1, Math.round(o.downtimeLimitSec * 1000)))]);
  let stillOnSource = true;
  // The setup before the first pass, measured on libvirt's job clock (first-pass.ts).
  const clock = new FirstPassClock();
  let switchedAtMs: number | undefined;
  let completedStats: JobStats | undefined;
  const events = watchDomainEvents(v, domain, (e) => {
    if (e.kind === 'iteration') clock.observeEvent(e);
    else if (e.kind === 'lifecycle' && e.event === 'Suspended' && e.detail === 'Post-copy') switchedAtMs ??= e.atMs;
    else if (e.kind === 'job-completed') completedStats = e.stats;
  });
  const trigger = postcopyTrigger(o.technique);
  let postcopyIssued = false;
  let bytesBeforeSwitch = 0;
  let postcopyError: string | undefined;
  try {
    await events.ready;
    const t0 = Date.now();
    const child = spawn(v.binary, ['-q', '-c', v.uri, ...migrateArgs(o)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((r) => child.once('close', (c) => { exitCode = c; r(); }));
    const trace: RoundTrace[] = [];
    let iteration = 0;
    let roundStart = { t: t0, processed: 0 };
    let remainingBeforeSync = 0;
    let processedBeforeSync = 0;
    let maxThrottle = 0;
    let aborted = false;
    while (exitCode === undefined) {
      await Promise.race([exited, sleep(o.pollMs ?? 200)]);
      if (exitCode !== undefined) break;
      let j: JobStats;
      try {
        j = await jobInfo(v, domain);
      } catch {
        continue; // the domain left the source between two polls
      }
      const now = Date.now();
      if (j.type === 'unbounded' || j.type === 'bounded') {
        clock.observePoll(j, now, o.bandwidthBytesPerSec);
        const it = optionalInt(j.stats, 'memory_iteration') ?? 0;
        const processed = optionalInt(j.stats, 'memory_processed') ?? 0;
        const remaining = optionalInt(j.stats, 'memory_remaining') ?? 0;
        // libvirt's key is auto_converge_throttle (VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE), present while throttling.
        const throttle = optionalInt(j.stats, 'auto_converge_throttle') ?? optionalInt(j.stats, 'memory_auto_converge_throttle') ?? 0;
        maxThrottle = Math.max(maxThrottle, throttle / 100);
        if (it > iteration) {
          // A new pass: what the previous one sent, and what the bitmap sync added to `remaining`.
          if (iteration >= 1) {
            trace.push({
              round: trace.length,
              kind: 'pre-copy',
              sentBytes: processed - roundStart.processed,
              durationSec: (now - roundStart.t) / 1000,
              rateBytesPerSec: o.bandwidthBytesPerSec,
              dirtiedBytes: Math.max(0, remaining - remainingBeforeSync + (processed - processedBeforeSync)),
              skippedBytes: 0,
              remainingBytes: remaining,
              throttle: throttle / 100,
            });
          }
          iteration = it;
          roundStart = { t: now, processed };
        }
        remainingBeforeSync = remaining;
        processedBeforeSync = processed;
        if (switchedAtMs === undefined) bytesBeforeSwitch = processed;
        // Post-copy: switch after the trigger's passes (QEMU's sync count is one ahead: the setup sync) or time.
        if (trigger && !postcopyIssued && (it >= trigger.passes + 1 || (now - t0) / 1000 >= trigger.sec)) {
          postcopyIssued = true;
          await v.run(['migrate-postcopy', '--domain', domain]).catch((e: Error) => (postcopyError = e.message));
        }
        o.onProgress?.(j, (now - t0) / 1000);
      }
      if (!aborted && ((now - t0) / 1000 > o.timeoutSec || o.signal?.aborted)) {
        aborted = true;
        await v.run(['domjobabort', '--domain', domain]).catch(() => {});
      }
    }
    await exited;
    await events.stop(); // the source's job-completed event is in
    const setup = clock.setup();
    let measured: Measured;
    if (exitCode === 0) {
      stillOnSource = false;
      // The destination's completed job; after post-copy it has none (LIBVIRT-NOTES §3): the source's event then.
      const fromDest = await jobInfo(dest, domain, { completed: true }).catch((e: Error) => e);
      let stats: JobStats;
      if (!(fromDest instanceof Error) && fromDest.type === 'completed') stats = fromDest;
      else if (completedStats) stats = completedStats;
      else if (fromDest instanceof Error) throw fromDest;
      else stats = fromDest; // measuredFromCompleted says what the job is instead
      measured = measuredFromCompleted(stats);
      measured.setupSec = Math.max(measured.setupSec, setup.setupSec);
      measured.setupMeasuredBy = setup.from;
      const start = clock.jobStartMs;
      const switched = switchedAtMs !== undefined && start !== undefined ? { switchSec: Math.max(0, (switchedAtMs - start) / 1000), bytesAtSwitch: bytesBeforeSwitch } : undefined;
      Object.assign(measured, techniqueMeasuredLibvirt(o.technique, stats, switched));
      const postcopyBytes = measured.postcopyBytes ?? 0;
      const lastSent = trace.reduce((s, r) => s + r.sentBytes, 0);
      trace.push({ round: trace.length, kind: 'stop-copy', sentBytes: Math.max(0, measured.transferredBytes - lastSent - postcopyBytes), durationSec: measured.downtimeSec, rateBytesPerSec: 0, dirtiedBytes: 0, skippedBytes: 0, remainingBytes: 0, throttle: maxThrottle });
      if (switched) {
        const phase = measured.postcopyPhaseSec ?? 0;
        trace.push({ round: trace.length, kind: 'post-copy', sentBytes: postcopyBytes, durationSec: phase, rateBytesPerSec: phase > 0 ? postcopyBytes / phase : 0, dirtiedBytes: 0, skippedBytes: 0, remainingBytes: 0, throttle: 0 });
      }
      measured.maxThrottle = maxThrottle;
    } else {
      const msg = stderr.trim().replace(/^error:\s*/gm, '').split('\n').filter(Boolean).join('; ');
      measured = {
        status: aborted ? 'cancelled' : 'failed',
        totalTimeSec: (Date.now() - t0) / 1000,
        downtimeSec: 0,
        transferredBytes: trace.reduce((s, r) => s + r.sentBytes, 0),
        rounds: Math.max(0, iteration - 1),
        converged: false,
        setupSec: setup.setupSec,
        setupMeasuredBy: setup.from,
        maxThrottle,
        error: aborted ? (o.signal?.aborted ? 'cancelled: interrupted' : `cancelled after the ${o.timeoutSec} s time-out`) : msg || `virsh migrate exited ${exitCode}`,
        ...(o.technique ? { technique: o.technique.name } : {}),
      };
      if (postcopyError) measured.error += `; migrate-postcopy: ${postcopyError}`;
    }
    return { measured, trace, domainOn: stillOnSource ? 'source' : 'destination' };
  } finally {
    await events.stop();
    // The downtime limit sticks to the source domain: put it back where the domain stayed.
    if (stillOnSource) await v.run(['migrate-setmaxdowntime', '--domain', domain, '--downtime', oldDowntime]).catch(() => {});
  }
}

/** The measured outcome from libvirt's completed-job statistics (the destination's `domjobinfo --completed --rawstats`). */
export function measuredFromCompleted(j: JobStats): Measured {
  if (j.type !== 'completed') throw new LibvirtError(`domjobinfo --completed: the job is ${j.type}, not completed`);
  const s = j.stats;
  const iteration = intField(s, 'memory_iteration', 'domjobinfo');
  return {
    status: 'completed',
    totalTimeSec: intField(s, 'time_elapsed', 'domjobinfo') / 1000,
    downtimeSec: intField(s, 'downtime', 'domjobinfo') / 1000,
    transferredBytes: intField(s, 'memory_processed', 'domjobinfo'),
    // memory_iteration is QEMU's dirty-sync-count: the setup sync and the final one are not pre-copy rounds.
    rounds: Math.max(0, iteration - 2),
    converged: true,
    setupSec: (optionalInt(s, 'setup_time') ?? 0) / 1000,
    zeroPages: optionalInt(s, 'memory_constant'),
    normalPages: optionalInt(s, 'memory_normal'),
    dirtySyncCount: iteration,
  };
}
