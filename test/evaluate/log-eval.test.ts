/** Cross-validation on a migration log: folds by configuration, the analytic model on scalar inputs, the seam for a learned one. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYTIC_MODEL, PRIOR_MODEL, crossValidateLog, evaluateLog, foldsByConfiguration, type LogModel } from '../../src/evaluate/log-eval.js';
import { inputFromScalar } from '../../src/model/from-scalar.js';
import { simulate } from '../../src/model/precopy.js';
import { loggedConfigKey, type LoggedMigration } from '../../src/record/logged.js';
import { assertClose, GiB, MiB } from '../helpers.js';

const base: LoggedMigration = { id: 'x', source: 'import', memoryBytes: GiB, dirtyRateBytesPerSec: 0, bandwidthBytesPerSec: 100 * MiB, totalTimeSec: 10, downtimeSec: 0.1, transferredBytes: GiB };

/** n rows over `configs` configurations (repeats of each), with technique and workload varying by configuration. */
function log(configs: number, repeats: number): LoggedMigration[] {
  const rows: LoggedMigration[] = [];
  for (let c = 0; c < configs; c++) {
    for (let r = 0; r < repeats; r++) {
      rows.push({ ...base, id: `c${c}-r${r}`, dirtyRateBytesPerSec: c * MiB, technique: c % 2 ? 'auto-converge' : 'precopy', workload: c % 3 ? 'web' : 'db', totalTimeSec: 10 + r });
    }
  }
  return rows;
}

describe('inputFromScalar', () => {
  it('a 1 GiB VM dirtying nothing over 100 MiB/s: one pass of all memory, the last 300 ms of it stopped (QEMU rule)', () => {
    const p = simulate(inputFromScalar({ memoryBytes: GiB, dirtyRateBytesPerSec: 0, bandwidthBytesPerSec: 100 * MiB }));
    assert.equal(p.transferredBytes, GiB);
    assert.equal(p.rounds, 1);
    assert.ok(p.converged);
    // Pre-copy at 100 MiB/s until at most 30 MiB (300 ms of it) is left, that rest uncapped (QEMU's final copy):
    // between (1 GiB - 30 MiB) / 100 MiB/s and 1 GiB / 100 MiB/s, plus the 20 ms resume.
    assert.ok(p.totalTimeSec >= 9.94 + 0.02 && p.totalTimeSec <= 10.24 + 0.02, String(p.totalTimeSec));
    assert.ok(p.downtimeSec <= 0.3 + 0.02, String(p.downtimeSec));
  });

  it('auto-converge is the technique that throttles: a rate above the link converges with it, times out without', () => {
    const s = { memoryBytes: GiB, dirtyRateBytesPerSec: 200 * MiB, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3 };
    assert.equal(simulate(inputFromScalar(s)).converged, false);
    assert.equal(simulate(inputFromScalar({ ...s, technique: 'auto-converge' })).converged, true);
    assert.equal(inputFromScalar(s).policy.downtimeLimitSec, 0.3);
    assert.equal(inputFromScalar({ ...s, downtimeLimitSec: undefined }).policy.downtimeLimitSec, 0.3, "QEMU's default limit");
  });
});

describe('folds by configuration', () => {
  it('keeps every repeat of a configuration in one fold and deals configurations evenly', () => {
    const rows = log(23, 3);
    const folds = foldsByConfiguration(rows, 5);
    const foldOf = new Map<string, Set<number>>();
    rows.forEach((r, i) => foldOf.set(loggedConfigKey(r), (foldOf.get(loggedConfigKey(r)) ?? new Set()).add(folds[i])));
    for (const s of foldOf.values()) assert.equal(s.size, 1);
    const perFold = [0, 1, 2, 3, 4].map((f) => new Set(rows.filter((_, i) => folds[i] === f).map(loggedConfigKey)).size);
    assert.deepEqual(perFold.sort(), [4, 4, 5, 5, 5]);
    assert.deepEqual(foldsByConfiguration(rows, 5), folds, 'the same log gives the same folds');
  });

  it('refuses fewer than two folds', () => {
    assert.throws(() => foldsByConfiguration(log(3, 1), 1), RangeError);
  });
});

describe('crossValidateLog', () => {
  it('fits a model on the other folds only (the seam a learned model uses)', () => {
    const rows = log(10, 2);
    const seen: { train: Set<string> }[] = [];
    const mean: LogModel = {
      name: 'mean',
      fit(train) {
        const s = { train: new Set(train.map((r) => r.id)) };
        seen.push(s);
        const t = train.reduce((a, r) => a + r.totalTimeSec, 0) / train.length;
        return (row) => {
          assert.ok(!s.train.has(row.id), `${row.id} was trained on`);
          return { totalTimeSec: t, transferredBytes: row.transferredBytes, downtimeSec: row.downtimeSec };
        };
      },
    };
    const scored = crossValidateLog(rows, [mean, ANALYTIC_MODEL], 5);
    assert.equal(seen.length, 5);
    assert.ok(scored.every((s) => s.predicted.mean && s.predicted.analytic));
  });

  it('scores 0 % on a log that is what the analytic model predicts, and the errors of a known miss', () => {
    const rows = log(6, 2).map((r) => {
      const p = simulate(inputFromScalar(r));
      return { ...r, totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
    });
    const { evaluation } = evaluateLog(rows, [ANALYTIC_MODEL], 3);
    const all = evaluation.models.analytic.overall;
    assert.deepEqual([all.n, all.time.median, all.time.p90, all.bytes.median, all.downtime.medianAbs], [12, 0, 0, 0, 0]);
    assert.deepEqual(Object.keys(evaluation.models.analytic.byTechnique), ['auto-converge', 'precopy']);
    assert.deepEqual(Object.keys(evaluation.models.analytic.byWorkload), ['db', 'web']);
    assert.equal(evaluation.configurations, 6);
    // Every measured time doubled: the prior's prediction (which learns nothing) is half of it, 50 % off everywhere;
    // the fitted one (k from the training folds) is no further off.
    const doubled = rows.map((r) => ({ ...r, totalTimeSec: 2 * r.totalTimeSec }));
    const { evaluation: off } = evaluateLog(doubled, [PRIOR_MODEL, ANALYTIC_MODEL], 3);
    const prior = off.models[PRIOR_MODEL.name];
    assertClose(prior.overall.time.median, 0.5);
    assertClose(prior.overall.time.p90, 0.5);
    assert.equal(prior.byWorkload.db.n, 4);
    assert.ok(off.models.analytic.overall.time.median <= 0.5 + 1e-9);
  });

  it('rows without a technique or workload are grouped under (none)', () => {
    const { evaluation } = evaluateLog([{ ...base, id: 'a' }, { ...base, id: 'b', memoryBytes: 2 * GiB }], [ANALYTIC_MODEL], 2);
    assert.deepEqual(Object.keys(evaluation.models.analytic.byTechnique), ['(none)']);
  });
});
