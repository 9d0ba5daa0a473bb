/**
 * A sweep across processes over a real PostgreSQL (scripts/pg-test-server.sh start sets MIGCOST_TEST_PG_URL):
 * enqueued with pg-boss, worked by two worker processes of which one is killed mid-run. Its job is retried, every
 * run is stored exactly once in the same database, and the results equal a sequential run's.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_PLANETLAB_ARCHIVE, loadPlanetLabDay } from '../../src/sim/planetlab-loader.js';
import { sweepGrid } from '../../src/sweep/inputs.js';
import { runSweep } from '../../src/sweep/sweep.js';
import { runKey } from '../../src/sweep/grid.js';
import { enqueueSweep, waitForSweep } from '../../src/sweep/queue.js';
import { SweepRunStore } from '../../src/store/sweep-runs.js';
import type { SimulationResult } from '../../src/sim/types.js';

const PG = process.env.MIGCOST_TEST_PG_URL;
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;
const DAYS = ['20110303', '20110306'];
const skip = !PG ? 'no MIGCOST_TEST_PG_URL' : !existsSync(DEFAULT_PLANETLAB_ARCHIVE) ? 'no PlanetLab archive' : false;

function worker(url: string): { child: ChildProcess; stored: Promise<void> } {
  const args = ['worker', '--queue', url, '--workers', '1'];
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(['node', 'migcost', ...JSON.parse(process.argv[1])]))`, JSON.stringify(args)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MIGCOST_QUEUE_MAINTENANCE_SEC: '1' },
  });
  let err = '';
  const stored = new Promise<void>((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (/ stored\n/.test(err)) resolve();
    });
  });
  return { child, stored };
}

describe('sweep over a PostgreSQL queue (pg-boss)', { skip }, () => {
  let traces = '';
  let url = '';
  const children: ChildProcess[] = [];

  before(async () => {
    traces = mkdtempSync(join(tmpdir(), 'migcost-queue-'));
    for (const day of DAYS) {
      mkdirSync(join(traces, day));
      for (const t of loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, day).slice(0, 800)) writeFileSync(join(traces, day, t.name), `${Array.from(t.percent).join('\n')}\n`);
    }
    const name = `sweepq_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: PG });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    url = PG!.replace(/\/[^/]*$/, `/${name}`);
  });

  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('two workers, one killed mid-run: its job is retried, each run stored once, results equal a sequential run', async () => {
    const runs = sweepGrid({
      days: DAYS, traces, fileOrder: 'tar', scale: 1, bitbrains: '/none', migrationModel: 'cloudsim',
      detectors: ['thr'], policies: ['mmt', 'mc', 'mu', 'rs'], seeds: [1], memorySources: ['vm-type'],
    });
    const store = await SweepRunStore.open(url);
    try {
      assert.deepEqual(await enqueueSweep(url, runs, store, { jobTimeoutSec: 20 }), { enqueued: 8, stored: 0 });
      const a = worker(url);
      const b = worker(url);
      children.push(a.child, b.child);
      await a.stored; // a finished one run and took the next: kill it while that one runs
      await new Promise((r) => setTimeout(r, 300));
      a.child.kill('SIGKILL');
      await waitForSweep(store, runs, () => undefined, 500);
      b.child.kill('SIGTERM');
      const keys = runs.map(runKey);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        const rows = (await db.query('select key, count(*)::int as n from sweep_runs group by key')).rows as Array<{ key: string; n: number }>;
        assert.deepEqual(rows.map((r) => r.key).sort(), [...keys].sort());
        assert.ok(rows.every((r) => r.n === 1));
        const retried = (await db.query("select count(*)::int as n from pgboss.job where name = 'migcost-sweep' and retry_count > 0")).rows[0].n as number;
        assert.ok(retried >= 1, 'the killed worker\'s job was retried');
      } finally {
        await db.end();
      }
      const stored = await store.get<unknown, SimulationResult>(keys);
      const sequential = await runSweep(runs, { workers: 0 });
      for (const s of sequential) assert.deepEqual(stored.get(s.key)!.result, s.result, `${s.run.day} ${s.run.policy}`);
    } finally {
      await store.close();
    }
  });
});
