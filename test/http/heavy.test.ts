/**
 * The CPU-heavy routes (plan, simulate, batch) run in worker threads: health answers while one runs, a full
 * queue answers 503 with Retry-After, a task past its time budget answers 503 and the pool goes on working.
 * Also: a plan of 300,000 hosts (once a stack overflow), long VM ids, an unknown simulate day, 500s logged.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { buildApp, BODY_LIMIT_BYTES, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../src/http/app.js';
import { parseCluster } from '../../src/plan/cluster.js';
import { DEFAULT_PLANETLAB_ARCHIVE } from '../../src/sim/planetlab-loader.js';
import type { Store } from '../../src/store/store.js';

const TOKEN = 'heavy-test-token-0123456789';
const apps: ReturnType<typeof buildApp>[] = [];
after(async () => {
  for (const a of apps) await a.close();
});
function app(opts: Parameters<typeof buildApp>[0] = {}) {
  const a = buildApp({ token: TOKEN, webRoot: false, ...opts });
  apps.push(a);
  return a;
}
const auth = { authorization: `Bearer ${TOKEN}` };

/** `hotHosts` hosts each holding 1.2x the VMs its CPU takes, and as many empty hosts. */
function hotCluster(hotHosts: number, vmsPerHost: number) {
  const hosts = [];
  const vms = [];
  for (let h = 0; h < hotHosts * 2; h++) hosts.push({ id: `h${h}`, cpu: vmsPerHost, memory: `${vmsPerHost}GiB` });
  for (let h = 0; h < hotHosts; h++) for (let i = 0; i < vmsPerHost * 1.2; i++) vms.push({ id: `v${h}-${i}`, host: `h${h}`, cpu: 1, memory: '1GiB', dirtyRate: `${1 + ((i * 7) % 50)}MiB/s` });
  return { hosts, vms };
}

const haveTraces = existsSync(DEFAULT_PLANETLAB_ARCHIVE);

