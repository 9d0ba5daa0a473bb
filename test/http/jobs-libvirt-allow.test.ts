/**
 * The libvirt form of the service's allow-list and the jobs that follow a migration, without a daemon: POST
 * /v1/execute refuses a libvirt move the operator did not list (source connection, domain, destination, a
 * program-running URI, an XML from the request) with a 400 naming the field, and runs a listed one with the XML
 * the operator gave; POST /v1/jobs follows only listed domains and sockets; GET /v1/jobs/{id} carries the lines
 * `watch --json` would print for the same readings (a scripted reader stands in for domjobinfo).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/http/app.js';
import type { MoveRunner } from '../../src/http/routes/execute.js';
import type { ReaderFactory } from '../../src/http/routes/jobs.js';
import { openStore } from '../../src/store/store.js';
import { allowedTargetsFromFile } from '../../src/hypervisor/qemu/migration-target.js';
import { allowedFromFlags, libvirtUriIssue, parseAllowedDomain } from '../../src/hypervisor/libvirt/migration-target.js';
import { MigrationWatch, type Reading } from '../../src/hypervisor/watch.js';
import type { InFlight } from '../../src/model/in-flight.js';
import { fakeRecord } from '../store/fixtures.js';

const TOKEN = 'jobs-token-123456';
const MiB = 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'migcost-jobs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const SRC = 'qemu+ssh://root@h1/system';
const DST = 'qemu+ssh://root@h2/system';
const move = { vm: 'vm1', from: 'h1', to: 'h2', bandwidthBytesPerSec: 1e8, predicted: { totalTimeSec: 1 } };

const state = (o: Partial<InFlight>): InFlight => ({ elapsedSec: 1, transferredBytes: 100 * MiB, remainingBytes: 900 * MiB, memoryBytes: 1024 * MiB, syncs: 1, dirtyRateBytesPerSec: 0, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, throttle: 0, ...o });
/** A migration as domjobinfo would show it: not started, the first pass, two later passes (the second finds more dirt), gone. */
const script: Reading[] = [
  { status: 'none' },
  { status: 'active', state: state({}) },
  { status: 'active', state: state({ elapsedSec: 11, transferredBytes: 1100 * MiB, remainingBytes: 100 * MiB, syncs: 2, dirtyRateBytesPerSec: 20 * MiB }) },
  { status: 'active', state: state({ elapsedSec: 12, transferredBytes: 1200 * MiB, remainingBytes: 300 * MiB, syncs: 3, dirtyRateBytesPerSec: 60 * MiB }) },
  { status: 'active', state: state({ elapsedSec: 12.5, transferredBytes: 1250 * MiB, remainingBytes: 250 * MiB, syncs: 3, dirtyRateBytesPerSec: 60 * MiB }) },
];
const scripted: ReaderFactory = async () => {
  let i = 0;
  return {
    read: async () => {
      if (i < script.length) return script[i++];
      throw new Error("error: failed to get domain 'vm1'");
    },
    close: () => {},
  };
};

