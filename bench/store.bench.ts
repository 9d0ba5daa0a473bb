/**
 * Reads of a large store through the HTTP app in process (app.inject, no socket): builds a SQLite store of
 * 100,000 migrations (100 VMs, 8 rounds each) and prints the time of GET /v1/vms/{id}/migrations (a page, one
 * migration, the next page), GET /v1/fits, GET /v1/vms and a VM's samples: first call and median of the next
 * ones; then GET /v1/fits after each of 5 new migrations (a refit, not the kept answer), and after 25 more (warm).
 * Run: node --import tsx bench/store.bench.ts [migrations] [vms] [rounds]
 */
import os from 'node:os';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { openStore } from '../src/store/store.js';
import { buildApp } from '../src/http/app.js';

const MIGRATIONS = Number(process.argv[2] ?? 100_000);
const VMS = Number(process.argv[3] ?? 100);
const ROUNDS = Number(process.argv[4] ?? 8);
const WARM = 20;

let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const MiB = 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), 'migcost-store-bench-'));
const file = join(dir, 'bench.sqlite');
try {
  await (await openStore(file)).close(); // the schema, as migcost creates it
  const t0 = performance.now();
  fill(file, 0, MIGRATIONS);
  const buildSec = (performance.now() - t0) / 1000;
  console.log(`# store: ${MIGRATIONS.toLocaleString()} migrations over ${VMS} VMs, ${ROUNDS} rounds each, SQLite ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB, built in ${buildSec.toFixed(1)} s (${os.cpus()[0]?.model}, node ${process.version})`);
  const store = await openStore(file);
  const app = buildApp({ store, webRoot: false });
  await app.ready();
  const first = await app.inject({ url: '/v1/vms/vm-0/migrations' });
  const next = (first.json() as { next?: string }).next;
  console.log('route\tfirst ms\tmedian ms\tanswered');
  for (const url of ['/v1/vms/vm-0/migrations', '/v1/vms/vm-0/migrations?limit=1', `/v1/vms/vm-0/migrations?cursor=${next}`, '/v1/fits', '/v1/vms', '/v1/vms/vm-0/samples']) {
    const times: number[] = [];
    let answered = '';
    for (let i = 0; i <= WARM; i++) {
      const t = performance.now();
      const r = await app.inject({ url });
      times.push(performance.now() - t);
      if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
      const b = r.json() as { migrations?: unknown; vms?: unknown[]; fits?: { kind: string; n: number }[]; samples?: unknown[] };
      answered = b.fits ? `${b.migrations} migrations fitted: ${b.fits.map((f) => `${f.kind} n=${f.n}`).join(', ')}` : `${((b.migrations ?? b.vms ?? b.samples) as unknown[]).length} items, ${(r.rawPayload.length / 1024).toFixed(0)} KiB`;
    }
    const warm = times.slice(1).sort((a, b) => a - b);
    console.log(`GET ${url.replace(/cursor=.*/, 'cursor=<next>')}\t${times[0].toFixed(1)}\t${warm[warm.length >> 1].toFixed(1)}\t${answered}`);
  }
  // The fits are kept while the history is unchanged: a new migration (written by another process) makes the
  // next call fit again, now with the code warm.
  const refits: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    fill(file, MIGRATIONS + i, 1);
    const t = performance.now();
    const r = await app.inject({ url: '/v1/fits' });
    refits.push(performance.now() - t);
    if ((r.json() as { migrations: number }).migrations !== 1000) throw new Error('/v1/fits: not refitted');
  }
  console.log(`GET /v1/fits after each new migration\t${refits[0].toFixed(1)}\t${refits.sort((a, b) => a - b)[2].toFixed(1)}\trefitted`);
  // The same over 25 more, once the fits' code is warm (the first refits after a start also compile it).
  const more: number[] = [];
  for (let i = 5; i < 30; i++) {
    fill(file, MIGRATIONS + i, 1);
    const c = process.cpuUsage();
    const t = performance.now();
    const r = await app.inject({ url: '/v1/fits' });
    more.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
    if (r.statusCode !== 200) throw new Error('/v1/fits: not answered');
  }
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`GET /v1/fits after each of 25 more\t${more[0].toFixed(1)}\t${mid(more).toFixed(1)}\trefitted (median CPU ${mid(cpu).toFixed(1)} ms)`);
  await app.close();
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes migrations from..from+count straight into the file in one transaction (the store commits one by one). */
function fill(path: string, from: number, count: number): void {
  const db = new SqliteDatabase(path);
  db.pragma('synchronous = OFF');
  const vm = db.prepare('insert into vms (id, name, memory_bytes, created_at) values (?, ?, ?, ?)');
  const sample = db.prepare('insert into samples (id, vm_id, taken_at, memory_bytes, dirty_rate_bytes_per_sec, zero_page_fraction, cpu_utilisation, curve_json, source, pseudo_json) values (?, ?, ?, ?, ?, ?, ?, ?, ?, null)');
  const migration = db.prepare(`insert into migrations (id, vm_id, sample_id, started_at, config_json, status, total_time_sec, downtime_sec, transferred_bytes, rounds, trace_rows, measured_json, predicted_json, qemu_version, accelerator, migration_started_at, host_json)
    values (?, ?, ?, ?, ?, 'completed', ?, ?, ?, ?, ?, ?, ?, '10.0.2', 'tcg', null, null)`);
  const round = db.prepare('insert into migration_rounds (migration_id, round, kind, sent_bytes, duration_sec, rate_bytes_per_sec, dirtied_bytes, skipped_bytes, remaining_bytes, throttle) values (?, ?, ?, ?, ?, ?, ?, 0, ?, 0)');
  db.transaction(() => {
    if (from === 0) for (let v = 0; v < VMS; v++) vm.run(`vm-${v}`, `vm-${v}`, 1024 * MiB, '2026-01-01T00:00:00.000Z');
    for (let i = from; i < from + count; i++) {
      const vmId = `vm-${i % VMS}`;
      const id = `m-${String(i).padStart(7, '0')}`;
      const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
      const dirty = (5 + rnd() * 95) * MiB;
      const rounds = 1 + Math.floor(rnd() * ROUNDS);
      const stopCopyBytes = (1 + rnd() * 60) * MiB;
      const downtimeSec = 0.01 + stopCopyBytes / (400 * MiB) + rnd() * 0.005;
      const totalTimeSec = 2 + rnd() * 20;
      const transferred = 1024 * MiB + rnd() * 512 * MiB;
      const measured = { status: 'completed', totalTimeSec, downtimeSec, transferredBytes: transferred, rounds, converged: true, setupSec: 0.001 + rnd() * 0.002, stopCopyBytes };
      const config = { memoryBytes: 1024 * MiB, workload: 'dirtier', params: { vm: vmId }, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 60 };
      sample.run(`${id}-sample`, vmId, at, 1024 * MiB, dirty, 0.2, 0.5, JSON.stringify([{ windowSec: 1, dirtiedBytes: dirty }]), 'calc-dirty-rate');
      migration.run(id, vmId, `${id}-sample`, at, JSON.stringify(config), totalTimeSec, downtimeSec, transferred, rounds, ROUNDS, JSON.stringify(measured), JSON.stringify({ qemu: { totalTimeSec, downtimeSec, transferredBytes: transferred, rounds, converged: true } }));
      for (let r = 0; r < ROUNDS; r++) {
        const sec = 0.2 + rnd() * 2;
        round.run(id, r, r === ROUNDS - 1 ? 'stop-copy' : 'pre-copy', 100 * MiB * sec, sec, 100 * MiB, dirty * sec * (0.3 + 0.5 * rnd()), 1e6 * r);
      }
    }
  })();
  db.close();
}