describe('heavy requests run in worker threads', () => {
  it('health answers while a full-day simulation runs, and the simulation completes', { skip: haveTraces ? false : 'no PlanetLab traces (MIGCOST_SHARED)' }, async () => {
    const a = app();
    let simDone = false;
    const sim = a.inject({ method: 'POST', url: '/v1/simulate', headers: auth, payload: { day: '20110303' } }).then((r) => {
      simDone = true;
      return r;
    });
    // the simulation takes seconds in its worker; health, on the event loop, is answered meanwhile
    let healthWhileRunning = 0;
    for (let i = 0; i < 20 && !simDone; i++) {
      const h = await a.inject({ method: 'GET', url: '/v1/health' });
      assert.equal(h.statusCode, 200);
      if (!simDone) healthWhileRunning++;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(healthWhileRunning > 0, 'health answered before the simulation finished');
    const r = await sim;
    assert.equal(r.statusCode, 200, r.body);
    assert.ok(r.json().timeline.length > 0);
  });

  it('a plan answers what the planner answers (computed in a worker)', async () => {
    const r = await app().inject({ method: 'POST', url: '/v1/plan', payload: { cluster: hotCluster(2, 40), policy: 'optimal' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().hotBefore, ['h0', 'h1']);
    assert.equal(r.json().hotAfter.length, 0);
  });

  it('a full queue answers 503 with Retry-After; the others complete', async () => {
    const a = app({ heavy: { threads: 1, maxQueue: 1 } });
    const body = { cluster: hotCluster(4, 400), policy: 'optimal' };
    const rs = await Promise.all(Array.from({ length: 6 }, () => a.inject({ method: 'POST', url: '/v1/plan', payload: body })));
    const busy = rs.filter((r) => r.statusCode === 503);
    assert.ok(busy.length >= 1, `some 503 (got ${rs.map((r) => r.statusCode)})`);
    assert.ok(rs.filter((r) => r.statusCode === 200).length >= 2, 'the running one and the queued one complete');
    for (const r of busy) {
      assert.match(String(r.headers['retry-after']), /^\d+$/);
      assert.equal(r.json().field, 'request');
      assert.match(r.json().message, /busy/);
    }
  });

  it('a task past its time budget answers 503 with Retry-After, and the pool keeps working', async () => {
    const a = app({ heavy: { threads: 1, budgetMs: 1 } });
    const r = await a.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows: Array.from({ length: 2000 }, () => ({ memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s' })) } });
    assert.equal(r.statusCode, 503, r.body);
    assert.ok(r.headers['retry-after']);
    assert.match(r.json().message, /time budget/);
    const b = app({ heavy: { threads: 1 } });
    const ok = await b.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows: [{ memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s' }] } });
    assert.equal(ok.statusCode, 200);
  });

  it('a plan of 300,000 hosts is parsed and planned (no stack overflow from spreading the hosts)', async () => {
    const hosts = Array.from({ length: 300_000 }, (_, i) => ({ id: `h${i}`, cpu: 4, memory: 8e9 }));
    const vms = [{ id: 'v', host: 'h7', cpu: 1, memory: 7e9 }];
    assert.equal(parseCluster({ hosts, vms }).hosts.length, 300_000);
    const r = await app().inject({ method: 'POST', url: '/v1/plan', payload: { cluster: { hosts, vms } } });
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    assert.deepEqual(r.json().moves, []);
    // and a VM bigger than the biggest of them is still refused
    assert.throws(() => parseCluster({ hosts, vms: [{ id: 'v', host: 'h7', cpu: 1, memory: 9e9 }] }), /bigger than every host/);
  });
});

describe('edges of the request', () => {
  const a = app();
  it('VM ids of 101-128 characters reach the route; longer ones are a 400 naming vmId; far longer a standard 414', async () => {
    const ok = await a.inject({ method: 'GET', url: `/v1/vms/${'a'.repeat(128)}/samples` });
    assert.equal(ok.statusCode, 503); // this app has no store: the route was reached
    assert.equal(ok.json().field, 'store');
    const bad = await a.inject({ method: 'GET', url: `/v1/vms/${'a'.repeat(129)}/samples` });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'vmId');
    const far = await a.inject({ method: 'GET', url: `/v1/vms/${'a'.repeat(600)}/samples` });
    assert.equal(far.statusCode, 414);
    assert.deepEqual(Object.keys(far.json()).sort(), ['error', 'field', 'message']);
    assert.equal(far.json().field, 'url');
  });

  it('an unknown simulate day is a 400 listing the known days, without a server path', { skip: haveTraces ? false : 'no PlanetLab traces' }, async () => {
    const r = await a.inject({ method: 'POST', url: '/v1/simulate', headers: auth, payload: { day: '19990101' } });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'day');
    assert.match(r.json().message, /19990101 is not a day .*known: .*20110303/);
    assert.doesNotMatch(r.json().message, /\//);
  });

  it('sets header and request time-outs; a body over the limit is a 413, and the largest legitimate ones fit under it', async () => {
    const t = app();
    await t.ready();
    assert.equal(t.server.headersTimeout, HEADERS_TIMEOUT_MS);
    assert.equal(t.server.requestTimeout, REQUEST_TIMEOUT_MS);
    assert.ok(HEADERS_TIMEOUT_MS > 0 && REQUEST_TIMEOUT_MS > 0);
    // a 10,000-row batch, each row with a 30-point sampled curve (page-multiple byte counts), and a plan of 300,000 hosts
    const curve = Array.from({ length: 30 }, (_, i) => ({ windowSec: (i + 1) / 4, dirtiedBytes: 4096 * (123_457 + 10_007 * i) }));
    const batch = { rows: Array.from({ length: 10_000 }, (_, i) => ({ id: `row-${i}`, memory: '4GiB', bandwidth: '1Gbit/s', curve, zeroPageFraction: 0.25 })) };
    const plan = { cluster: { hosts: Array.from({ length: 300_000 }, (_, i) => ({ id: `h${i}`, cpu: 4, memory: 8e9 })), vms: [{ id: 'v', host: 'h7', cpu: 1, memory: 7e9 }] } };
    for (const body of [batch, plan]) assert.ok(Buffer.byteLength(JSON.stringify(body)) < BODY_LIMIT_BYTES);
    const big = await t.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' }, payload: `{"memory":"4GiB","pad":"${'x'.repeat(BODY_LIMIT_BYTES)}"}` });
    assert.equal(big.statusCode, 413);
  });

  it('a 500 is logged with its cause even without request logging', async () => {
    const log = new PassThrough();
    let text = '';
    log.on('data', (d) => (text += d));
    const store = { listVms: async () => { throw new Error('listVms failed', { cause: new Error('disk on fire') }); } } as unknown as Store;
    const r = await app({ store, logStream: log }).inject({ method: 'GET', url: '/v1/vms' });
    assert.equal(r.statusCode, 500);
    assert.deepEqual(r.json(), { error: 'internal error' });
    assert.match(text, /listVms failed/);
    assert.match(text, /disk on fire/);
  });

  it('the Host header must name an allowed host (421 otherwise)', async () => {
    const h = app({ allowedHosts: ['localhost', 'migcost.example:8080'] });
    assert.equal((await h.inject({ method: 'GET', url: '/v1/health', headers: { host: 'localhost' } })).statusCode, 200);
    assert.equal((await h.inject({ method: 'GET', url: '/v1/health', headers: { host: 'migcost.example:8080' } })).statusCode, 200);
    const evil = await h.inject({ method: 'GET', url: '/v1/health', headers: { host: 'evil.example' } });
    assert.equal(evil.statusCode, 421);
    assert.equal(evil.json().field, 'host');
    assert.equal((await h.inject({ method: 'GET', url: '/v1/health', headers: { host: 'migcost.example:9999' } })).statusCode, 421);
  });
});
