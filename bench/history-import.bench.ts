/**
 * `history import` of a generated log: writes a CSV of N rows (default 1,000,000; synthetic, no public data), imports
 * it into a fresh SQLite store as `history import` does (one read, every row checked and stored in batches inside
 * one transaction) and prints the time, the rows per second and the peak resident memory, with the RSS sampled
 * along the way to show that it stays flat in the number of rows. Target (issue 20): under 60 s for 1 M rows.
 * Run: node --import tsx bench/history-import.bench.ts [rows]
 */
import os from 'node:os';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/store.js';
import { importLog } from '../src/store/import-log.js';
import { readLoggedMigrations } from '../src/record/log-file.js';
import { LOG_COLUMNS } from '../src/record/logged.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
if (!(Number.isInteger(ROWS) && ROWS > 0 && ROWS <= 1_000_000)) throw new RangeError('rows: a whole number from 1 to 1,000,000');

let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const MEMORIES = ['2GiB', '4GiB', '8GiB', '16GiB', '32GiB'];
const TECHNIQUES = ['precopy', 'auto-converge', 'postcopy'];
const WORKLOADS = ['web', 'db', 'cache', 'batch', ''];

const dir = mkdtempSync(join(tmpdir(), 'migcost-import-bench-'));
try {
  const csv = join(dir, 'log.csv');
  const out = createWriteStream(csv);
  out.write(`${LOG_COLUMNS.join(',')}\n`);
  for (let i = 0; i < ROWS; i++) {
    const gib = 2 ** (1 + Math.floor(rnd() * 5));
    const line = `m-${i},vm-${i % 5000},${WORKLOADS[i % 5]},${TECHNIQUES[i % 3]},${MEMORIES[Math.log2(gib) - 1]},${Math.round(rnd() * 200)}MiB/s,${[1, 10, 25][i % 3]}Gbit/s,${i % 2 ? '300ms' : ''},${(gib * (2 + rnd() * 20)).toFixed(3)},${(0.05 + rnd() * 0.5).toFixed(3)},${Math.round(gib * 2 ** 30 * (1 + rnd()))},${i % 4 ? '' : (rnd() * 0.6).toFixed(3)}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  console.log(`# history import: ${ROWS.toLocaleString()} rows, CSV ${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB (${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version})`);

  const db = join(dir, 'store.sqlite');
  const store = await openStore(db);
  let peakSampled = process.memoryUsage().rss;
  const rssAt: string[] = [];
  const timer = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage().rss)), 200);
  const t0 = performance.now();
  let seen = 0;
  const r = await importLog(store, async function* () {
    for await (const row of readLoggedMigrations(csv)) {
      if (++seen % Math.max(1, Math.floor(ROWS / 4)) === 0) rssAt.push(`${seen.toLocaleString()} rows read: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
      yield row;
    }
  });
  const sec = (performance.now() - t0) / 1000;
  clearInterval(timer);
  await store.close();
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(`stored ${r.stored.toLocaleString()} of ${r.rows.toLocaleString()} rows in ${sec.toFixed(1)} s (${Math.round(r.rows / sec).toLocaleString()} rows/s; one read, one transaction, inserts in batches of 5,000), SQLite ${(statSync(db).size / 2 ** 20).toFixed(0)} MiB`);
  console.log(`peak RSS ${maxRssMiB.toFixed(0)} MiB (sampled every 200 ms: ${(peakSampled / 2 ** 20).toFixed(0)} MiB); RSS along the way: ${rssAt.join('; ')}`);
  console.log(`target: < 60 s for 1,000,000 rows: ${ROWS === 1_000_000 ? (sec < 60 ? 'met' : 'NOT met') : 'run with 1000000 to judge'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
