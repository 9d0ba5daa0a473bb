/**
 * The QMP driver's post-copy (no QEMU: a scripted monitor answering as QEMU 10 does, TECHNIQUES-NOTES §1): it sets
 * max-postcopy-bandwidth before `migrate`, issues `migrate-start-postcopy` once after pass N or S seconds, follows
 * the post-copy phase into the measured fields and the trace, and does not cancel a switched migration at its
 * time-out (QEMU refuses; the phase runs to its end).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runMigration } from '../../src/hypervisor/qemu/migrate.js';
import type { Monitor, QueryMigrate } from '../../src/hypervisor/qemu/qmp.js';
import type { TechniqueOptions } from '../../src/model/types.js';
import { MiB } from '../helpers.js';

interface Script {
  /** Polls in `active` before the first pass ends (dirty-sync-count 1 -> 2); Infinity: it never does. */
  pass1Polls: number;
  /** Polls in `postcopy-active` after the switch. */
  postcopyPolls: number;
  /** How the post-copy phase ends. */
  end?: 'completed' | 'failed';
}

/** A monitor that logs every command (with ms since `migrate`) and answers query-migrate from the script. */
function scriptedQemu(s: Script) {
  const log: { cmd: string; args?: Record<string, unknown>; atMs: number }[] = [];
  let startedAt = 0;
  let polls = 0;
  let status = 'none';
  let switchRequested = false;
  let postcopyPolls = 0;
  const ram = (sync: number, extra: Partial<NonNullable<QueryMigrate['ram']>> = {}): NonNullable<QueryMigrate['ram']> => ({
    transferred: polls * MiB, remaining: 64 * MiB, total: 256 * MiB, duplicate: 0, normal: polls * 256, 'normal-bytes': polls * MiB, 'dirty-pages-rate': 0, mbps: 0, 'dirty-sync-count': sync, 'page-size': 4096, ...extra,
  });
  const m: Monitor = {
    async execute<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
      log.push({ cmd, args, atMs: startedAt ? Date.now() - startedAt : 0 });
      if (cmd === 'query-migrate-capabilities') return ['events', 'auto-converge', 'pause-before-switchover', 'postcopy-ram', 'xbzrle', 'multifd'].map((capability) => ({ capability, state: false })) as T;
      if (cmd === 'query-migrate-parameters') return { 'max-bandwidth': 1e9, 'downtime-limit': 300, 'max-postcopy-bandwidth': 0, 'xbzrle-cache-size': 64 * MiB, 'multifd-channels': 2, 'multifd-compression': 'none' } as T;
      if (cmd === 'migrate') {
        startedAt = Date.now();
        status = 'active';
      }
      if (cmd === 'migrate-start-postcopy') switchRequested = true;
      if (cmd === 'migrate_cancel') {
        if (status.startsWith('postcopy')) throw new Error('Postcopy migration in progress, cannot cancel.');
        status = 'cancelled';
      }
      return {} as T;
    },
    async queryMigrate(): Promise<QueryMigrate> {
      if (status === 'none' || status === 'cancelled') return { status };
      polls++;
      const sync = polls > s.pass1Polls ? 2 : 1;
      if (status === 'active' && switchRequested) status = 'postcopy-active';
      if (status === 'postcopy-active' && ++postcopyPolls > s.postcopyPolls) status = s.end ?? 'completed';
      const totalMs = Date.now() - startedAt;
      if (status === 'failed') return { status, 'error-desc': 'destination gone' };
      const pc = status !== 'active' ? { 'postcopy-bytes': 32 * MiB, 'postcopy-requests': 17 } : {};
      return { status, 'total-time': totalMs, downtime: 2, 'setup-time': 1, ram: ram(sync, pc) };
    },
    async queryStatus() {
      return { status: 'postmigrate', running: false };
    },
    async vcpuThreadIds() {
      return [];
    },
    on: () => undefined,
    off: () => undefined,
  };
  return { m, log };
}

const run = (m: Monitor, technique: TechniqueOptions, timeoutSec = 30) =>
  runMigration({ source: m, uri: 'tcp:127.0.0.1:1', bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec, technique, pollMs: 5 });

