/** The API over a real SQLite store seeded with lab records, in process (app.inject): history, samples, calibrate, execute, simulate, docs. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/http/app.js';
import type { MoveRunner } from '../../src/http/routes/execute.js';
import { openStore, type Store } from '../../src/store/store.js';
import { fakeRecord } from '../store/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-api-'));
const TOKEN = 'test-token-1234';
const auth = { authorization: `Bearer ${TOKEN}` };
let store: Store;
let app: ReturnType<typeof buildApp>;
const ran: string[] = [];
/** A fake QEMU move: real execution needs two QEMU guests (the lab tests cover the driver). */
const runMove: MoveRunner = async (m, t) => {
  ran.push(`${m.vm}@${'uri' in t ? t.uri : t.dest}`);
  const r = fakeRecord(100 + ran.length, 3);
  r.config.params = { vm: m.vm, from: m.from, to: m.to };
  return r;
};

before(async () => {
  store = await openStore(join(dir, 'api.sqlite'));
  for (let i = 0; i < 6; i++) {
    const r = fakeRecord(i, 3 + (i % 3));
    if (i >= 4) r.config.params = { vm: 'web-1' };
    r.measured.stopCopyBytes = 1e7 * (1 + i);
    r.measured.downtimeSec = 0.01 + 0.002 * i;
    r.sample.dirtyRateBytesPerSec = 1e7 * (1 + i);
    r.trace.forEach((t, k) => {
      t.durationSec = 0.1 * (1 + k);
      t.dirtiedBytes = 1e5 * (1 + k) * (1 + i) * (1 + ((k * i) % 3) / 10);
    });
    await store.recordMigration(r);
  }
  app = buildApp({ store, token: TOKEN, runMove, webRoot: false, allowedTargets: { destinations: ['tcp:10.0.0.2:4444'], qmpSockets: ['/x'] } });
});
after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, payload: unknown, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers });
const get = (url: string) => app.inject({ method: 'GET', url });