async function appWith(allowed: ReturnType<typeof allowedTargetsFromFile> | undefined) {
  const ran: string[] = [];
  const runMove: MoveRunner = async (m, t) => {
    ran.push('qmp' in t ? `${t.qmp} ${t.uri}` : `${t.libvirt} ${t.domain} ${t.dest} ${t.xml ?? '-'}`);
    return fakeRecord(1, 3);
  };
  const store = await openStore(join(dir, `${Math.random()}.sqlite`));
  const app = buildApp({ store, token: TOKEN, runMove, webRoot: false, allowedTargets: allowed, jobReaders: scripted, jobIntervalSec: 0.02 });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${TOKEN}` }, payload });
  const job = async (id: string) => (await app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json();
  const settled = async (id: string) => {
    for (let i = 0; i < 500; i++) {
      const j = await job(id);
      if (j.state !== 'running') return j;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the job did not end');
  };
  return { ran, post, job, settled, close: async () => { await app.close(); await store.close(); } };
}

const file = join(dir, 'targets.json');
writeFileSync(file, JSON.stringify({
  vms: { vm1: { libvirt: SRC, dest: DST, xml: '/etc/migcost/vm1-on-h2.xml' } },
  libvirt: { domains: [{ uri: SRC, domain: 'vm2' }], destinations: ['qemu+tls://h3/system'] },
  qmpSockets: ['/run/vm9.qmp'],
}));

describe('POST /v1/execute with libvirt targets: only what the operator allowed', () => {
  it('400 naming the field for an unlisted connection, domain or destination, a program to run, an XML from the request', async () => {
    const a = await appWith(allowedTargetsFromFile(file));
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ libvirt: 'qemu+ssh://root@h9/system', dest: DST }, 'targets.vms.vm1.libvirt', /not a libvirt connection the operator listed/],
      [{ libvirt: 'qemu+ext:///system?command=/bin/sh', dest: DST }, 'targets.vms.vm1.libvirt', /ext transport/],
      [{ libvirt: SRC, domain: 'vm3', dest: DST }, 'targets.vms.vm1.domain', /not a domain the operator listed/],
      [{ libvirt: SRC, dest: 'qemu+ssh://root@h9/system' }, 'targets.vms.vm1.dest', /not a destination the operator allowed/],
      [{ libvirt: SRC, dest: 'qemu+ssh://h2/system?netcat=/tmp/x' }, 'targets.vms.vm1.dest', /program to run/],
      [{ libvirt: SRC, dest: 'h2' }, 'targets.vms.vm1.dest', /must be a libvirt URI/],
      [{ libvirt: SRC }, 'targets.vms.vm1.dest', /must give the destination/],
      [{ libvirt: SRC, dest: DST, xml: '/etc/shadow' }, 'targets.vms.vm1.xml', /only from the operator's targets file/],
    ];
    for (const [target, field, message] of cases) {
      const r = await a.post('/v1/execute', { plan: { moves: [move] }, targets: { vms: { vm1: target } } });
      assert.equal(r.statusCode, 400, JSON.stringify(target));
      assert.equal(r.json().field, field, JSON.stringify(target));
      assert.match(r.json().message, message);
    }
    assert.deepEqual(a.ran, [], 'nothing ran');
    await a.close();
  });

  it('refuses every libvirt move without a libvirt allow-list', async () => {
    const a = await appWith(undefined);
    const r = await a.post('/v1/execute', { plan: { moves: [move] }, targets: { vms: { vm1: { libvirt: SRC, dest: DST } } } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'targets.vms.vm1.libvirt');
    await a.close();
  });

  it('runs a listed move with the XML the operator gave; the job follows it as watch would', async () => {
    const a = await appWith(allowedTargetsFromFile(file));
    const r = await a.post('/v1/execute', { plan: { moves: [move, { ...move, vm: 'vm2' }] }, targets: { vms: { vm1: { libvirt: SRC, dest: DST }, vm2: { libvirt: SRC, domain: 'vm2', dest: 'qemu+tls://h3/system' } } } });
    assert.equal(r.statusCode, 202, r.body);
    const j = await a.settled(r.json().id);
    assert.equal(j.state, 'done');
    assert.deepEqual(a.ran, [`${SRC} vm1 ${DST} /etc/migcost/vm1-on-h2.xml`, `${SRC} vm2 qemu+tls://h3/system -`]);
    assert.equal(j.done.length, 2);
    await a.close();
  });
});

