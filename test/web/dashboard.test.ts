/**
 * End to end: Debian's chromium (playwright-core, headless) against the real server on 127.0.0.1 with a real
 * SQLite store seeded with lab records. Each dashboard page must show the store's VM ids and numbers and
 * render its Vega charts as SVG; one screenshot per page is saved and checked to be a non-trivial PNG.
 * Needs /usr/bin/chromium (CI installs it) and web/dist (`npm test` builds it): without them it fails.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve } from '../../src/http/serve.js';
import { DEFAULT_WEB_ROOT } from '../../src/http/app.js';
import { openStore, type Store } from '../../src/store/store.js';
import { fakeRecord } from '../store/fixtures.js';

const CHROMIUM = process.env.MIGCOST_CHROMIUM ?? '/usr/bin/chromium';
const TOKEN = 'e2e-token';
const dir = mkdtempSync(join(tmpdir(), 'migcost-web-'));
const shots = mkdtempSync(join(tmpdir(), 'migcost-shots-'));
let store: Store;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (CI does)`);
  assert.ok(existsSync(join(DEFAULT_WEB_ROOT, 'index.html')), `${DEFAULT_WEB_ROOT} is missing: npm run build:web`);
  store = await openStore(join(dir, 'web.sqlite'));
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
  server = await serve({ port: 0, store, token: TOKEN, webRoot: DEFAULT_WEB_ROOT });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.addInitScript((t) => localStorage.setItem('migcost-token', t), TOKEN);
});
after(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`dashboard screenshots in ${shots}\n`);
});

/** PNG signature, its size, and pixels that are not all one colour (inflated IDAT bytes vary). */
function checkPng(file: string): void {
  const png = readFileSync(file);
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file}: not a PNG`);
  assert.ok(png.length > 10_000, `${file}: only ${png.length} bytes`);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.ok(width >= 800 && height >= 600, `${file}: ${width}x${height}`);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const seen = new Set<number>();
  for (let i = 0; i < raw.length; i += 7) seen.add(raw[i]);
  assert.ok(seen.size > 16, `${file}: looks blank (${seen.size} distinct byte values)`);
}

async function open(hash: string, chartIds: string[]): Promise<void> {
  await page.goto(`${server.url}/#${hash}`);
  await page.waitForSelector('main[data-ready="true"]', { timeout: 30_000 });
  for (const id of chartIds) {
    await page.waitForSelector(`#${id} svg`, { timeout: 60_000 });
    const marks = await page.locator(`#${id} svg .marks, #${id} svg path`).count();
    assert.ok(marks > 0, `#${id}: the Vega SVG has no marks`);
  }
  assert.equal(await page.locator('.error').count(), 0, await page.locator('main').innerText());
}

async function shot(name: string): Promise<void> {
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  checkPng(file);
}

describe('dashboard in chromium', () => {
  it('lists the VMs of the store', async () => {
    await open('/vms', []);
    const text = await page.locator('table.vms').innerText();
    assert.match(text, /lab-dirtier-256M\s+3/);
    assert.match(text, /web-1\s+3/);
    await shot('vms');
  });

  it("a VM's migrations: predicted against measured, and the per-round trace", async () => {
    await open('/vms/web-1', ['chart-samples', 'chart-predicted', 'chart-trace']);
    assert.equal(await page.locator('#vm-id').innerText(), 'web-1');
    const rows = page.locator('table.migrations tbody tr');
    assert.equal(await rows.count(), 3);
    const text = await page.locator('table.migrations').innerText();
    for (const meas of ['2.75 s', '3.00 s', '3.25 s']) assert.ok(text.includes(`/ ${meas}`), `${meas} in ${text}`);
    assert.match(text, /qemu\s+2\.00 s \/ 2\.75 s/);
    // The trace chart draws one line per migration: 3 migrations x 2 series.
    assert.ok((await page.locator('#chart-trace svg .mark-line path').count()) >= 6);
    await shot('vm');
  });

  it('the cluster view: hot hosts and the proposed plan', async () => {
    await open('/cluster', ['chart-hosts']);
    const expected = await (await fetch(`${server.url}/v1/plan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: JSON.parse(readFileSync('examples/cluster.json', 'utf8')), policy: 'moa', objective: 'traffic' }) })).json();
    const hot = await page.locator('#hot-hosts').innerText();
    for (const h of expected.hotBefore) assert.ok(hot.includes(h), `${h} in ${hot}`);
    const moves = await page.locator('table.moves').innerText();
    for (const m of expected.moves) assert.ok(moves.includes(m.vm) && moves.includes(m.to), `${m.vm} -> ${m.to} in ${moves}`);
    assert.ok((await page.locator('#chart-hosts svg .mark-rect path').count()) >= 8);
    await shot('cluster');
  });

  it('calibration: the fits and their residuals', async () => {
    await open('/calibration', ['chart-residuals']);
    const fits = await page.locator('table.fits').innerText();
    assert.match(fits, /qemu-platform/);
    assert.match(fits, /wws/);
    assert.ok((await page.locator('#chart-residuals svg .mark-symbol path').count()) > 5);
    await shot('calibration');
  });

  it('a simulated day: totals and the per-step timeline', async () => {
    await open('/simulation?vms=60&run=1', ['chart-timeline']);
    const api = await (await fetch(`${server.url}/v1/simulate`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ day: '20110303', detector: 'thr', selection: 'mmt', vms: 60 }) })).json();
    assert.equal(await page.locator('#sim-migrations').innerText(), String(api.result.migrations));
    assert.equal(await page.locator('#sim-energy').innerText(), api.result.energyKWh.toFixed(2));
    assert.ok((await page.locator('#chart-timeline svg .mark-area path').count()) >= 3);
    await shot('simulation');
  });
});
