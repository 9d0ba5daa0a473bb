/**
 * POST /v1/simulate's options that the dashboard's simulation form sends (src/http/routes/simulate-options.ts),
 * in process: each run equals simulateCluster configured as `migcost simulate` configures it, and a body with
 * only the route's older fields is priced as before (one dirty rate at full CPU, 20 MiB/s).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { simulateCluster } from '../../src/sim/engine.js';
import { cloudsimPlanetLabPreset, CLOUDSIM_HOSTS } from '../../src/sim/presets.js';
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE } from '../../src/sim/planetlab-loader.js';
import { predictPricer, workloadClassPricer, DEFAULT_PREDICT_PRICER } from '../../src/sim/pricer.js';
import type { SimulationConfig } from '../../src/sim/types.js';

const TOKEN = 'simulate-route-token';
let app: FastifyInstance;
before(async () => {
  app = buildApp({ token: TOKEN, webRoot: false });
  await app.ready();
});
after(async () => app?.close());

async function simulate(body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const res = await app.inject({ method: 'POST', url: '/v1/simulate', headers: { authorization: `Bearer ${TOKEN}` }, payload: body });
  return { status: res.statusCode, json: res.json() };
}

/** 60 VMs of 20110303 on the hosts the route gives them, as simulateCluster sees them. */
function small(order: 'tar' | 'sorted' = 'tar') {
  const all = loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, '20110303', order);
  return cloudsimPlanetLabPreset(all.slice(0, 60), Math.ceil((CLOUDSIM_HOSTS * 60) / all.length));
}

const figures = (r: { energyKWh: number; migrations: number; slav: number; migrationCost?: { transferredBytes: number } }) => ({ energyKWh: r.energyKWh, migrations: r.migrations, slav: r.slav, bytes: r.migrationCost?.transferredBytes });

describe('POST /v1/simulate: the CLI options', () => {
  it('older fields only: priced at one rate at full CPU, as before', async () => {
    const { status, json } = await simulate({ day: '20110303', vms: 60, selection: 'moa' });
    assert.equal(status, 200);
    const expected = simulateCluster({ ...small(), detector: 'thr', detectorParam: 0.8, selection: 'moa', seed: 1, intervalSec: 300, pricer: predictPricer(DEFAULT_PREDICT_PRICER) });
    assert.deepEqual(figures(json.result), figures(expected));
  });

  it("objective, migration model, consolidation and the workload classes: the CLI's run", async () => {
    const { status, json } = await simulate({ day: '20110303', vms: 60, detector: 'lr', selection: 'optimal', objective: 'sla-per-mips', migrationModel: 'migcost', consolidation: 'cost', pricer: 'workload-class', fileOrder: 'sorted' });
    assert.equal(status, 200);
    const cfg: SimulationConfig = { ...small('sorted'), detector: 'lr', detectorParam: 1.2, selection: 'optimal', seed: 1, intervalSec: 300, pricer: workloadClassPricer(), migrationModel: 'migcost', costObjective: 'sla-per-mips', consolidationOrder: 'cost' };
    const expected = simulateCluster(cfg);
    assert.deepEqual(figures(json.result), figures(expected));
    assert.equal(json.result.migrationModel, 'migcost');
    // the timeline counts every migration started
    assert.equal(json.timeline.reduce((s: number, t: { migrations: number }) => s + t.migrations, 0), expected.migrations);
  });

  it('a dirty rate at full CPU, a baseline; bad values named', async () => {
    const rate = await simulate({ day: '20110303', vms: 60, dirtyRateAtFullCpu: '40MiB/s' });
    const expected = simulateCluster({ ...small(), detector: 'thr', detectorParam: 0.8, selection: 'mmt', seed: 1, intervalSec: 300, pricer: predictPricer({ ...DEFAULT_PREDICT_PRICER, dirtyRateAtFullCpuBytesPerSec: 40 * 2 ** 20 }) });
    assert.deepEqual(figures(rate.json.result), figures(expected));
    const npa = await simulate({ day: '20110303', vms: 60, baseline: 'npa' });
    assert.equal(npa.json.result.migrations, 0);
    for (const [field, value] of [['objective', 'cheapest'], ['migrationModel', 'teleport'], ['consolidation', 'random'], ['memorySource', 'guess'], ['pricer', 'free'], ['scale', 0]] as const) {
      const r = await simulate({ day: '20110303', vms: 60, [field]: value });
      assert.equal(r.status, 400, `${field}: ${value}`);
    }
    const bad = await simulate({ day: '20110303', vms: 60, dirtyRateAtFullCpu: 'fast' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.field, 'dirtyRateAtFullCpu');
  });
});
