/**
 * Post-copy through libvirt, for real, between the two session daemons of scripts/libvirt-test-daemons.sh: the
 * destination QEMU (user migcostb) needs userfaultfd, which the kernel gives unprivileged users only through
 * /dev/userfaultfd (vm.unprivileged_userfaultfd=0 here); the test lets migcostb's group open it and puts the
 * device's owner and mode back afterwards. A migration aborted before its switch leaves the domain on the source
 * with every setting as it was (libvirt's downtime limit and speeds; QEMU's capabilities, read through the
 * monitor pass-through of this test domain); one that switches runs its post-copy phase to the end and records it.
 * Skipped, saying why, where libvirt, root or the lab guest is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync, statSync, chmodSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { Virsh, domainInfo } from '../../src/hypervisor/libvirt/virsh.js';
import { migrateDomain } from '../../src/hypervisor/libvirt/migrate.js';
import { labAvailable } from '../../src/lab/guest.js';
import { labDomainXml, startLabDomain } from '../../src/lab/libvirt-guest.js';
import { labLibvirt } from '../../src/lab/run-libvirt.js';

const MiB = 2 ** 20;
const UFFD = '/dev/userfaultfd';

function why(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (it starts two users' libvirt daemons)";
  if (spawnSync('which', ['libvirtd']).status !== 0) return 'libvirtd not installed (scripts/test-all.sh installs it)';
  if (!existsSync(UFFD)) return 'no /dev/userfaultfd (Linux >= 6.1): the destination QEMU cannot take post-copy';
  const lab = labAvailable();
  return lab.ok ? undefined : lab.why;
}
const skip = why();

let src: Virsh;
let dst: Virsh;
let work = '';
let uffd: { uid: number; gid: number; mode: number } | undefined;
const NAME = 'migcost-test-pc';

before(async () => {
  if (skip) return;
  const lv = labLibvirt();
  src = new Virsh(lv.source);
  dst = new Virsh(lv.destination);
  const state = dirname(lv.sourceDir);
  // migcostb's QEMU may open /dev/userfaultfd (put back in after()).
  const st = statSync(UFFD);
  uffd = { uid: st.uid, gid: st.gid, mode: st.mode & 0o777 };
  const gid = Number(spawnSync('id', ['-g', 'migcostb'], { encoding: 'utf8' }).stdout.trim());
  chownSync(UFFD, st.uid, gid);
  chmodSync(UFFD, 0o660);
  for (const v of [src, dst]) await v.run(['destroy', '--domain', NAME]).catch(() => {});
  work = mkdtempSync(join(tmpdir(), 'migcost-libvirt-pc-'));
  const d = { name: NAME, uuid: '6f1c1c1e-0000-4000-8000-0000000cafe1', memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '64M', rate: 5000, pattern: 'random' }, serialPath: join(state, 'dom-migcosta', `${NAME}.log`) };
  rmSync(d.serialPath, { force: true });
  writeFileSync(join(work, 'a.xml'), labDomainXml(d));
  writeFileSync(join(work, 'b.xml'), labDomainXml({ ...d, serialPath: join(state, 'dom-migcostb', `${NAME}.log`) }));
  await startLabDomain(src, d, join(work, 'a.xml'));
});

after(async () => {
  if (skip) return;
  for (const v of [src, dst]) await v.run(['destroy', '--domain', NAME]).catch(() => {});
  if (uffd) {
    chownSync(UFFD, uffd.uid, uffd.gid);
    chmodSync(UFFD, uffd.mode);
  }
  rmSync(work, { recursive: true, force: true });
});

async function settings(v: Virsh) {
  const caps = JSON.parse(await v.run(['qemu-monitor-command', '--domain', NAME, '--cmd', '{"execute":"query-migrate-capabilities"}'])).return as { capability: string; state: boolean }[];
  return {
    downtime: (await v.run(['migrate-getmaxdowntime', '--domain', NAME])).trim(),
    speed: (await v.run(['migrate-getspeed', '--domain', NAME])).trim(),
    postcopySpeed: (await v.run(['migrate-getspeed', '--domain', NAME, '--postcopy'])).trim(),
    on: caps.filter((c) => c.state).map((c) => c.capability).sort(),
    state: (await domainInfo(v, NAME)).state,
  };
}

const options = (o: Partial<Parameters<typeof migrateDomain>[0]>) => ({
  source: src,
  domain: NAME,
  destinationUri: dst.uri,
  xmlFile: join(work, 'b.xml'),
  bandwidthBytesPerSec: 20 * MiB,
  downtimeLimitSec: 0.05,
  autoConverge: false,
  timeoutSec: 60,
  ...o,
});

test('post-copy aborted before its switch: the domain stays on the source with every setting as it was', { skip }, async () => {
  const before = await settings(src);
  assert.equal(before.on.includes('postcopy-ram'), false);
  // The switch waits for 50 passes; the 3 s time-out comes first (a 256 MiB pass at 20 MiB/s takes seconds).
  const r = await migrateDomain(options({ technique: { name: 'postcopy', postcopyAfterPasses: 50, maxPostcopyBandwidthBytesPerSec: 100 * MiB }, timeoutSec: 3 }));
  assert.equal(r.measured.status, 'cancelled');
  assert.equal(r.domainOn, 'source');
  assert.equal(r.measured.technique, 'postcopy');
  assert.deepEqual(await settings(src), before);
});

test('post-copy switched after the first pass: the phase runs to the end on the destination and is recorded', { skip }, async () => {
  const r = await migrateDomain(options({ technique: { name: 'postcopy' } }));
  assert.equal(r.measured.status, 'completed', r.measured.error);
  assert.equal(r.domainOn, 'destination');
  assert.equal((await domainInfo(dst, NAME)).state, 'running');
  const m = r.measured;
  assert.equal(m.technique, 'postcopy');
  assert.ok(m.switchoverSec !== undefined && m.switchoverSec > 0 && m.switchoverSec < m.totalTimeSec, `switch at ${m.switchoverSec} s of ${m.totalTimeSec} s`);
  assert.ok(m.postcopyPhaseSec! > 0, `phase ${m.postcopyPhaseSec} s`);
  assert.ok(m.remoteFaults! >= 0);
  assert.ok(m.setupSec > 0 && m.setupSec < 10, `setup ${m.setupSec} s (${m.setupMeasuredBy})`);
  // pre-copy passes (at least the first), the switch, the post-copy phase
  assert.deepEqual([...new Set(r.trace.map((t) => t.kind))], ['pre-copy', 'stop-copy', 'post-copy']);
  // The pages: every one went once at least, in pre-copy or pulled after the switch.
  assert.ok(m.transferredBytes > 64 * MiB, `sent ${m.transferredBytes / MiB} MiB`);
  // Nothing of the migration sticks to the domain where it now runs.
  const s = await settings(dst);
  assert.equal(s.on.includes('postcopy-ram'), false, `capabilities on the destination: ${s.on.join(', ')}`);
});
