/**
 * The advise page in chromium (harness.ts): the form's default VM ranked as POST /v1/advise ranks it, the pick
 * named above the table, each other option's verdict; a platform's timeout said; a plain number for a rate refused
 * in the form with a hint.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard, type Dashboard } from './harness.js';
import { formatSeconds } from '../../src/units.js';

let d: Dashboard;
before(async () => {
  d = await startDashboard();
});
after(async () => d?.close());

describe('advise page in chromium', () => {
  it('the default VM: every option in the order the API ranks them, the pick first and named', async () => {
    await d.open('/advise');
    const { page } = d;
    await page.waitForSelector('table.advise tbody tr');
    const api = await d.api('/v1/advise', { memory: '4GiB', dirtyRate: '200MiB/s', bandwidths: '1Gbit/s,10Gbit/s', downtimeLimits: '300ms' });
    const rows = page.locator('table.advise tbody tr');
    assert.equal(await rows.count(), api.options.length);
    for (let i = 0; i < api.options.length; i++) assert.equal(await rows.nth(i).locator('td').nth(1).innerText(), api.options[i].label);
    // each option's P(converges), as the API answers it
    for (let i = 0; i < api.options.length; i++) assert.equal(await rows.nth(i).locator('td').nth(5).innerText(), `${(api.options[i].prediction.convergenceProbability * 100).toFixed(1)} %`);
    assert.equal(api.best, 0);
    const best = api.options[0];
    assert.match(await page.locator('#advise-best').innerText(), new RegExp(`Pick: ${best.label.replace('+', '\\+')} .*${formatSeconds(best.prediction.totalTimeSec)}`));
    assert.equal(await rows.nth(0).locator('td').last().innerText(), 'the pick');
    assert.equal(await rows.nth(1).locator('td').last().innerText(), api.options[1].why);
    await d.shot('advise');
  });

  it("nova's completion timeout said; a plain number for a rate refused with a hint", async () => {
    await d.open('/advise');
    const { page } = d;
    await page.waitForSelector('table.advise tbody tr');
    await page.locator('select[name=platformTimeouts]').selectOption('nova');
    await page.locator('input[name=bandwidths]').fill('100MiB/s');
    await page.locator('#advise-form button').click();
    await page.waitForSelector('#advise-platform');
    assert.match(await page.locator('#advise-platform').innerText(), /plain pre-copy/);
    await page.locator('input[name=bandwidths]').fill('100MiB/s,50');
    await page.locator('#advise-form button').click();
    await page.waitForSelector('.field-error[data-for=bandwidths]:not(:empty)');
    assert.match(await page.locator('.field-error[data-for=bandwidths]').innerText(), /plain number is not a rate/);
    assert.equal(await page.locator('#advise-out').innerText(), '');
  });
});
