/**
 * The simulation page in chromium (harness.ts): the form offers every selection, objective, migration model,
 * consolidation order, memory source and file order the CLI offers; a run shows the figures the API gives, in
 * the CLI's units (SLAV as a percentage), with the day and the per-step cost plotted; a cost-aware run sends its
 * objective, migration model and consolidation; policies compare side by side. Small days (60 VMs) keep it quick.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard, type Dashboard } from './harness.js';
import { SIM_SELECTIONS } from '../../src/sim/selection.js';
import { SIM_DETECTORS } from '../../src/sim/detectors.js';
import { COST_OBJECTIVES, CONSOLIDATION_ORDERS, MIGRATION_MODELS } from '../../src/sim/types.js';
import { MEMORY_SOURCES } from '../../src/sim/presets.js';
import { DEFAULT_COMPARE_POLICIES } from '../../src/sim/compare.js';

let d: Dashboard;
before(async () => {
  d = await startDashboard();
});
after(async () => d?.close());

const options = (name: string) => d.page.locator(`#sim-form select[name=${name}] option`).allInnerTexts();
const sorted = (xs: readonly string[]) => [...xs].sort();

describe('simulation page in chromium', () => {
  it("offers what `migcost simulate` offers; a day's totals in the CLI's units, the day and its migrations plotted", async () => {
    await d.open('/simulation?vms=60&run=1', ['chart-day', 'chart-timeline']);
    assert.deepEqual(sorted(await options('detector')), sorted(SIM_DETECTORS));
    assert.deepEqual(sorted(await options('selection')), sorted(SIM_SELECTIONS));
    assert.deepEqual(sorted(await options('objective')), sorted(COST_OBJECTIVES));
    assert.deepEqual(sorted(await options('migrationModel')), sorted(MIGRATION_MODELS));
    assert.deepEqual(sorted(await options('consolidation')), sorted(CONSOLIDATION_ORDERS));
    assert.deepEqual(sorted(await options('memorySource')), sorted(MEMORY_SOURCES));
    assert.deepEqual(sorted(await options('fileOrder')), ['sorted', 'tar']);
    assert.deepEqual(sorted(await d.page.locator('#compare-form input[name=policy]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))), sorted(DEFAULT_COMPARE_POLICIES));
    const api = await d.api('/v1/simulate', { day: '20110303', detector: 'thr', selection: 'mmt', vms: 60, pricer: 'workload-class' });
    const r = api.result;
    assert.equal(await d.page.locator('#sim-migrations').innerText(), r.migrations.toLocaleString('en-US'));
    assert.equal(await d.page.locator('#sim-energy').innerText(), r.energyKWh.toFixed(2));
    // SLAV as the CLI prints it: a percentage with five decimals
    assert.equal(await d.page.locator('#sim-slav').innerText(), `${(r.slav * 100).toFixed(5)} %`);
    const text = await d.page.locator('table.sim').innerText();
    assert.match(text, /run\s+20110303 \(tar order\), thr 0\.8 \/ mmt, cloudsim migrations/);
    assert.match(text, /SLATAH\s+[\d.]+ %/);
    assert.match(text, /PDM\s+[\d.]+ %/);
    assert.ok((await d.page.locator('#chart-timeline svg .mark-area path').count()) >= 3);
    assert.ok((await d.page.locator('#chart-day svg .mark-line path').count()) >= 3);
    await d.shot('simulation');
  });

  it('a cost-aware run sends its objective, migration model and consolidation, and shows what the API gives', async () => {
    await d.open('/simulation?vms=60&selection=moa&objective=traffic&migrationModel=migcost&consolidation=cost&detector=lr&run=1', ['chart-day']);
    const api = await d.api('/v1/simulate', { day: '20110303', detector: 'lr', selection: 'moa', objective: 'traffic', migrationModel: 'migcost', consolidation: 'cost', vms: 60, pricer: 'workload-class' });
    assert.equal(await d.page.locator('#sim-migrations').innerText(), api.result.migrations.toLocaleString('en-US'));
    assert.equal(await d.page.locator('#sim-energy').innerText(), api.result.energyKWh.toFixed(2));
    assert.match(await d.page.locator('table.sim').innerText(), /lr 1\.2 \/ moa \(traffic\), migcost migrations, cost-ordered consolidation/);
    assert.match(await d.page.locator('table.sim').innerText(), /mean migration time\s+.*migcost's predicted time/);
  });

  it("the README's headline from the form as it opens: THR-MMT-0.8 on 20110303, CloudSim 3.0.3's figures", async () => {
    await d.open('/simulation?run=1', ['chart-day', 'chart-timeline']);
    assert.equal(await d.page.locator('#sim-energy').innerText(), '198.08');
    assert.equal(await d.page.locator('#sim-migrations').innerText(), '27,728');
    assert.equal(await d.page.locator('#sim-slav').innerText(), '0.00357 %');
    await d.shot('simulation-headline');
  });

  it('policies side by side: energy, migrations and SLAV plotted, the table against MMT', async () => {
    await d.open('/simulation?vms=60&policies=mmt,mc,moa:sla-per-mips%2Bco&compare=1');
    await d.charts(['chart-compare']);
    const rows = d.page.locator('table.compare tbody tr');
    assert.equal(await rows.count(), 3);
    const text = await d.page.locator('table.compare').innerText();
    assert.match(text, /20110303\s+mmt\s+[\d.]+ kWh\s+[\d,]+\s+[\d.]+ %\s+[\d.]+ %\s+[\d.]+ %/);
    assert.match(text, /moa:sla-per-mips\+co/);
    const mc = await d.api('/v1/simulate', { day: '20110303', detector: 'thr', selection: 'mc', vms: 60, pricer: 'workload-class' });
    assert.ok(text.includes(`${mc.result.energyKWh.toFixed(2)} kWh`), `mc's energy in ${text}`);
    // 3 policies x 3 metrics
    assert.equal(await d.page.locator('#chart-compare svg .mark-rect path').count(), 9);
    await d.shot('simulation-compare');
  });
});
