/**
 * A sweep on worker threads gives exactly the results of the same simulations run one after another, stores one
 * row per run, and resumes after being killed without running a stored run again.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLANETLAB_ARCHIVE, loadPlanetLabDay } from '../../src/sim/planetlab-loader.js';
import { cloudsimPlanetLabPreset } from '../../src/sim/presets.js';
import { simulateCluster } from '../../src/sim/engine.js';
import { workloadClassPricer } from '../../src/sim/pricer.js';
import { parsePolicy } from '../../src/sim/compare.js';
import { sweepGrid, type GridRequest } from '../../src/sweep/inputs.js';
import { runSweep } from '../../src/sweep/sweep.js';
import { sweepRows } from '../../src/sweep/rows.js';
import { SweepRunStore } from '../../src/store/sweep-runs.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;
const DAYS = ['20110303', '20110306'];
const noArchive = !existsSync(DEFAULT_PLANETLAB_ARCHIVE) && 'no PlanetLab archive';

describe('sweep', { skip: noArchive }, () => {
  let traces = '';
  const request = (policies: string[]): GridRequest => ({
    days: DAYS, traces, fileOrder: 'tar', scale: 1, bitbrains: '/none', migrationModel: 'cloudsim',
    detectors: ['thr'], policies, seeds: [1], memorySources: ['vm-type'],
  });

  before(() => {
    // two days of 80 PlanetLab traces each (a folder of <day>/), so each run takes a second, not five
    traces = mkdtempSync(join(tmpdir(), 'migcost-sweep-'));
    for (const day of DAYS) {
      mkdirSync(join(traces, day));
      for (const t of loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, day).slice(0, 80)) writeFileSync(join(traces, day, t.name), `${Array.from(t.percent).join('\n')}\n`);
    }
  });

  it('2 days x 2 policies on 2 workers equal sequential simulate runs, exactly', async () => {
    const runs = sweepGrid(request(['mmt', 'moa:sla']));
    const results = await runSweep(runs, { workers: 2 });
    assert.deepEqual(results.map((r) => `${r.run.day} ${r.run.policy}`), ['20110303 mmt', '20110303 moa:sla', '20110306 mmt', '20110306 moa:sla']);
    for (const r of results) {
      const { selection, objective } = parsePolicy(r.run.policy);
      const alone = simulateCluster({ ...cloudsimPlanetLabPreset(loadPlanetLabDay(traces, r.run.day)), detector: 'thr', detectorParam: 0.8, selection, ...(objective ? { costObjective: objective } : {}), seed: 1, pricer: workloadClassPricer() });
      assert.deepEqual(r.result, JSON.parse(JSON.stringify(alone)), `${r.run.day} ${r.run.policy}`);
      assert.equal(r.cached, false);
    }
    const rows = sweepRows(results);
    assert.equal(rows[0].esvVsMmt, 0);
    assert.equal(rows[1].esvVsMmt, (rows[1].esv - rows[0].esv) / rows[0].esv);
  });

  it('a sweep killed mid-run resumes: stored runs are read back, the rest run, one row each', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'migcost-sweep-db-')), 'sweep.sqlite');
    const policies = ['mmt', 'mc', 'mu', 'rs'];
    const args = ['sweep', '--traces', traces, '--days', DAYS.join(','), '--policies', policies.join(','), '--workers', '1', '--db', db, '--json', '--quiet'];
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(['node', 'migcost', ...JSON.parse(process.argv[1])]))`, JSON.stringify(args)], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // wait for the first stored run, then kill the sweep (its store is opened and read by a second connection)
    let stored = 0;
    while (stored === 0) {
      await new Promise((r) => setTimeout(r, 200));
      if (!existsSync(db)) continue;
      const s = await SweepRunStore.open(db);
      stored = await s.count();
      await s.close();
    }
    child.kill('SIGKILL');
    await exited;
    const store = await SweepRunStore.open(db);
    try {
      const before = await store.count();
      assert.ok(before >= 1 && before < 8, `${before} runs stored before the kill`);
      const runs = sweepGrid(request(policies));
      let computed = 0;
      const results = await runSweep(runs, { workers: 2, store, onProgress: (_d, _t, c) => (computed = c) });
      assert.equal(computed, 8 - before);
      assert.equal(results.filter((r) => r.cached).length, before);
      assert.equal(await store.count(), 8);
      // a second resume runs nothing, and reads back what the first wrote
      let again = -1;
      const second = await runSweep(runs, { workers: 2, store, onProgress: (_d, _t, c) => (again = c) });
      assert.equal(again, 0);
      assert.deepEqual(second.map((r) => r.result), results.map((r) => r.result));
      // and equals a run without a store
      const fresh = await runSweep(runs.slice(0, 2), { workers: 0 });
      assert.deepEqual(fresh.map((r) => r.result), results.slice(0, 2).map((r) => r.result));
      assert.equal(await store.put(results[0].key, { day: 'x', detector: 'thr', detectorParam: 0.8, policy: 'mmt', seed: 1, memorySource: 'vm-type' }, {}, {}, 0), false);
    } finally {
      await store.close();
    }
  });
});
