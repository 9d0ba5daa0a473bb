/**
 * End to end: Debian's chromium against the real server with a real SQLite store seeded with lab records
 * (harness.ts). Each page must show the store's VM ids and numbers and render its Vega charts as SVG; one
 * screenshot per page is saved and checked to be a non-trivial PNG. The predict page, the simulation page and
 * the empty store have their own files beside this one.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fakeRecord } from '../store/fixtures.js';
import { startDashboard, type Dashboard } from './harness.js';

let d: Dashboard;

before(async () => {
  d = await startDashboard(async (store) => {
    for (let i = 0; i < 6; i++) {
      const r = fakeRecord(i, 3 + (i % 3));
      if (i >= 3) r.config.params = { vm: 'web-1' };
      r.sample.dirtyRateBytesPerSec = 1e7 * (1 + i);
      r.measured.totalTimeSec = 2 + i / 4;
      r.measured.stopCopyBytes = 1e7 * (1 + i);
      r.measured.downtimeSec = 0.01 + 0.002 * i;
      r.trace.forEach((t, k) => {
        t.durationSec = 0.1 * (1 + k);
        t.dirtiedBytes = 1e5 * (1 + k) * (1 + i) * (1 + ((k * i) % 3) / 10);
      });
      await store.recordMigration(r);
    }
  });
});
after(async () => d?.close());

const example = () => JSON.parse(readFileSync('examples/cluster.json', 'utf8'));

describe('dashboard in chromium', () => {
  it('lists the VMs of the store', async () => {
    await d.open('/vms');
    const text = await d.page.locator('table.vms').innerText();
    assert.match(text, /lab-dirtier-256M\s+3/);
    assert.match(text, /web-1\s+3/);
    assert.equal(await d.page.locator('.empty').count(), 0);
    await d.shot('vms');
  });

  it("a VM's migrations: predicted against measured, and the per-round trace", async () => {
    await d.open('/vms/web-1', ['chart-samples', 'chart-predicted', 'chart-trace']);
    const { page } = d;
    assert.equal(await page.locator('#vm-id').innerText(), 'web-1');
    const rows = page.locator('table.migrations tbody tr');
    assert.equal(await rows.count(), 3);
    const text = await page.locator('table.migrations').innerText();
    for (const meas of ['2.75 s', '3.00 s', '3.25 s']) assert.ok(text.includes(`/ ${meas}`), `${meas} in ${text}`);
    assert.match(text, /qemu\s+2\.00 s \/ 2\.75 s/);
    // The trace chart draws one line per migration: 3 migrations x 2 series.
    assert.ok((await page.locator('#chart-trace svg .mark-line path').count()) >= 6);
    await d.shot('vm');
  });

  it('the cluster view: thresholds, host CPU and memory, hot hosts and the proposed plan', async () => {
    await d.open('/cluster', ['chart-hosts']);
    const { page } = d;
    const expected = await d.api('/v1/plan', { cluster: example(), policy: 'moa', objective: 'traffic' });
    assert.ok(expected.hotBefore.length > 0);
    const hot = await page.locator('#hot-hosts').innerText();
    for (const h of expected.hotBefore) assert.ok(hot.includes(h), `${h} in ${hot}`);
    assert.ok((await page.locator('#hot-hosts .hot').count()) > 0, 'hot hosts are flagged');
    assert.match(await page.locator('#thresholds').innerText(), /CPU demand exceeds 100 % of its cores or their memory exceeds 100 % of its memory/);
    // h1 holds 20 of 16 cores and 34 GiB of 32 GiB; each host's memory is shown with its capacity
    const hosts = await page.locator('table.hosts').innerText();
    assert.match(hosts, /h1\s+20 \/ 16 \(125 %\)\s+34\.00 GiB \/ 32\.00 GiB \(106 %\)/);
    assert.equal(await page.locator('table.hosts tbody tr').count(), 4);
    const moves = await page.locator('table.moves').innerText();
    for (const m of expected.moves) assert.ok(moves.includes(m.vm) && moves.includes(m.to), `${m.vm} -> ${m.to} in ${moves}`);
    // 4 hosts x before/after x CPU and memory, and one threshold rule per panel
    assert.ok((await page.locator('#chart-hosts svg .mark-rect path').count()) >= 16);
    assert.equal(await page.locator('#chart-hosts svg .mark-rule.role-mark line').count(), 2);
    await d.shot('cluster');
  });

  it('a cluster with no hot host says so calmly', async () => {
    const calm = example();
    calm.vms = calm.vms.filter((v: { host: string }) => v.host !== 'h1');
    await d.open('/cluster', ['chart-hosts']);
    await d.page.locator('#cluster-json').fill(JSON.stringify(calm, null, 2));
    await d.page.locator('#plan-form button').click();
    await d.page.waitForFunction(() => document.querySelector('#hot-hosts')?.textContent?.startsWith('No hot hosts'));
    await d.charts(['chart-hosts']);
    const p = d.page.locator('#hot-hosts');
    assert.match(await p.innerText(), /No hot hosts/);
    assert.equal(await p.getAttribute('class'), 'calm');
    assert.equal(await d.page.locator('.hot').count(), 0);
    const colour = await p.evaluate((el) => getComputedStyle(el).color);
    const [r, g] = colour.match(/\d+/g)!.map(Number);
    assert.ok(g > r, `"no hot hosts" is not in alarm red: ${colour}`);
    await d.shot('cluster-calm');
  });

  it('calibration: the fits and their residuals', async () => {
    await d.open('/calibration', ['chart-residuals']);
    const fits = await d.page.locator('table.fits').innerText();
    assert.match(fits, /qemu-platform/);
    assert.match(fits, /wws/);
    assert.ok((await d.page.locator('#chart-residuals svg .mark-symbol path').count()) > 5);
    await d.shot('calibration');
  });
});
