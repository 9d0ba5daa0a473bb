/** The HTTP API, in process (app.inject: no port), plus one real listen on 127.0.0.1. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/http/app.js';
import { serve } from '../../src/http/serve.js';
import { predict, predictWithOutlook } from '../../src/index.js';
import { assertClose, rng, GiB, MiB } from '../helpers.js';

const app = buildApp();
after(() => app.close());
const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });

describe('HTTP API', () => {
  it('POST /v1/predict answers what the library answers', async () => {
    const r = await post('/v1/predict', { memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s', policy: 'qemu', downtimeLimit: '300ms' });
    assert.equal(r.statusCode, 200);
    // the migration at its outlook's median (model/outlook.ts)
    const lib = predictWithOutlook({ vm: { memoryBytes: 4 * GiB, dirtyRateBytesPerSec: 50 * MiB }, bandwidthBytesPerSec: 1e9 / 8, policy: { name: 'qemu', downtimeLimitSec: 0.3 } });
    assertClose(r.json().totalTimeSec, lib.totalTimeSec, 1e-7); // rounded to the microsecond (src/rounding.ts)
    assertClose(r.json().transferredBytes, lib.transferredBytes, 0.5);
    assert.equal(r.json().converged, true);
    // the convergence outlook, as the library's (the dirt rate's spread and the model's own error): p = 1
    const outlook = predictWithOutlook({ vm: { memoryBytes: 4 * GiB, dirtyRateBytesPerSec: 50 * MiB }, bandwidthBytesPerSec: 1e9 / 8, policy: { name: 'qemu', downtimeLimitSec: 0.3 } });
    assert.equal(r.json().convergenceProbability, 1);
    for (const k of ['timeP10Sec', 'timeP50Sec', 'timeP90Sec'] as const) assertClose(r.json()[k], outlook[k], 1e-7);
  });
  it('POST /v1/predict: a pending set hovering over the threshold converges with a probability', async () => {
    const r = await post('/v1/predict', { memory: '1GiB', curve: '0.1s:12MiB,1s:100MiB,4s:120MiB', dirtyRate: '100MiB/s', bandwidth: '120MiB/s', policy: 'qemu', downtimeLimit: '100ms', timeout: '60s' });
    assert.equal(r.statusCode, 200, r.body);
    const o = r.json();
    // the deterministic run never converges; the verdict is the probability's (p >= 0.5), the point the median
    assert.equal(o.converged, true, 'the verdict by p');
    assert.equal(o.totalTimeSec, o.timeP50Sec);
    // the sampled rate and the slower one of the rate spread converge almost surely (the per-sync spread); the
    // faster one (x 1.32) keeps the pending dirt far over the threshold: p = (1 + 4) / 6
    assert.ok(Math.abs(o.convergenceProbability - 5 / 6) < 0.01, `p ${o.convergenceProbability}`);
    // the median converges before the 60 s time-out; with p < 0.9 the 90th percentile is the time-out's cost
    assert.ok(o.timeP10Sec <= o.timeP50Sec && o.timeP50Sec < 60 && o.timeP90Sec >= 60, JSON.stringify(o));
  });
  it('POST /v1/predict says what an auto-converge answer rests on when the sample did not measure it', async () => {
    const body = { memory: '256MiB', dirtyRate: '78MiB/s', curve: '0.1s:7.8MiB,0.41s:32MiB,1s:32MiB', bandwidth: '50MiB/s', policy: 'qemu', downtimeLimit: '100ms', timeout: '60s', autoConverge: true };
    const r = await post('/v1/predict', { ...body, cpuUtilisation: 0.1 });
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.json().assumption, /converges only if throttling cuts this guest's dirt as its vCPU load \(10 %\) says/);
    assert.equal((await post('/v1/predict', { ...body, cpuUtilisation: 1 })).json().assumption, undefined);
  });
  it('POST /v1/predict words why it stopped: a downtime over the limit says by how much; plain numbers are base units, GBps bytes', async () => {
    const r = await post('/v1/predict', { memory: 1073741824, dirtyRate: '20MiB/s', bandwidth: '0.125GBps', downtimeLimit: 0.3, stopCopyRate: '0.125GBps' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().reason, 'fits-downtime-limit');
    assert.match(r.json().verdict, /but the downtime is 16\.9 ms over it \(316\.9 ms\)/);
    const missing = await post('/v1/predict', { dirtyRate: 0, bandwidth: '1Gbit/s' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().message, 'memory is required (a size such as 4GiB)');
  });
  it('bad input is a 400 naming the field', async () => {
    const r = await post('/v1/predict', { memory: '-1GiB', dirtyRate: 0, bandwidth: '1Gbit/s' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'memory');
    assert.match(r.json().message, /memory: "-1GiB" must not be negative/);
    const j = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' }, payload: '{"memory": ' });
    assert.equal(j.statusCode, 400);
  });
  it('POST /v1/predict/batch: every row, ids echoed; a bad row names its index', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ id: `vm${i}`, memory: `${1 + (i % 4)}GiB`, dirtyRate: `${i}MiB/s`, bandwidth: '1Gbit/s' }));
    const r = await post('/v1/predict/batch', { rows });
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().results.length, 100);
    assert.equal(r.json().results[7].id, 'vm7');
    const bad = await post('/v1/predict/batch', { rows: [...rows.slice(0, 3), { memory: '1GiB', bandwidth: 'fast' }] });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().row, 3);
    assert.equal(bad.json().field, 'bandwidth');
  });
  it('POST /v1/plan plans a cluster', async () => {
    const cluster = { hosts: [{ id: 'h1', cpu: 4, memory: '16GiB' }, { id: 'h2', cpu: 8, memory: '16GiB' }], vms: [{ id: 'a', host: 'h1', cpu: 3, memory: '2GiB' }, { id: 'b', host: 'h1', cpu: 3, memory: '4GiB' }] };
    const r = await post('/v1/plan', { cluster, policy: 'mia' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json().moves.map((m: { vm: string }) => m.vm), ['a']);
    const bad = await post('/v1/plan', { cluster: { hosts: [] } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'hosts');
  });
  it('1,000 random bodies per endpoint: no 5xx', async () => {
    const r = rng(99);
    const values = [null, true, 0, -1, 1e308, 'NaN', '4GiB', '-4GiB', '1Gbit/s', 'qemu', 'xen', 'bogus', [], {}, [1, 2], { a: 1 }, '', '300ms', 0.5, 'curve'];
    const keys = ['memory', 'dirtyRate', 'bandwidth', 'policy', 'downtimeLimit', 'zeroPageFraction', 'dirtyModel', 'curve', 'rows', 'cluster', 'autoConverge', 'timeout', 'adaptiveRate', 'energy'];
    const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
    for (const url of ['/v1/predict', '/v1/predict/batch', '/v1/plan']) {
      for (let k = 0; k < 1000; k++) {
        const body: Record<string, unknown> = {};
        const n = Math.floor(r() * 6);
        for (let i = 0; i < n; i++) body[pick(keys)] = pick(values);
        if (url.endsWith('batch') && r() < 0.5) body.rows = [{ ...body }, { ...body }];
        const res = await post(url, r() < 0.05 ? pick(values) : body);
        assert.ok(res.statusCode < 500, `${url} ${JSON.stringify(body)} -> ${res.statusCode} ${res.body}`);
      }
    }
  });
  it('GET /metrics is Prometheus text with our counters', async () => {
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /migcost_predictions_total \d+/);
    assert.match(r.body, /migcost_http_requests_total\{route="\/v1\/predict",status="200"\}/);
  });
  it('serve listens on 127.0.0.1 by default and answers', async () => {
    const s = await serve({ port: 0 });
    try {
      assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${s.url}/v1/health`);
      assert.deepEqual(await res.json(), { ok: true });
    } finally {
      await s.close();
    }
  });
});
