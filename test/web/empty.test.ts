/**
 * An empty store in chromium (harness.ts): the VMs, a VM's migrations and the calibration pages say how data
 * gets in (the agent, the lab, execute, the samples route) instead of showing empty tables.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDashboard, type Dashboard } from './harness.js';

let d: Dashboard;
before(async () => {
  d = await startDashboard();
});
after(async () => d?.close());

async function saysHowDataGetsIn(): Promise<void> {
  const text = await d.page.locator('.empty').innerText();
  for (const how of ['migcost agent', 'migcost lab run', 'migcost execute', 'POST /v1/vms/{vmId}/samples', 'migcost serve --db']) assert.ok(text.includes(how), `${how} in ${text}`);
}

describe('an empty store in chromium', () => {
  it('the VMs page says how data gets in', async () => {
    await d.open('/vms');
    assert.match(await d.page.locator('.empty').innerText(), /No VMs in the store yet/);
    assert.ok((await d.page.locator('.empty').innerText()).includes(`--service ${d.url}`));
    await saysHowDataGetsIn();
    await d.shot('vms-empty');
  });

  it("a VM without records says how its migrations get in", async () => {
    await d.open('/vms/vm-none');
    assert.match(await d.page.locator('.empty').innerText(), /No migrations or samples of vm-none/);
    await saysHowDataGetsIn();
    await d.shot('vm-empty');
  });

  it('the calibration page says fits need recorded migrations', async () => {
    await d.open('/calibration');
    assert.match(await d.page.locator('main').innerText(), /fits .* are made on recorded migrations/);
    await saysHowDataGetsIn();
    await d.shot('calibration-empty');
  });
});
