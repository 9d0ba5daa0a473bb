/**
 * One path from a sample to the model's input: `plan` prices a VM that carries a sample exactly as `predict
 * --vm`'s plain run (`plain`, the deterministic run beside its median answer) prices the same sample over the
 * same link and downtime limit — with the sample inline in the cluster
 * file, and with it posted the way the agent posts it (POST /v1/vms/{id}/samples through the app, in process,
 * into an SQLite file) and read back by `plan --from-store`, which takes each VM's newest sample whatever
 * stored it. Runs the built bin as users do.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/http/app.js';
import { openStore } from '../../src/store/store.js';
import { simulate } from '../../src/model/precopy.js';
import { inputFromSample, variantInput } from '../../src/model/from-sample.js';
import type { VmSample } from '../../src/model/sample.js';
import { fakeRecord } from '../store/fixtures.js';
import { MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'migcost-sample-path-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => {
  assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build` (npm test does)');
});

/** A pseudo-migration sample with everything the default model reads: bitmap counts, a later zero count, a layout. */
function richSample(sampledAt: string, k = 1): VmSample {
  return {
    memoryBytes: 256 * MiB,
    pageSizeBytes: 4096,
    dirtyRateBytesPerSec: 12 * MiB * k,
    curve: [{ windowSec: 0.05, dirtiedBytes: 1 * MiB * k }, { windowSec: 0.25, dirtiedBytes: 4 * MiB * k }, { windowSec: 1, dirtiedBytes: 12 * MiB * k }],
    zeroPageFraction: 0.2,
    cpuUtilisation: 0.8,
    bitmapCurve: [{ windowSec: 0.6, dirtiedBytes: 9 * MiB * k }, { windowSec: 1.2, dirtiedBytes: 16 * MiB * k }],
    bitmapZeroShare: 0.3,
    zeroPageFractionLate: 0.35,
    zeroPagesLateAt: sampledAt,
    nonZeroGrowthBytesPerSec: 1000,
    ramLayout: { windowSec: 1, nonZeroPages: [16000, 12000, 8000, 16384], changedPages: [100, 2000, 0, 500] },
    sampledAt,
  };
}

/** vm1 (3 CPUs, 1 GiB by the file) and vm2 (2 CPUs, 512 MiB) on a 4-CPU host: one must go; mia takes the smaller. */
function clusterDoc(vm1: Record<string, unknown> = {}) {
  return {
    hosts: [
      { id: 'h1', cpu: 4, memory: '8GiB', bandwidth: '100MiB/s' },
      { id: 'h2', cpu: 8, memory: '8GiB', bandwidth: '100MiB/s' },
    ],
    vms: [
      { id: 'vm1', host: 'h1', cpu: 3, memory: '1GiB', dirtyRate: '1MiB/s', ...vm1 },
      { id: 'vm2', host: 'h1', cpu: 2, memory: '512MiB', dirtyRate: '1MiB/s' },
    ],
  };
}

interface Priced { totalTimeSec: number; transferredBytes: number; downtimeSec: number; converged: boolean }

