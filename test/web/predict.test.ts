/**
 * The predict page in chromium (harness.ts): the what-if form's default (the README's first prediction) shows
 * what POST /v1/predict answers, with units, and the per-round trace as a Vega bar chart; a plain number for a
 * time or a rate is refused in the form with a hint to add the unit; a bad value the API refuses is shown
 * beside its field.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard, type Dashboard } from './harness.js';
import { formatBytes, formatSeconds } from '../../src/cli/render/format.js';

let d: Dashboard;
before(async () => {
  d = await startDashboard();
});
after(async () => d?.close());

describe('predict page in chromium', () => {
  it("the README's first prediction, with its per-round trace plotted", async () => {
    await d.open('/predict', ['chart-predict-trace']);
    const { page } = d;
    const api = await d.api('/v1/predict', { memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s', policy: 'qemu', downtimeLimit: '300ms', trace: true });
    assert.equal(await page.locator('#p-total').innerText(), formatSeconds(api.totalTimeSec));
    assert.equal(await page.locator('#p-downtime').innerText(), formatSeconds(api.downtimeSec));
    assert.equal(await page.locator('#p-sent').innerText(), formatBytes(api.transferredBytes));
    assert.equal(await page.locator('#p-rounds').innerText(), String(api.rounds));
    // the README's figures: 58.46 s (the final copy uncapped, at link speed), 6.83 GiB, 8 rounds
    assert.equal(await page.locator('#p-total').innerText(), '58.46 s');
    assert.equal(await page.locator('#p-sent').innerText(), '6.83 GiB');
    const table = await page.locator('table.prediction').innerText();
    assert.match(table, /stopped because\s+\S+/);
    assert.equal(await page.locator('#p-verdict').innerText(), api.verdict);
    assert.match(api.verdict, /downtime limit; the downtime, [\d.,]+ m?s, is within it/);
    assert.match(table, /energy\s+[\d,.]+ J/);
    assert.equal(await page.locator('table.trace tbody tr').count(), api.trace.length);
    assert.ok(api.trace.length >= 2);
    // two bars (sent, dirtied) per round
    assert.equal(await page.locator('#chart-predict-trace svg .mark-rect path').count(), 2 * api.trace.length);
    await d.shot('predict');
  });

  it('a plain number for a time or a rate is refused with a hint; the API refuses a bad size beside its field', async () => {
    await d.open('/predict', ['chart-predict-trace']);
    const { page } = d;
    await page.locator('input[name=downtimeLimit]').fill('300');
    await page.locator('input[name=dirtyRate]').fill('50');
    await page.locator('#predict-form button').click();
    await page.waitForSelector('.field-error[data-for=downtimeLimit]:not(:empty)');
    assert.match(await page.locator('.field-error[data-for=downtimeLimit]').innerText(), /plain number is not a time: add the unit, e.g\. 300ms/);
    assert.match(await page.locator('.field-error[data-for=dirtyRate]').innerText(), /plain number is not a rate: add the unit, e.g\. 50MiB\/s/);
    assert.equal(await page.locator('#predict-out').innerText(), '', 'nothing predicted from a refused form');
    await d.shot('predict-refused');
    await page.locator('input[name=downtimeLimit]').fill('300ms');
    await page.locator('input[name=dirtyRate]').fill('50MiB/s');
    await page.locator('input[name=memory]').fill('4 parsecs');
    await page.locator('#predict-form button').click();
    await page.waitForSelector('.field-error[data-for=memory]:not(:empty)');
    assert.match(await page.locator('.field-error[data-for=memory]').innerText(), /^memory: /);
    // xen has no downtime limit nor auto-converge: the form says so by disabling them
    await page.locator('select[name=policy]').selectOption('xen');
    assert.equal(await page.locator('input[name=downtimeLimit]').isDisabled(), true);
    assert.equal(await page.locator('input[name=autoConverge]').isDisabled(), true);
  });
});
