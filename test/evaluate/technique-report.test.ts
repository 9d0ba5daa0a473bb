/** Every technique against its measured migrations: errors, the repeat oracle and the targets (worked examples). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { byAdviseOrder, downtimeIsPhase, techniqueLabel, techniqueReport, techniqueRow } from '../../src/evaluate/technique-report.js';
import { assertClose } from '../helpers.js';
import { rec } from './technique-records.js';

describe('techniqueLabel', () => {
  it("names a record's technique as advise does", () => {
    assert.equal(techniqueLabel({ autoConverge: false }), 'precopy');
    assert.equal(techniqueLabel({ autoConverge: true }), 'auto-converge');
    assert.equal(techniqueLabel({ autoConverge: false, technique: { name: 'multifd' } }), 'multifd');
    assert.equal(techniqueLabel({ autoConverge: false, technique: { name: 'multifd', multifdCompression: 'none' } }), 'multifd');
    assert.equal(techniqueLabel({ autoConverge: false, technique: { name: 'multifd', multifdCompression: 'zstd' } }), 'multifd+zstd');
    assert.equal(techniqueLabel({ autoConverge: false, technique: { name: 'compress' } }), 'multifd+zlib');
    assert.equal(techniqueLabel({ autoConverge: false, technique: { name: 'postcopy', postcopyAfterPasses: 2 } }), 'postcopy');
    assert.deepEqual(byAdviseOrder(['xbzrle', 'zzz', 'precopy', 'multifd+zlib', 'postcopy', 'precopy']), ['precopy', 'postcopy', 'xbzrle', 'multifd+zlib', 'zzz']);
  });
});

describe('techniqueRow', () => {
  // Two repeats of one xbzrle configuration: measured 10 s and 12 s, both predicted 11 s.
  // Model: |11 - 10| / 10 = 0.1, |11 - 12| / 12 = 0.08333: median 0.091667, p90 (type 7) 0.08333 + 0.9 x 0.016667 = 0.098333.
  // Oracle: 10 <- 12 (0.2), 12 <- 10 (0.16667): median 0.183333, p90 0.16667 + 0.9 x 0.03333 = 0.196667.
  const x = { name: 'xbzrle' } as const;
  const rows = [
    rec('a', x, { t: 11, mib: 300, d: 0.02 }, { t: 10, mib: 300, d: 0.05 }),
    rec('b', x, { t: 11, mib: 300, d: 0.02 }, { t: 12, mib: 330, d: 0.01 }),
  ];
  it('median and p90 errors of time and bytes, downtime median abs error, and the oracle per technique', () => {
    const r = techniqueRow('xbzrle', rows);
    assert.equal(r.errors.totalTimeSec.n, 2);
    assertClose(r.errors.totalTimeSec.median, (0.1 + 1 / 12) / 2);
    assertClose(r.errors.totalTimeSec.p90, 1 / 12 + 0.9 * (0.1 - 1 / 12));
    assertClose(r.oracle.totalTimeSec.median, (0.2 + 1 / 6) / 2);
    assertClose(r.oracle.totalTimeSec.p90, 1 / 6 + 0.9 * (0.2 - 1 / 6));
    // bytes: 0 and 30/330; downtime abs: 30 ms and 10 ms -> median 20 ms
    assertClose(r.errors.transferredBytes.median, 30 / 330 / 2);
    assertClose(r.errors.downtimeSec.medianAbs, 0.02);
    assert.equal(r.postcopyPhase, undefined);
    // time median 9.2 % > 5 %: missed; p90 9.8 % <= oracle 19.7 % + 3 points: met; downtime 20 ms <= 30 ms: met
    assert.deepEqual(r.verdicts, { timeMedian: false, timeP90: true, bytesMedian: true, bytesP90: true, downtime: true, postcopyPhase: undefined });
  });
  it("post-copy: the phase's error and its oracle; no oracle without repeats (p90 not judged)", () => {
    const p = { name: 'postcopy' } as const;
    const r = techniqueRow('postcopy', [
      rec('p1', p, { t: 8, mib: 300, d: 0.002, phase: 1.1 }, { t: 8, mib: 300, d: 0.002, phase: 1.0 }),
      rec('p2', p, { t: 8, mib: 300, d: 0.002, phase: 1.1 }, { t: 8, mib: 300, d: 0.002, phase: 1.2 }),
    ]);
    assertClose(r.postcopyPhase!.median, (0.1 + 0.1 / 1.2) / 2);
    assertClose(r.postcopyPhaseOracle!.median, (0.2 + 0.2 / 1.2) / 2);
    assert.equal(r.verdicts.postcopyPhase, true);
    assert.equal(r.downtimeIsPhase, 0);
    const once = techniqueRow('postcopy', [rec('p1', p, { t: 8, mib: 300, d: 0.002, phase: 1.1 }, { t: 8, mib: 300, d: 0.002, phase: 1.0 })]);
    assert.equal(once.oracle.totalTimeSec.n, 0);
    assert.equal(once.verdicts.timeP90, undefined);
    assert.equal(once.verdicts.timeMedian, true);
  });
  it("post-copy: the stall predicted against the destination's blocktime, over the runs that read it", () => {
    const p = { name: 'postcopy' } as const;
    const withStall = (r: ReturnType<typeof rec>, predicted: number, measured?: number) => {
      (r.predicted['deng-bitmap'] as { postcopyBlockedSec?: number }).postcopyBlockedSec = predicted;
      if (measured !== undefined) r.measured.postcopyBlocktimeSec = measured;
      return r;
    };
    const r = techniqueRow('postcopy', [
      withStall(rec('s1', p, { t: 8, mib: 300, d: 0.002, phase: 1 }, { t: 8, mib: 300, d: 0.002, phase: 1 }), 0.05, 0.01),
      withStall(rec('s2', p, { t: 8, mib: 300, d: 0.002, phase: 1 }, { t: 8, mib: 300, d: 0.002, phase: 1 }), 0.02, 0.03),
      withStall(rec('s3', p, { t: 8, mib: 300, d: 0.002, phase: 1 }, { t: 8, mib: 300, d: 0.002, phase: 1 }), 0.04, 0.02),
      withStall(rec('s4', p, { t: 8, mib: 300, d: 0.002, phase: 1 }, { t: 8, mib: 300, d: 0.002, phase: 1 }), 0.5), // not read: left out
    ]);
    // |0.05 - 0.01| = 0.04, |0.02 - 0.03| = 0.01, |0.04 - 0.02| = 0.02: median 0.02; measured median 0.02, predicted 0.04.
    assert.equal(r.postcopyStall!.n, 3);
    assertClose(r.postcopyStall!.medianAbsSec, 0.02);
    assertClose(r.postcopyStall!.measuredMedianSec, 0.02);
    assertClose(r.postcopyStall!.predictedMedianSec, 0.04);
    assert.equal(techniqueRow('postcopy', [rec('s5', p, { t: 8, mib: 300, d: 0.002, phase: 1 }, { t: 8, mib: 300, d: 0.002, phase: 1 })]).postcopyStall, undefined);
  });
  it('repeats are one configuration on one machine; a run that did not complete counts against the convergence verdict only', () => {
    const m = { name: 'multifd' } as const;
    const r = techniqueRow('multifd', [
      rec('m1', m, { t: 5, mib: 300, d: 0.02 }, { t: 5, mib: 300, d: 0.02 }, { host: 'A' }),
      rec('m2', m, { t: 5, mib: 300, d: 0.02 }, { t: 6, mib: 300, d: 0.02 }, { host: 'B' }),
      rec('m3', m, { t: 5, mib: 300, d: 0.02 }, { t: 30, mib: 1500, d: 0, status: 'cancelled' }, { host: 'A' }),
      rec('m4', m, { t: 5, mib: 300, d: 0.02, converged: false }, { t: 30, mib: 1500, d: 0, status: 'cancelled' }, { host: 'A' }),
    ]);
    assert.equal(r.migrations, 4);
    assert.equal(r.completed, 2);
    assert.equal(r.convergenceRight, 3);
    assert.equal(r.errors.totalTimeSec.n, 2);
    assert.equal(r.oracle.totalTimeSec.n, 0, 'two machines: no repeats');
    assert.equal(r.probabilityRight, undefined, 'no outlook given');
  });
  it('the verdict by the outlook\'s probability, where given: converges at p >= 0.5', () => {
    const m = { name: 'multifd' } as const;
    const runs = [
      rec('m1', m, { t: 5, mib: 300, d: 0.02 }, { t: 5, mib: 300, d: 0.02 }),
      rec('m2', m, { t: 5, mib: 300, d: 0.02 }, { t: 30, mib: 1500, d: 0, status: 'cancelled' }),
      rec('m3', m, { t: 5, mib: 300, d: 0.02, converged: false }, { t: 9, mib: 500, d: 0.02 }),
    ];
    // deterministic: m1 right, m2 wrong, m3 wrong; by p: m1 (0.5) right, m2 (0.2) right, m3 (0.9) right
    const p: Record<string, number> = { m1: 0.5, m2: 0.2, m3: 0.9 };
    const r = techniqueRow('multifd', runs, 'deng-bitmap', (x) => p[x.id]);
    assert.equal(r.convergenceRight, 1);
    assert.equal(r.probabilityRight, 3);
  });
});

describe('techniqueReport', () => {
  it("one row per technique found, in advise's order; records from before techniques count as precopy / auto-converge", () => {
    const rs = [
      rec('z', { name: 'multifd', multifdCompression: 'zstd' }, { t: 5, mib: 100, d: 0.02 }, { t: 5, mib: 100, d: 0.02 }),
      rec('p', undefined, { t: 5, mib: 100, d: 0.02 }, { t: 5, mib: 100, d: 0.02 }),
      rec('a', undefined, { t: 5, mib: 100, d: 0.02 }, { t: 5, mib: 100, d: 0.02 }, { config: { autoConverge: true } }),
      rec('x', { name: 'xbzrle' }, { t: 5, mib: 100, d: 0.02 }, { t: 5, mib: 100, d: 0.02 }),
    ];
    assert.deepEqual(techniqueReport(rs).map((r) => r.technique), ['precopy', 'auto-converge', 'xbzrle', 'multifd+zstd']);
    assert.deepEqual(techniqueReport(rs).map((r) => r.migrations), [1, 1, 1, 1]);
  });
});

describe("post-copy's downtime quirk", () => {
  it("counts runs whose reported downtime is their phase (QEMU's 0 ms sentinel), within 5 ms; it corrects nothing", () => {
    const p = { name: 'postcopy' } as const;
    // the lab's first post-copy run: 134 ms reported, a 131 ms phase
    const quirk = rec('q', p, { t: 3.5, mib: 176, d: 0.022, phase: 0.6 }, { t: 3.142, mib: 194, d: 0.134, phase: 0.131, faults: 4 });
    const fine = rec('f', p, { t: 3.5, mib: 176, d: 0.022, phase: 0.6 }, { t: 3.1, mib: 194, d: 0.002, phase: 0.131 });
    assert.equal(downtimeIsPhase(quirk.measured), true);
    assert.equal(downtimeIsPhase(fine.measured), false);
    assert.equal(downtimeIsPhase({ ...quirk.measured, postcopyPhaseSec: 0 }), false, 'no phase: switched as pre-copy');
    const r = techniqueRow('postcopy', [quirk, fine]);
    assert.equal(r.downtimeIsPhase, 1);
    assertClose(r.errors.downtimeSec.medianAbs, (0.112 + 0.02) / 2);
  });
});