describe('the QMP driver runs post-copy as the lab preset sets it', () => {
  it('sets max-postcopy-bandwidth before migrate, switches after pass 1, measures the phase and the remote faults', async () => {
    const q = scriptedQemu({ pass1Polls: 4, postcopyPolls: 6 });
    const r = await run(q.m, { name: 'postcopy', maxPostcopyBandwidthBytesPerSec: 30 * MiB, postcopyAfterPasses: 1 });
    const setIx = q.log.findIndex((c) => c.cmd === 'migrate-set-parameters' && c.args?.['max-postcopy-bandwidth'] === 30 * MiB);
    const migrateIx = q.log.findIndex((c) => c.cmd === 'migrate');
    assert.ok(setIx >= 0 && setIx < migrateIx, 'max-postcopy-bandwidth set before migrate');
    const switches = q.log.filter((c) => c.cmd === 'migrate-start-postcopy');
    assert.equal(switches.length, 1, 'migrate-start-postcopy issued once');
    // issued on the poll that saw dirty-sync-count 2 (the 5th), not before
    const pollsBefore = q.log.slice(0, q.log.indexOf(switches[0])).filter((c) => c.cmd === 'migrate-start-postcopy').length;
    assert.equal(pollsBefore, 0);
    assert.equal(r.measured.status, 'completed');
    assert.equal(r.measured.technique, 'postcopy');
    assert.equal(r.measured.remoteFaults, 17);
    assert.equal(r.measured.postcopyBytes, 32 * MiB);
    assert.ok(r.measured.postcopyPhaseSec! > 0 && r.measured.switchoverSec! > 0, JSON.stringify(r.measured));
    assert.ok(Math.abs(r.measured.switchoverSec! + r.measured.postcopyPhaseSec! - r.measured.totalTimeSec) < 1e-9, 'switch + phase = total');
    assert.equal(r.measured.postcopyTimedBy, 'poll', 'no MIGRATION events from this monitor: timed by the polls');
    assert.equal(r.trace.at(-1)?.kind, 'post-copy');
    // put back afterwards: the VM's own 0 (unlimited)
    assert.equal(q.log.filter((c) => c.cmd === 'migrate-set-parameters').at(-1)?.args?.['max-postcopy-bandwidth'], 0);
  });

  it('postcopyAfterSec: switches once the seconds are up, inside a first pass that has not ended', async () => {
    const q = scriptedQemu({ pass1Polls: Infinity, postcopyPolls: 3 });
    const r = await run(q.m, { name: 'postcopy', maxPostcopyBandwidthBytesPerSec: 20 * MiB, postcopyAfterSec: 0.1 });
    const sw = q.log.filter((c) => c.cmd === 'migrate-start-postcopy');
    assert.equal(sw.length, 1);
    // two Date.now() readings (the driver's start, the fake's migrate) may straddle a millisecond: 99 is on time
    assert.ok(sw[0].atMs >= 99, `issued at ${sw[0].atMs} ms`);
    assert.equal(r.measured.status, 'completed');
    assert.equal(r.measured.dirtySyncCount, 1, 'pass 1 never ended');
  });

  it('a switched migration is not cancelled at its time-out: the phase runs to completion', async () => {
    const q = scriptedQemu({ pass1Polls: 0, postcopyPolls: 30 });
    const r = await run(q.m, { name: 'postcopy', postcopyAfterPasses: 1 }, 0.05);
    assert.equal(r.measured.status, 'completed');
    assert.equal(r.measured.error, undefined);
    assert.ok(r.measured.totalTimeSec > 0.05, 'ran past its time-out');
    assert.equal(q.log.filter((c) => c.cmd === 'migrate_cancel').length, 0, 'no cancel during post-copy');
  });

  it('a post-copy phase that fails is recorded as failed, with QEMU’s reason, not as cancelled', async () => {
    const q = scriptedQemu({ pass1Polls: 0, postcopyPolls: 30, end: 'failed' });
    const r = await run(q.m, { name: 'postcopy', postcopyAfterPasses: 1 }, 0.05);
    assert.equal(r.measured.status, 'failed');
    assert.equal(r.measured.error, 'destination gone');
  });

  it('before the switch, the time-out still cancels', async () => {
    const q = scriptedQemu({ pass1Polls: Infinity, postcopyPolls: 3 });
    const r = await run(q.m, { name: 'postcopy', postcopyAfterPasses: 1 }, 0.05);
    assert.equal(r.measured.status, 'cancelled');
    assert.equal(q.log.filter((c) => c.cmd === 'migrate-start-postcopy').length, 0);
  });
});
