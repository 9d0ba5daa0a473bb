import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildLabReport, repeatability } from '../../src/evaluate/report.js';
import { outOfFoldPlatforms, recordsForHost, MIN_HOST_RECORDS } from '../../src/evaluate/cross-validate.js';
import { hostKey } from '../../src/record/record.js';
import { predictAllVariants, workingSetFromCurve, VARIANTS } from '../../src/model/from-sample.js';
import type { MigrationRecord, MigrationConfig } from '../../src/record/record.js';
import type { VmSample } from '../../src/model/sample.js';
import { assertClose, MiB } from '../helpers.js';

const cfg: MigrationConfig = { memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '64M', rate: 20000 }, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 60 };
const sample: VmSample = {
  memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 40 * MiB, zeroPageFraction: 0.5, sampledAt: '2026-11-22T00:00:00Z',
  curve: [{ windowSec: 0.5, dirtiedBytes: 20 * MiB }, { windowSec: 1, dirtiedBytes: 40 * MiB }, { windowSec: 2, dirtiedBytes: 60 * MiB }, { windowSec: 4, dirtiedBytes: 64 * MiB }],
};

function record(id: string, measuredTime: number, status: 'completed' | 'cancelled' = 'completed', workload: MigrationConfig['workload'] = 'dirtier'): MigrationRecord {
  const predicted = predictAllVariants(sample, { ...cfg, workload }, {});
  return {
    id, startedAt: '2026-11-22T00:00:00Z', config: { ...cfg, workload }, accelerator: 'tcg', qemuVersion: '10.0.2', sample, predicted,
    measured: { status, totalTimeSec: measuredTime, downtimeSec: 0.02, transferredBytes: predicted.qemu.transferredBytes, rounds: 3, converged: status === 'completed', setupSec: 0.01 },
    trace: [],
  };
}

describe('lab variants', () => {
  it('every variant predicts from the same sample', () => {
    const p = predictAllVariants(sample, cfg, {});
    assert.deepEqual(Object.keys(p).sort(), [...VARIANTS].sort());
    assert.ok(p['qemu+zero'].transferredBytes < p.qemu.transferredBytes, 'zero pages cut traffic');
  });
  it('a flattened curve gives the working set', () => {
    assert.equal(workingSetFromCurve(sample), 64 * MiB);
    assert.equal(workingSetFromCurve({ ...sample, curve: sample.curve.slice(0, 2) }), undefined);
  });
});

describe('lab report', () => {
  it('median errors per variant and workload, the noise floor from repeats, convergence verdicts', () => {
    const t = predictAllVariants(sample, cfg, {}).qemu.totalTimeSec;
    const recs = [record('a', t), record('b', t * 1.1), record('c', t * 0.9), record('d', t, 'cancelled'), record('e', t, 'completed', 'idle')];
    const rep = buildLabReport(recs, ['qemu']);
    assert.equal(rep.migrations, 5);
    assert.equal(rep.completed, 4);
    const dirtier = rep.rows.find((r) => r.variant === 'qemu' && r.workload === 'dirtier-seq')!;
    assert.equal(dirtier.errors.totalTimeSec.n, 3);
    assertClose(dirtier.errors.totalTimeSec.median, 1 - 1 / 1.1, 1e-9); // errors: 0, 0.0909, 0.1111
    assertClose(dirtier.errors.transferredBytes.median, 0);
    assert.equal(dirtier.convergenceTotal, 4);
    assert.equal(dirtier.convergenceRight, 3); // the cancelled one was predicted to converge
    assert.equal(rep.noiseFloor.totalTimeSec.n, 3); // the idle run has no repeat
    // the repeat oracle: t <- median(1.1t, 0.9t) = t; 1.1t <- 0.95t; 0.9t <- 1.05t
    assert.equal(rep.repeatOracle.totalTimeSec.n, 3);
    assertClose(rep.repeatOracle.totalTimeSec.median, 1 - 0.95 / 1.1, 1e-9);
  });

  it('runs of one configuration on two machines are not repeats of each other', () => {
    const t = predictAllVariants(sample, cfg, {}).qemu.totalTimeSec;
    const recs = [{ ...record('a', t), host: { cpu: 'Xeon', cpus: 2 } }, { ...record('b', t * 2), host: { cpu: 'EPYC', cpus: 2 } }];
    assert.equal(buildLabReport(recs, ['qemu']).noiseFloor.totalTimeSec.n, 0);
    assert.equal(buildLabReport(recs.map((r) => ({ ...r, host: { cpu: 'Xeon', cpus: 2 } })), ['qemu']).noiseFloor.totalTimeSec.n, 2);
    // pinned runs (the vCPU on a core of its own) are another platform than the same machine unpinned
    assert.equal(buildLabReport(recs.map((r, i) => ({ ...r, host: { cpu: 'Xeon', cpus: 2, ...(i ? { pinned: true } : {}) } })), ['qemu']).noiseFloor.totalTimeSec.n, 0);
  });
});

