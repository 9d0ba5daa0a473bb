/**
 * POST /v1/execute moves only what the operator allowed (serve --allow-dest): listed destinations and QMP
 * sockets, tcp: and unix: URIs, never exec:, a bounded time-out; everything else is a 400 naming the field and
 * nothing runs. The real fastify app, in process, with a move runner that only records what it was asked.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/http/app.js';
import type { MoveRunner } from '../../src/http/routes/execute.js';
import { openStore } from '../../src/store/store.js';
import { allowedTargetsFromFile, checkTarget, uriShapeIssue } from '../../src/hypervisor/qemu/migration-target.js';
import { fakeRecord } from '../store/fixtures.js';

const TOKEN = 'allow-token-1234';
const dir = mkdtempSync(join(tmpdir(), 'migcost-allow-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const move = { vm: 'vm1', from: 'h1', to: 'h2', bandwidthBytesPerSec: 1e8, predicted: { totalTimeSec: 1 } };

async function appWith(allowDest?: string) {
  const ran: string[] = [];
  const runMove: MoveRunner = async (m, t) => {
    ran.push('qmp' in t ? `${t.qmp} ${t.uri}` : `${t.libvirt} ${t.domain} ${t.dest} ${t.xml ?? '-'}`);
    return fakeRecord(1, 3);
  };
  const store = await openStore(join(dir, `${Math.random()}.sqlite`));
  const app = buildApp({ store, token: TOKEN, runMove, webRoot: false, allowedTargets: allowDest ? allowedTargetsFromFile(allowDest) : undefined });
  const post = (vm: { qmp: string; uri: string }, extra: Record<string, unknown> = {}) =>
    app.inject({ method: 'POST', url: '/v1/execute', headers: { authorization: `Bearer ${TOKEN}` }, payload: { plan: { moves: [move] }, targets: { vms: { vm1: vm } }, ...extra } });
  const job = async (id: string) => (await app.inject({ method: 'GET', url: `/v1/jobs/${id}` })).json() as { state: string };
  return { ran, post, job, close: async () => { await app.close(); await store.close(); } };
}

describe('POST /v1/execute: only what the operator allowed', () => {
  const file = join(dir, 'targets.json');
  writeFileSync(file, JSON.stringify({ vms: { vm1: { qmp: '/run/vm1.qmp', uri: 'tcp:10.0.0.2:4444' } }, destinations: ['tcp:10.0.0.3:*', 'unix:/run/incoming.sock'] }));

  it('refuses every move when serve was given no --allow-dest', async () => {
    const a = await appWith();
    const r = await a.post({ qmp: '/run/vm1.qmp', uri: 'tcp:10.0.0.2:4444' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'targets.vms.vm1.uri');
    assert.deepEqual(a.ran, []);
    await a.close();
  });

  it('400 naming the field for a shell, an unlisted destination or socket, a bad scheme, an unbounded time-out', async () => {
    const a = await appWith(file);
    const cases: [{ qmp: string; uri: string }, Record<string, unknown>, string, RegExp][] = [
      [{ qmp: '/run/vm1.qmp', uri: 'exec:cat > /dev/null' }, {}, 'targets.vms.vm1.uri', /exec: URIs are never accepted/],
      [{ qmp: '/run/vm1.qmp', uri: 'EXEC:sh -c id' }, {}, 'targets.vms.vm1.uri', /never accepted/],
      [{ qmp: '/run/vm1.qmp', uri: 'tcp:10.9.9.9:4444' }, {}, 'targets.vms.vm1.uri', /not a destination the operator allowed/],
      [{ qmp: '/run/vm1.qmp', uri: 'tcp:10.0.0.2:4445' }, {}, 'targets.vms.vm1.uri', /not a destination/],
      [{ qmp: '/run/vm1.qmp', uri: 'tcp:10.0.0.2:4444;id' }, {}, 'targets.vms.vm1.uri', /must be tcp:HOST:PORT or unix:\/PATH/],
      [{ qmp: '/run/vm1.qmp', uri: 'fd:3' }, {}, 'targets.vms.vm1.uri', /must be tcp:HOST:PORT/],
      [{ qmp: '/run/vm1.qmp', uri: 'file:/tmp/ram' }, {}, 'targets.vms.vm1.uri', /must be tcp:HOST:PORT/],
      [{ qmp: '/var/run/postgresql/.s.PGSQL.5432', uri: 'tcp:10.0.0.2:4444' }, {}, 'targets.vms.vm1.qmp', /not a QMP socket the operator listed/],
      [{ qmp: '/run/../run/vm2.qmp', uri: 'tcp:10.0.0.2:4444' }, {}, 'targets.vms.vm1.qmp', /not a QMP socket/],
      [{ qmp: '/run/vm1.qmp', uri: 'tcp:10.0.0.2:4444' }, { timeout: '25h' }, 'timeout', /at most 86400 s/],
      [{ qmp: '/run/vm1.qmp', uri: 'tcp:10.0.0.2:4444' }, { timeout: 0 }, 'timeout', /greater than 0/],
    ];
    for (const [vm, extra, field, message] of cases) {
      const r = await a.post(vm, extra);
      assert.equal(r.statusCode, 400, `${JSON.stringify(vm)} ${JSON.stringify(extra)}`);
      assert.equal(r.json().field, field, JSON.stringify(vm));
      assert.match(r.json().message ?? r.json().error, message);
    }
    assert.deepEqual(a.ran, [], 'nothing ran');
    await a.close();
  });

  it('accepts the listed destinations (exact, any port of a listed host, unix) and sockets', async () => {
    const a = await appWith(file);
    for (const uri of ['tcp:10.0.0.2:4444', 'tcp:10.0.0.3:5000', 'unix:/run/incoming.sock']) {
      const r = await a.post({ qmp: '/run/vm1.qmp', uri }, { timeout: '1h' });
      assert.equal(r.statusCode, 202, r.body);
      for (let i = 0; i < 200 && (await a.job(r.json().id)).state === 'running'; i++) await new Promise((res) => setTimeout(res, 10));
    }
    assert.deepEqual(a.ran, ['/run/vm1.qmp tcp:10.0.0.2:4444', '/run/vm1.qmp tcp:10.0.0.3:5000', '/run/vm1.qmp unix:/run/incoming.sock']);
    await a.close();
  });
});

describe('migration URIs and targets (pure checks)', () => {
  it('takes tcp: and unix: URIs only', () => {
    assert.equal(uriShapeIssue('tcp:10.0.0.2:4444'), undefined);
    assert.equal(uriShapeIssue('tcp:[::1]:4444'), undefined);
    assert.equal(uriShapeIssue('unix:/run/x.sock'), undefined);
    assert.match(uriShapeIssue('tcp:10.0.0.2:70000') ?? '', /port outside/);
    assert.match(uriShapeIssue('rdma:10.0.0.2:4444') ?? '', /must be tcp/);
    assert.match(uriShapeIssue('exec:true') ?? '', /never accepted/);
  });

  it('a wildcard port allows digits only', () => {
    const allowed = { destinations: ['tcp:h:*'], qmpSockets: ['/q'] };
    assert.equal(checkTarget({ qmp: '/q', uri: 'tcp:h:1' }, allowed, 't'), undefined);
    assert.equal(checkTarget({ qmp: '/q', uri: 'tcp:hx:1' }, allowed, 't')?.field, 't.uri');
    assert.equal(checkTarget({ qmp: 'q', uri: 'tcp:h:1' }, allowed, 't')?.field, 't.qmp');
  });

  it('an allow list with an exec: destination is refused when read', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ vms: { vm1: { qmp: '/q', uri: 'exec:sh' } } }));
    assert.throws(() => allowedTargetsFromFile(bad), /destination exec:sh exec: URIs are never accepted/);
  });
});
