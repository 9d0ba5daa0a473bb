/** The setup before a libvirt migration's first pass, from virsh's event lines and domjobinfo polls. No daemon needed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirstPassClock } from '../../src/hypervisor/libvirt/first-pass.js';
import { EventParser, type DomainEvent } from '../../src/hypervisor/libvirt/events.js';
import type { JobStats } from '../../src/hypervisor/libvirt/virsh.js';

const poll = (elapsedMs: number, processed = 0, bps = 0): JobStats => ({
  type: 'unbounded',
  stats: new Map([['time_elapsed', String(elapsedMs)], ['memory_processed', String(processed)], ['memory_bps', String(bps)]]),
});
const T = Date.parse('2026-12-06T20:14:52.000Z');

const parse = (lines: string[]): DomainEvent[] => {
  const out: DomainEvent[] = [];
  const p = new EventParser((e) => out.push(e));
  for (const l of lines) p.line(l);
  p.flush();
  return out;
};

test("virsh event --timestamp's lines: passes, lifecycle changes, a job-completed event's statistics; others skipped", () => {
  const ev = parse([
    "2026-12-06 20:14:52.565+0000: event 'migration-iteration' for domain 'migcost-lab-1': iteration: '1'",
    "2026-12-06 21:14:53.000+0100: event 'migration-iteration' for domain 'a': iteration: '12'",
    "2026-12-06 20:14:54.000+0000: event 'lifecycle' for domain 'a': Suspended Post-copy",
    "2026-12-06 20:14:54.100+0000: event 'block-threshold' for domain 'a': dev: vda(/x) 1 0",
    "2026-12-06 20:14:55.000+0000: event 'job-completed' for domain 'a':",
    '2026-12-06 20:14:55.000+0000: \ttime_elapsed: 3120',
    '2026-12-06 20:14:55.000+0000: \tmemory_processed: 160000000',
    "2026-12-06 20:14:55.200+0000: event 'lifecycle' for domain 'a': Stopped Migrated",
    'events received: 6',
  ]);
  assert.deepEqual(ev, [
    { kind: 'iteration', atMs: T + 565, iteration: 1 },
    { kind: 'iteration', atMs: T + 1000, iteration: 12 },
    { kind: 'lifecycle', atMs: T + 2000, event: 'Suspended', detail: 'Post-copy' },
    { kind: 'job-completed', atMs: T + 3000, stats: { type: 'completed', stats: new Map([['time_elapsed', '3120'], ['memory_processed', '160000000']]) } },
    { kind: 'lifecycle', atMs: T + 3200, event: 'Stopped', detail: 'Migrated' },
  ]);
  // virsh 11 stamps the event once, its statistics on lines of their own; at the end of the stream it is emitted on flush.
  const v11 = parse(["2026-12-06 20:14:55.000+0000: event 'job-completed' for domain 'a':", '\tdowntime: 15', '\tmemory_iteration: 4']);
  assert.deepEqual(v11, [{ kind: 'job-completed', atMs: T + 3000, stats: { type: 'completed', stats: new Map([['downtime', '15'], ['memory_iteration', '4']]) } }]);
  assert.deepEqual(parse(['\tdowntime: 15', 'garbage']), [], 'statistics lines with no event before them are skipped');
});

test("the setup is the first pass's event minus the job's start, bounded by the polls' return times", () => {
  const c = new FirstPassClock();
  // The job started at T. Polls return 20 ms, 5 ms and 40 ms after the daemon read time_elapsed: the tightest bound wins.
  c.observePoll(poll(100), T + 120, 50e6);
  c.observePoll(poll(300), T + 305, 50e6);
  c.observeEvent({ atMs: T + 420, iteration: 1 });
  c.observePoll(poll(600, 9e6, 50e6), T + 640, 50e6);
  c.observeEvent({ atMs: T + 3000, iteration: 2 });
  const s = c.setup();
  assert.equal(s.from, 'event');
  assert.ok(Math.abs(s.setupSec - 0.415) < 1e-9, `${s.setupSec}`);
});

test('a missed first event falls back on the first poll with data: elapsed minus processed over the measured rate', () => {
  const c = new FirstPassClock();
  c.observePoll(poll(200), T + 210, 50e6);
  c.observePoll(poll(600, 10e6, 50e6), T + 610, 50e6); // 10 MB at 50 MB/s: data since 400 ms
  c.observePoll(poll(800, 20e6, 50e6), T + 810, 50e6);
  c.observeEvent({ atMs: T + 3000, iteration: 2 }); // pass 1's event was missed
  assert.deepEqual(c.setup(), { setupSec: 0.4, from: 'jobinfo' });
  // No measured rate yet: the cap.
  const d = new FirstPassClock();
  d.observePoll(poll(600, 10e6, 0), T + 610, 25e6);
  assert.deepEqual(d.setup(), { setupSec: 0.2, from: 'jobinfo' });
  assert.deepEqual(new FirstPassClock().setup(), { setupSec: 0, from: 'none' });
});
