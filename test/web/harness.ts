/**
 * The dashboard tests' harness: the real server on 127.0.0.1 over a real SQLite store, Debian's chromium
 * (playwright-core, headless), a page per test file, and checks on what a page shows: its charts rendered as
 * Vega SVG with marks, no error, and a full-page screenshot that is a non-trivial PNG. Screenshots go to
 * $MIGCOST_SHOTS (kept) or a temporary folder. Needs /usr/bin/chromium and web/dist (`npm run build`).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve } from '../../src/http/serve.js';
import { DEFAULT_WEB_ROOT } from '../../src/http/app.js';
import { openStore, type Store } from '../../src/store/store.js';

export const CHROMIUM = process.env.MIGCOST_CHROMIUM ?? '/usr/bin/chromium';
export const TOKEN = 'e2e-token-of-the-dashboard';

export interface Dashboard {
  url: string;
  store: Store;
  page: Page;
  /** Opens `#hash`, waits for the page and for each chart's SVG marks; fails on an `.error`. */
  open(hash: string, chartIds?: string[]): Promise<void>;
  /** Waits for each chart's SVG to have marks. */
  charts(chartIds: string[]): Promise<void>;
  /** A full-page screenshot, checked to be a non-blank PNG; returns its path. */
  shot(name: string): Promise<string>;
  /** POST to the API with the token. */
  api<T = any>(path: string, body: unknown): Promise<T>;
  close(): Promise<void>;
}

/** PNG signature, its size, and pixels that are not all one colour (inflated IDAT bytes vary). */
export function checkPng(file: string): void {
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

/** Starts a server over a fresh store (seeded by `seed`) and a chromium page on it. */
export async function startDashboard(seed: (store: Store) => Promise<void> = async () => {}): Promise<Dashboard> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (CI does)`);
  assert.ok(existsSync(join(DEFAULT_WEB_ROOT, 'index.html')), `${DEFAULT_WEB_ROOT} is missing: npm run build:web`);
  const dir = mkdtempSync(join(tmpdir(), 'migcost-web-'));
  const shots = process.env.MIGCOST_SHOTS ?? mkdtempSync(join(tmpdir(), 'migcost-shots-'));
  mkdirSync(shots, { recursive: true });
  const store = await openStore(join(dir, 'web.sqlite'));
  await seed(store);
  const server = await serve({ port: 0, store, token: TOKEN, webRoot: DEFAULT_WEB_ROOT });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.addInitScript((t) => localStorage.setItem('migcost-token', t), TOKEN);
  const charts = async (chartIds: string[]) => {
    for (const id of chartIds) {
      await page.waitForSelector(`#${id} svg`, { timeout: 120_000 });
      const marks = await page.locator(`#${id} svg .marks, #${id} svg path`).count();
      assert.ok(marks > 0, `#${id}: the Vega SVG has no marks`);
    }
  };
  return {
    url: server.url,
    store,
    page,
    charts,
    async open(hash, chartIds = []) {
      await page.goto(`${server.url}/#${hash}`);
      await page.waitForSelector('main[data-ready="true"]', { timeout: 30_000 });
      await charts(chartIds);
      assert.equal(await page.locator('.error').count(), 0, await page.locator('main').innerText());
    },
    async shot(name) {
      const file = join(shots, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      checkPng(file);
      return file;
    },
    async api(path, body) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.ok, `${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    },
    async close() {
      await browser.close();
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`dashboard screenshots in ${shots}\n`);
    },
  };
}
