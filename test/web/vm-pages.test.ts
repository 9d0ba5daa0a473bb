/**
 * A VM with more migrations than one page of GET /v1/vms/{id}/migrations (100) in chromium (harness.ts): the VM
 * page shows the first page and a "More migrations" button that follows the route's `next` until the last page;
 * every migration is shown once, oldest first, and the button goes away.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fakeRecord } from '../store/fixtures.js';
import { startDashboard, type Dashboard } from './harness.js';

const MIGRATIONS = 230;
let d: Dashboard;
before(async () => {
  d = await startDashboard(async (store) => {
    for (let i = 0; i < MIGRATIONS; i++) {
      const r = fakeRecord(i, 2);
      r.config.params = { vm: 'paged' };
      r.measured.totalTimeSec = 1 + i / 100; // 1.00 s, 1.01 s, ...: which migration a row shows
      await store.recordMigration(r);
    }
  });
});
after(async () => d?.close());

describe("a VM's migrations a page at a time", () => {
  it('"More migrations" reads the next pages until the last; each migration once, in order', async () => {
    await d.open('/vms/paged', ['chart-predicted', 'chart-trace']);
    const { page } = d;
    const rows = page.locator('table.migrations tbody tr');
    const more = page.locator('#more-migrations');
    assert.equal(await rows.count(), 100);
    assert.match(await page.locator('h2').innerText(), /100 \(of more\) migrations/);
    for (const shown of [200, MIGRATIONS]) {
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll('table.migrations tbody tr').length === n && document.querySelector('main')?.dataset.ready === 'true', shown, { timeout: 30_000 });
      assert.equal(await page.locator('.error').count(), 0, await page.locator('main').innerText());
    }
    assert.equal(await more.count(), 0, 'no button on the last page');
    assert.match(await page.locator('h2').innerText(), new RegExp(`: ${MIGRATIONS} migrations`));
    const firstCells = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLTableRowElement).cells[0].textContent));
    assert.deepEqual(firstCells, Array.from({ length: MIGRATIONS }, (_, i) => String(i + 1)));
    const times = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLTableRowElement).cells[4].textContent?.split('/ ')[1]));
    assert.deepEqual(times, Array.from({ length: MIGRATIONS }, (_, i) => `${(1 + i / 100).toFixed(2)} s`), 'oldest first, none twice');
    await d.charts(['chart-predicted', 'chart-trace']);
    await d.shot('vm-paged');
  });
});