describe('API over a store', () => {
  it('lists VMs and a VM\'s migrations with their per-round traces', async () => {
    const vms = (await get('/v1/vms')).json().vms;
    assert.deepEqual(vms, [{ id: 'lab-dirtier-256M', migrations: 4 }, { id: 'web-1', migrations: 2 }]);
    const r = await get('/v1/vms/web-1/migrations');
    assert.equal(r.statusCode, 200);
    const m = r.json().migrations;
    assert.equal(m.length, 2);
    assert.deepEqual(m.map((x: { trace: unknown[] }) => x.trace.length), [4, 5]);
    assert.equal(m[1].trace.at(-1).kind, 'stop-copy');
    assert.equal(typeof m[0].predicted.qemu.totalTimeSec, 'number');
    assert.equal((await get('/v1/vms/web-1/migrations?limit=1')).json().migrations.length, 1);
    const none = await get('/v1/vms/nope/migrations');
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().field, 'vmId');
    const bad = await get('/v1/vms/web-1/migrations?limit=0');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'limit');
    assert.equal((await get('/v1/vms/a%20b/migrations')).json().field, 'vmId');
  });

  it('POST a sample: 401 without the token, 400 naming the field, stored once per id', async () => {
    const sample = { memoryBytes: 2 ** 30, dirtyRateBytesPerSec: 5e6, curve: [{ windowSec: 1, dirtiedBytes: 5e6 }], sampledAt: '2026-11-22T12:00:00.000Z' };
    assert.equal((await post('/v1/vms/web-1/samples', { id: 'sample-0001', sample }, {})).statusCode, 401);
    assert.equal((await post('/v1/vms/web-1/samples', { id: 'sample-0001', sample }, { authorization: 'Bearer nope' })).statusCode, 401);
    const missing = await post('/v1/vms/web-1/samples', { id: 'sample-0001', sample: { ...sample, curve: undefined } });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().field, 'sample.curve');
    const neg = await post('/v1/vms/web-1/samples', { id: 'sample-0001', sample: { ...sample, dirtyRateBytesPerSec: -1 } });
    assert.equal(neg.json().field, 'sample.dirtyRateBytesPerSec');
    assert.equal((await post('/v1/vms/web-1/samples', { id: 'x', sample })).json().field, 'id');
    const first = await post('/v1/vms/web-1/samples', { id: 'sample-0001', sample });
    assert.equal(first.statusCode, 201);
    const again = await post('/v1/vms/web-1/samples', { id: 'sample-0001', sample });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().created, false);
    const list = (await get('/v1/vms/web-1/samples')).json().samples.filter((x: { source: string }) => x.source === 'api');
    assert.equal(list.length, 1);
    assert.equal(list[0].dirtyRateBytesPerSec, 5e6);
    // a pseudo-migration's counts go in and come back out
    const pseudo = { ...sample, bitmapCurve: [{ windowSec: 1, dirtiedBytes: 9e6 }], bitmapZeroShare: 0.25, ramLayout: { windowSec: 1, nonZeroPages: [4, 5], changedPages: [0, 2] } };
    assert.equal((await post('/v1/vms/web-2/samples', { id: 'sample-0002', sample: pseudo })).statusCode, 201);
    const [p] = (await get('/v1/vms/web-2/samples')).json().samples;
    assert.deepEqual(p.bitmapCurve, pseudo.bitmapCurve);
    assert.equal(p.bitmapZeroShare, 0.25);
    assert.deepEqual(p.ramLayout, pseudo.ramLayout);
    assert.equal((await post('/v1/vms/web-2/samples', { id: 'sample-0003', sample: { ...pseudo, bitmapZeroShare: 2 } })).json().field, 'sample.bitmapZeroShare');
    const badLayout = await post('/v1/vms/web-2/samples', { id: 'sample-0004', sample: { ...pseudo, ramLayout: { windowSec: 1, nonZeroPages: [-1], changedPages: [0] } } });
    assert.equal(badLayout.statusCode, 400);
    assert.match(badLayout.json().field, /^sample\.ramLayout\.nonZeroPages/);
  });

  it('fits without saving, calibrates with the token, lists the models', async () => {
    const fits = (await get('/v1/fits')).json();
    assert.equal(fits.migrations, 6);
    assert.deepEqual(fits.fits.map((f: { kind: string }) => f.kind), ['qemu-platform', 'wws'], JSON.stringify(fits.skipped));
    const wws = fits.fits[1];
    assert.equal(wws.points.length, wws.n);
    for (const p of wws.points) assert.ok(Math.abs(p.measured - p.fitted - p.residual) < 1e-9);
    assert.equal((await get('/v1/models')).json().models.length, 0);
    assert.equal((await post('/v1/calibrate', {}, {})).statusCode, 401);
    assert.equal((await post('/v1/calibrate', { idleWatts: -3 })).json().field, 'idleWatts');
    const c = await post('/v1/calibrate', {});
    assert.equal(c.statusCode, 200);
    assert.deepEqual(c.json().fits.map((f: { version: number }) => f.version), [1, 1]);
    const models = (await get('/v1/models')).json().models;
    assert.deepEqual(models.map((m: { kind: string }) => m.kind).sort(), ['qemu-platform', 'wws']);
    const energy = await post('/v1/calibrate', { kinds: ['wired-energy'] });
    assert.equal(energy.statusCode, 409);
    assert.equal(energy.json().field, 'history');
  });

  it('execute: 401, 400 naming the field, then a job that records each move', async () => {
    const move = { vm: 'web-1', from: 'h1', to: 'h2', bandwidthBytesPerSec: 1.25e8, predicted: { totalTimeSec: 2 } };
    assert.equal((await post('/v1/execute', { plan: { moves: [move] } }, {})).statusCode, 401);
    const noTargets = await post('/v1/execute', { plan: { moves: [move] } });
    assert.equal(noTargets.statusCode, 400);
    assert.equal(noTargets.json().field, 'targets');
    const badBw = await post('/v1/execute', { plan: { moves: [{ ...move, bandwidthBytesPerSec: 0 }] }, targets: { vms: {} } });
    assert.equal(badBw.json().field, 'plan.moves[0].bandwidthBytesPerSec');
    const unknown = await post('/v1/execute', { plan: { moves: [move] }, targets: { vms: { other: { qmp: '/x', uri: 'tcp:1:2' } } } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().field, 'targets.vms.web-1');
    const badTime = await post('/v1/execute', { plan: { moves: [move] }, targets: { vms: { 'web-1': { qmp: '/x', uri: 'tcp:1:2' } } }, timeout: 'soon' });
    assert.equal(badTime.json().field, 'timeout');
    const r = await post('/v1/execute', { plan: { moves: [move] }, targets: { vms: { 'web-1': { qmp: '/x', uri: 'tcp:10.0.0.2:4444' } } } });
    assert.equal(r.statusCode, 202);
    const id = r.json().id;
    let job;
    for (let i = 0; i < 100; i++) {
      job = (await get(`/v1/jobs/${id}`)).json();
      if (job.state !== 'running') break;
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(job.state, 'done');
    assert.deepEqual(ran, ['web-1@tcp:10.0.0.2:4444']);
    assert.equal((await get('/v1/vms/web-1/migrations')).json().migrations.length, 3);
    assert.equal((await get('/v1/jobs/nope')).statusCode, 404);
  });

  it('simulate: 401, 400 naming the field, and a small real day with a timeline', async () => {
    assert.equal((await post('/v1/simulate', { day: '20110303' }, {})).statusCode, 401);
    assert.equal((await post('/v1/simulate', { day: '2011-03-03' })).json().field, 'day');
    assert.equal((await post('/v1/simulate', { day: '20110303', detector: 'psychic' })).json().field, 'detector');
    const missing = await post('/v1/simulate', { day: '19990101', vms: 10 });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().field, 'day');
    const r = await post('/v1/simulate', { day: '20110303', vms: 60, detector: 'thr', selection: 'mmt' });
    assert.equal(r.statusCode, 200, r.body);
    const { result, timeline } = r.json();
    assert.equal(result.vms, 60);
    assert.equal(timeline.length, result.steps);
    assert.equal(timeline.reduce((s: number, t: { migrations: number }) => s + t.migrations, 0), result.migrations);
    // every input echoed, defaults filled in
    assert.deepEqual(r.json().inputs, { day: '20110303', detector: 'thr', detectorParam: 0.8, selection: 'mmt', objective: 'sla', consolidation: 'utilisation', migrationModel: 'cloudsim', pricer: 'one-rate', memorySource: 'vm-type', fileOrder: 'tar', scale: 1, seed: 1, vms: 60, hosts: result.hosts, baseline: null });
  });

  it('simulate: a cost-aware selection prices candidates it does not move; the timeline counts only migrations started', async () => {
    const r = await post('/v1/simulate', { day: '20110303', vms: 60, detector: 'thr', selection: 'moa' });
    assert.equal(r.statusCode, 200, r.body);
    const { result, timeline } = r.json() as { result: { migrations: number; migrationCost: { transferredBytes: number; downtimeSec: number } }; timeline: { migrations: number; transferredBytes: number; downtimeSec: number }[] };
    assert.ok(result.migrations > 0);
    assert.equal(timeline.reduce((s, t) => s + t.migrations, 0), result.migrations);
    const bytes = timeline.reduce((s, t) => s + t.transferredBytes, 0);
    assert.ok(Math.abs(bytes - result.migrationCost.transferredBytes) <= 1e-9 * bytes, `${bytes} vs ${result.migrationCost.transferredBytes}`);
    const down = timeline.reduce((s, t) => s + t.downtimeSec, 0);
    assert.ok(Math.abs(down - result.migrationCost.downtimeSec) <= 1e-9 * down);
  });

  it('OpenAPI at /docs: every route with a response schema', async () => {
    const spec = (await get('/docs/json')).json();
    for (const p of ['/v1/predict', '/v1/predict/batch', '/v1/plan', '/v1/vms', '/v1/vms/{vmId}/migrations', '/v1/vms/{vmId}/samples', '/v1/fits', '/v1/calibrate', '/v1/models', '/v1/execute', '/v1/jobs/{id}', '/v1/simulate', '/metrics']) {
      assert.ok(spec.paths[p], `${p} in /docs/json`);
      for (const op of Object.values(spec.paths[p]) as { responses: Record<string, unknown> }[]) assert.ok(Object.keys(op.responses).length > 0, p);
    }
    assert.deepEqual(spec.paths['/v1/calibrate'].post.security, [{ bearer: [] }]);
    const ui = await get('/docs/');
    assert.ok(ui.statusCode === 200 || ui.statusCode === 302);
  });
});