function cli(args: string[]): unknown {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** `migcost plan --policy mia` on a cluster document: vm1's move and the bandwidth it was priced at. */
function planVm1(doc: unknown, extra: string[] = []): { predicted: Priced; bandwidthBytesPerSec: number } {
  const file = join(mkdtempSync(join(dir, 'c-')), 'cluster.json');
  writeFileSync(file, JSON.stringify(doc));
  const plan = cli(['plan', '--cluster', file, '--policy', 'mia', '--downtime-limit', '250ms', '--json', ...extra]) as { moves: { vm: string; predicted: Priced; bandwidthBytesPerSec: number }[] };
  assert.deepEqual(plan.moves.map((m) => m.vm), ['vm1'], 'the sample (256 MiB) makes vm1 the smaller VM');
  return plan.moves[0];
}

/** `migcost predict --vm` on the sample (as `migcost sample --json` writes it, or wrapped as {vm}): its plain run, what plan ranks by. */
function predictVm(sample: unknown, bandwidthBytesPerSec: number): Priced {
  const file = join(mkdtempSync(join(dir, 'v-')), 'vm.json');
  writeFileSync(file, JSON.stringify(sample));
  const p = cli(['predict', '--vm', file, '--bandwidth', `${bandwidthBytesPerSec}B/s`, '--downtime-limit', '250ms', '--json']) as Priced & { plain: Priced };
  return p.plain;
}

function assertSamePrice(plan: Priced, predict: Priced): void {
  assert.equal(plan.totalTimeSec, predict.totalTimeSec);
  assert.equal(plan.transferredBytes, predict.transferredBytes);
  assert.equal(plan.downtimeSec, predict.downtimeSec);
  assert.equal(plan.converged, predict.converged);
}

/** What the plan path priced before: QEMU's rule over the curve and the RAM dump's zero share only. */
function curveOnly(s: VmSample, bw: number): Priced {
  return simulate({ vm: { memoryBytes: s.memoryBytes, dirtyRateBytesPerSec: s.dirtyRateBytesPerSec, zeroPageFraction: s.zeroPageFraction, cpuUtilisation: s.cpuUtilisation, dirtyModel: { kind: 'curve', points: s.curve } }, bandwidthBytesPerSec: bw, policy: { name: 'qemu', downtimeLimitSec: 0.25, timeoutSec: 600 } });
}

async function postAsAgent(db: string, vmId: string, sample: VmSample, id: string): Promise<void> {
  const store = await openStore(db);
  const app = buildApp({ store, token: 'agent-token-0001', webRoot: false });
  try {
    const r = await app.inject({ method: 'POST', url: `/v1/vms/${vmId}/samples`, headers: { authorization: 'Bearer agent-token-0001' }, payload: { id, sample, source: 'agent' } });
    assert.equal(r.statusCode, 201, r.body);
  } finally {
    await app.close();
    await store.close();
  }
}

describe('one path from a sample to the model’s input', () => {
  it('the lab variants are inputFromSample with the variant as its option (default deng-bitmap)', () => {
    const s = richSample('2026-11-22T00:00:00.000Z');
    const cfg = { memoryBytes: s.memoryBytes, workload: 'dirtier' as const, params: {}, bandwidthBytesPerSec: 50 * MiB, downtimeLimitSec: 0.3, autoConverge: true, timeoutSec: 60 };
    assert.deepEqual(variantInput('deng-bitmap', s, cfg, {}), inputFromSample(s, cfg, {}));
    assert.deepEqual(variantInput('xen', s, cfg, {}), inputFromSample(s, cfg, {}, { variant: 'xen' }));
  });

  it('plan prices a VM carrying its sample in the cluster file exactly as predict --vm does', () => {
    const s = richSample('2026-11-22T00:00:00.000Z');
    const move = planVm1(clusterDoc({ sample: s }));
    assert.equal(move.bandwidthBytesPerSec, 100 * MiB);
    const p = predictVm(s, move.bandwidthBytesPerSec);
    assertSamePrice(move.predicted, p);
    assertSamePrice(move.predicted, predictVm({ vm: s }, move.bandwidthBytesPerSec));
    // The default model reads more than the curve: the curve-only pricing the plan path used is another figure.
    assert.notEqual(curveOnly(s, move.bandwidthBytesPerSec).transferredBytes, p.transferredBytes);
  });

  it('plan --from-store prices a sample the agent posted exactly as predict --vm does', async () => {
    const db = join(mkdtempSync(join(dir, 'db-')), 'h.sqlite');
    const s = richSample('2026-11-22T00:00:00.000Z');
    await postAsAgent(db, 'vm1', s, 'agent-sample-0001');
    const move = planVm1(clusterDoc(), ['--from-store', '--db', db]);
    assertSamePrice(move.predicted, predictVm(s, move.bandwidthBytesPerSec));
  });

  it('plan --from-store takes a newer agent sample over an older lab record’s, and a newer record over an older post', async () => {
    const db = join(mkdtempSync(join(dir, 'db-')), 'h.sqlite');
    const store = await openStore(db);
    const r = fakeRecord(1);
    r.config.params = { vm: 'vm1' };
    r.config.workload = 'external';
    r.sample = richSample('2026-11-22T00:00:00.000Z', 1);
    await store.recordMigration(r);
    await store.close();
    const newer = richSample('2026-11-22T01:00:00.000Z', 2);
    await postAsAgent(db, 'vm1', newer, 'agent-sample-0002');
    const move = planVm1(clusterDoc(), ['--from-store', '--db', db]);
    assertSamePrice(move.predicted, predictVm(newer, move.bandwidthBytesPerSec));
    assert.notEqual(move.predicted.transferredBytes, predictVm(r.sample, move.bandwidthBytesPerSec).transferredBytes);

    // A migration recorded later brings a later sample, which wins in its turn (times compared as times).
    const s2 = await openStore(db);
    const later = fakeRecord(2);
    later.config.params = { vm: 'vm1' };
    later.config.workload = 'external';
    later.sample = richSample('2026-11-22T03:30:00+02:00', 3); // 01:30 UTC
    await s2.recordMigration(later);
    const latest = await s2.latestSamples(['vm1', 'vm2', 'nobody']);
    await s2.close();
    assert.deepEqual([...latest.keys()], ['vm1']);
    assert.equal(latest.get('vm1')!.id, `${later.id}-sample`);
    assertSamePrice(planVm1(clusterDoc(), ['--from-store', '--db', db]).predicted, predictVm(later.sample, 100 * MiB));
  });

  it('POST /v1/plan and POST /v1/predict take the same sample and price it the same (plan by the plain run)', async () => {
    const s = richSample('2026-11-22T00:00:00.000Z');
    const app = buildApp({ webRoot: false });
    try {
      const plan = await app.inject({ method: 'POST', url: '/v1/plan', payload: { cluster: clusterDoc({ sample: s }), policy: 'mia', downtimeLimit: '250ms' } });
      assert.equal(plan.statusCode, 200, plan.body);
      const move = plan.json().moves[0];
      assert.equal(move.vm, 'vm1');
      const pred = await app.inject({ method: 'POST', url: '/v1/predict', payload: { sample: s, bandwidth: move.bandwidthBytesPerSec, downtimeLimit: '250ms' } });
      assert.equal(pred.statusCode, 200, pred.body);
      assertSamePrice(move.predicted, pred.json().plain);
      assertSamePrice(move.predicted, predictVm(s, move.bandwidthBytesPerSec));
      const bad = await app.inject({ method: 'POST', url: '/v1/predict', payload: { sample: { ...s, curve: [{ windowSec: 1, dirtiedBytes: 5 }, { windowSec: 0.5, dirtiedBytes: 6 }] }, bandwidth: '1Gbit/s' } });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /sample\.curve/);
    } finally {
      await app.close();
    }
  });

  it('flags still override what predict --vm reads off the sample', () => {
    const s = richSample('2026-11-22T00:00:00.000Z');
    const file = join(mkdtempSync(join(dir, 'v-')), 'vm.json');
    writeFileSync(file, JSON.stringify(s));
    const asIs = cli(['predict', '--vm', file, '--bandwidth', '100MiB/s', '--json']) as Priced;
    const bigger = cli(['predict', '--vm', file, '--bandwidth', '100MiB/s', '--memory', '512MiB', '--json']) as Priced;
    assert.ok(bigger.transferredBytes > asIs.transferredBytes);
  });
});