describe('where the error lies: configurations whose repeats agree, and erratic ones', () => {
  it('splits by each configuration\'s own repeats on one machine', () => {
    const t = predictAllVariants(sample, cfg, {}).qemu.totalTimeSec;
    const recs = [
      record('a1', t), record('a2', t * 1.1), // dirtier: spread 10 % -> repeatable
      record('b1', t, 'completed', 'idle'), record('b2', t * 1.5, 'completed', 'idle'), // spread 50 % -> erratic
      record('c1', t, 'completed', 'redis'), record('c2', t, 'cancelled', 'redis'), // ended differently -> erratic
      record('d1', t * 2, 'completed', 'dbench'), // run once -> repeatable
    ];
    const rp = repeatability(recs, 'qemu');
    assert.equal(rp.repeatable.configurations, 2);
    assert.equal(rp.repeatable.migrations, 3);
    assert.equal(rp.erratic.configurations, 2);
    assert.equal(rp.erratic.migrations, 4);
    assert.equal(rp.repeatable.errors.totalTimeSec.n, 3);
    assertClose(rp.repeatable.errors.totalTimeSec.median, 1 - 1 / 1.1, 1e-9); // errors 0, 0.0909, 0.5
    assert.equal(rp.erratic.errors.totalTimeSec.n, 3); // b1, b2, c1 (c2 did not complete)
    assert.ok(rp.erratic.keys.every((k) => /idle|redis/.test(k)));
    // the same two idle runs on two machines are no repeats of each other: each is a configuration run once
    const two = repeatability([{ ...recs[2], host: { cpu: 'Xeon', cpus: 2 } }, { ...recs[3], host: { cpu: 'EPYC', cpus: 2 } }], 'qemu');
    assert.equal(two.erratic.configurations, 0);
    assert.equal(buildLabReport(recs, ['qemu']).repeatability?.variant, 'qemu');
  });
});

describe('platform constants per machine', () => {
  // downtime = 2 ms + stop-copy bytes / rate, exactly; each record its own configuration (so folds differ).
  const run = (id: number, cpu: string, rate: number): MigrationRecord => {
    const stopCopyBytes = (4 + (id % 17) * 3) * MiB;
    const r = record(`${cpu}-${id}`, 2);
    return {
      ...r,
      config: { ...r.config, params: { ...r.config.params, rate: 1000 + id } },
      host: { cpu, cpus: 2 },
      measured: { ...r.measured, rounds: 3, stopCopyBytes, downtimeSec: 0.002 + stopCopyBytes / rate, setupSec: 0.01 },
    };
  };
  it("each machine's stop-and-copy rate is fitted on its own records once it has enough, out of fold", () => {
    const xeon = Array.from({ length: 40 }, (_, i) => run(i, 'Xeon', 1.5e9));
    const epyc = Array.from({ length: 40 }, (_, i) => run(100 + i, 'EPYC', 0.75e9));
    const few = Array.from({ length: MIN_HOST_RECORDS - 1 }, (_, i) => run(200 + i, 'Other', 3e9));
    const platformOf = outOfFoldPlatforms([...xeon, ...epyc, ...few], 5);
    assertClose(platformOf(xeon[3]).stopCopyRateBytesPerSec!, 1.5e9, 1e-6);
    assertClose(platformOf(epyc[3]).stopCopyRateBytesPerSec!, 0.75e9, 1e-6);
    assertClose(platformOf(epyc[3]).resumeSec!, 0.002, 1e-6);
    // A machine with too few records borrows every machine's fit: between the two rates, not its own.
    const pooled = platformOf(few[0]).stopCopyRateBytesPerSec!;
    assert.ok(pooled < 3e9 * 0.9 && pooled > 0.5e9, `${pooled}`);
  });
  it("libvirt-driven records are a platform of their own: their setup (libvirt's job starts before the destination QEMU) is fitted apart, even with too few of them", () => {
    const qmp = Array.from({ length: 40 }, (_, i) => run(i, 'EPYC', 0.75e9));
    const lv = (n: number) => Array.from({ length: n }, (_, i) => ({ ...run(300 + i, 'EPYC', 0.75e9), driver: 'libvirt' as const, measured: { ...run(300 + i, 'EPYC', 0.75e9).measured, setupSec: 0.3 + (i % 3) * 0.01 } }));
    for (const n of [40, MIN_HOST_RECORDS - 1]) {
      const libvirt = lv(n);
      const platformOf = outOfFoldPlatforms([...qmp, ...libvirt], 5);
      assertClose(platformOf(libvirt[2]).setupSec!, 0.31, 0.04);
      assertClose(platformOf(qmp[2]).setupSec!, 0.01, 1e-9);
    }
    assert.equal(recordsForHost([...qmp, ...lv(5)], 'EPYC x2 via libvirt').scope, 'driver');
    assert.equal(hostKey({ host: { cpu: 'EPYC', cpus: 2 }, driver: 'libvirt' }), 'EPYC x2 via libvirt');
  });
});

describe('refined-model evaluation', () => {
  it('realised rate is eq. 11 over the pre-copy rounds; only migrations with history are scored', async () => {
    const { realisedRate, withRefinedSamples } = await import('../../src/evaluate/refined-eval.js');
    const r = record('a', 2);
    r.trace = [
      { round: 0, kind: 'pre-copy', sentBytes: 1, durationSec: 1, rateBytesPerSec: 1, dirtiedBytes: 10 * MiB, skippedBytes: 0, remainingBytes: 0, throttle: 0 },
      { round: 1, kind: 'pre-copy', sentBytes: 1, durationSec: 2, rateBytesPerSec: 1, dirtiedBytes: 80 * MiB, skippedBytes: 0, remainingBytes: 0, throttle: 0 },
      { round: 2, kind: 'stop-copy', sentBytes: 1, durationSec: 0.01, rateBytesPerSec: 1, dirtiedBytes: 0, skippedBytes: 0, remainingBytes: 0, throttle: 0 },
    ];
    assertClose(realisedRate(r)!, (10 * MiB + 80 * MiB) / 3); // (10 x 1 + 40 x 2) / 3 MiB/s
    const later = { ...record('b', 2), startedAt: '2026-11-22T01:00:00Z', trace: r.trace };
    const pairs = withRefinedSamples([later, r]);
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0].record.id, 'b');
    // phi 0.5: half the fresh sample (40 MiB/s), half the history (30 MiB/s)
    assertClose(pairs[0].refined.dirtyRateBytesPerSec, 0.5 * 40 * MiB + 0.5 * 30 * MiB);
  });
});