describe('POST /v1/jobs and GET /v1/jobs/{id}', () => {
  it('400 naming the field for what is not on the allow-list or not well formed', async () => {
    const a = await appWith(allowedTargetsFromFile(file));
    const cases: [Record<string, unknown>, string][] = [
      [{ libvirt: SRC, domain: 'vm3' }, 'domain'],
      [{ libvirt: DST, domain: 'vm1' }, 'libvirt'],
      [{ libvirt: SRC }, 'domain'],
      [{ qmp: '/run/vm1.qmp' }, 'qmp'],
      [{ qmp: '/run/vm9.qmp', domain: 'vm1' }, 'domain'],
      [{ qmp: '/run/vm9.qmp', libvirt: SRC, domain: 'vm1' }, 'qmp'],
      [{ libvirt: SRC, domain: 'vm1', platformTimeouts: 'ovirt' }, 'platformTimeouts'],
      [{ libvirt: SRC, domain: 'vm1', completionTimeout: '10m', platformTimeouts: 'nova' }, 'completionTimeout'],
      [{ libvirt: SRC, domain: 'vm1', wait: '2h' }, 'wait'],
    ];
    for (const [body, field] of cases) {
      const r = await a.post('/v1/jobs', body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(r.json().field, field, JSON.stringify(body));
    }
    await a.close();
  });

  it('carries the figures watch --json prints for the same readings, the warning, and the outcome', async () => {
    const a = await appWith(allowedTargetsFromFile(file));
    const r = await a.post('/v1/jobs', { libvirt: SRC, domain: 'vm1', completionTimeout: '13s' });
    assert.equal(r.statusCode, 202, r.body);
    assert.equal(r.json().kind, 'follow');
    const j = await a.settled(r.json().id);
    const watch = new MigrationWatch({ completionTimeoutSec: 13 });
    const lines = script.slice(1).map((x) => watch.line(x)!);
    assert.deepEqual(j.inFlight, lines.at(-1), 'the last reading, as watch --json prints it');
    // The third reading found more dirt: its own prediction's progress is lower, the line holds the second's.
    assert.ok(lines[2].progress === lines[1].progress && lines[1].progress > lines[0].progress);
    assert.equal(lines[1].warning, undefined, 'the second reading ends in time: 11 s + 1 s for the 100 MiB left + 0.2 s for the 20 MiB dirtied meanwhile = 12.2 s < 13 s');
    // The third and fourth readings both end after it: the warning comes with the second of them (two in a row).
    assert.equal(lines[2].warning, undefined, 'one reading past the time-out is not enough');
    assert.match(lines[3].warning ?? '', /completion time-out at 13 s/);
    assert.deepEqual(j.outcome, { status: 'left-source', lastPrediction: { totalTimeSec: lines[3].totalTimeSec }, warned: true });
    assert.equal(j.state, 'done');
    await a.close();
  });

  it('a follow with no migration starting within the wait fails, saying so; an unknown job is a 404', async () => {
    const a = await appWith(allowedTargetsFromFile(file));
    const never: ReaderFactory = async () => ({ read: async () => ({ status: 'none' }), close: () => {} });
    const store = await openStore(join(dir, 'never.sqlite'));
    const app = buildApp({ store, token: TOKEN, webRoot: false, allowedTargets: allowedTargetsFromFile(file), jobReaders: never, jobIntervalSec: 0.02 });
    const r = await app.inject({ method: 'POST', url: '/v1/jobs', headers: { authorization: `Bearer ${TOKEN}` }, payload: { qmp: '/run/vm9.qmp', wait: '300ms' } });
    assert.equal(r.statusCode, 202);
    let j;
    for (let i = 0; i < 200; i++) {
      j = (await app.inject({ method: 'GET', url: `/v1/jobs/${r.json().id}` })).json();
      if (j.state !== 'running') break;
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(j.state, 'failed');
    assert.match(j.error, /no migration started within 0.3 s/);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/jobs/nope' })).statusCode, 404);
    const unauth = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { qmp: '/run/vm9.qmp' } });
    assert.equal(unauth.statusCode, 401);
    await app.close();
    await store.close();
    await a.close();
  });
});

describe('the libvirt allow-list (pure checks)', () => {
  it('libvirt URIs: no ext transport, no program parameters', () => {
    assert.equal(libvirtUriIssue('qemu:///system'), undefined);
    assert.equal(libvirtUriIssue('qemu+unix:///session?socket=/tmp/s/libvirt-sock'), undefined);
    assert.match(libvirtUriIssue('qemu+ext:///system') ?? '', /ext transport/);
    assert.match(libvirtUriIssue('qemu+ssh://h/system?command=x') ?? '', /program/);
    assert.match(libvirtUriIssue('/run/libvirt.sock') ?? '', /must be a libvirt URI/);
  });

  it('serve flags: NAME@URI (the first @ ends the name), merged with a targets file; a bad URI is refused when read', () => {
    assert.deepEqual(parseAllowedDomain('--allow-libvirt-domain', `vm1@${SRC}`), { domain: 'vm1', uri: SRC });
    assert.throws(() => parseAllowedDomain('--allow-libvirt-domain', SRC.replace('root@', '')), /must be NAME@URI/);
    const a = allowedFromFlags(allowedTargetsFromFile(file), [`vm7@${SRC}`], ['qemu:///system'])!;
    assert.deepEqual(a.libvirt!.domains.map((d) => d.domain), ['vm1', 'vm2', 'vm7']);
    assert.deepEqual(a.libvirt!.destinations, [DST, 'qemu+tls://h3/system', 'qemu:///system']);
    assert.throws(() => allowedFromFlags(undefined, [], ['qemu+ext:///x']), /ext transport/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ libvirt: { destinations: ['qemu+ext:///system'] } }));
    assert.throws(() => allowedTargetsFromFile(bad), /ext transport/);
  });
});
