/**
 * What a scalar cannot say, fitted from a log (src/calibrate/scalar-fit.ts): the non-zero memory recovered from the
 * bytes the model would send, per VM, per workload and over the log; the working-set factor recovered from a grid;
 * the stated assumption with no history; and evaluate's analytic model fitted in fold.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_HISTORY_ZERO_SHARE, applyScalarFit, fitScalarHistory, nonZeroShareOf, resolveScalar } from '../../src/calibrate/scalar-fit.js';
import { inputFromScalar, SCALAR_PRIOR } from '../../src/model/from-scalar.js';
import { simulate } from '../../src/model/precopy.js';
import type { LoggedMigration } from '../../src/record/logged.js';
import { ANALYTIC_MODEL, PRIOR_MODEL, evaluateLog } from '../../src/evaluate/log-eval.js';
import { predictInputFrom } from '../../src/input.js';
import { GiB, MiB } from '../helpers.js';

/** A migration as the scalar model (zero share z, factor k) prices it: what a fleet whose VMs hold z zero pages logs. */
function logged(id: string, o: { memoryBytes: number; rate: number; z: number; k?: number; vmId?: string; workload?: string }): LoggedMigration {
  const known = { memoryBytes: o.memoryBytes, dirtyRateBytesPerSec: o.rate, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, technique: 'precopy' };
  const p = simulate(inputFromScalar({ ...known, zeroPageFraction: o.z }, {}, { prior: { ...SCALAR_PRIOR, workingSetFactor: o.k ?? 2 } }));
  return { id, source: 'import', ...known, ...(o.vmId ? { vmId: o.vmId } : {}), ...(o.workload ? { workload: o.workload } : {}), totalTimeSec: p.totalTimeSec, downtimeSec: p.downtimeSec, transferredBytes: p.transferredBytes };
}

describe('the non-zero share of one past migration', () => {
  it('is the share under which the model sends the bytes it measured (bisection, to 1e-4)', () => {
    for (const z of [0, 0.3, 0.6, 0.9]) {
      const m = logged('a', { memoryBytes: 2 * GiB, rate: 20 * MiB, z });
      assert.ok(Math.abs(nonZeroShareOf(m) - (1 - z)) < 1e-4, `z=${z}: ${nonZeroShareOf(m)}`);
    }
  });
  it('is 1 when even all memory as content falls short, and the log\'s zeroPages when given', () => {
    const m = logged('a', { memoryBytes: GiB, rate: 0, z: 0 });
    assert.equal(nonZeroShareOf({ ...m, transferredBytes: 3 * GiB }), 1);
    assert.equal(nonZeroShareOf({ ...m, zeroPageFraction: 0.25 }), 0.75);
  });
});

describe('fitScalarHistory and resolveScalar', () => {
  const rows = [
    ...[0, 1, 2].map((i) => logged(`v${i}`, { memoryBytes: 4 * GiB, rate: (5 + i) * MiB, z: 0.75, vmId: 'web-1', workload: 'web' })),
    ...[0, 1, 2].map((i) => logged(`w${i}`, { memoryBytes: 2 * GiB, rate: (5 + i) * MiB, z: 0.5, workload: 'db' })),
    ...[0, 1, 2].map((i) => logged(`x${i}`, { memoryBytes: GiB, rate: (5 + i) * MiB, z: 0.2 })),
  ];
  const fit = fitScalarHistory(rows);

  it('keeps the non-zero bytes and share per VM and per workload, the median share over the log', () => {
    assert.ok(Math.abs(fit.byVm['web-1'].nonZeroBytes - GiB) < 1e-3 * GiB, String(fit.byVm['web-1'].nonZeroBytes));
    assert.ok(Math.abs(fit.byVm['web-1'].nonZeroShare - 0.25) < 1e-3);
    assert.equal(fit.byVm['web-1'].by, 'share'); // one memory size: the two agree, the share is kept
    assert.equal(fit.byVm['web-1'].n, 3);
    assert.ok(Math.abs(fit.byWorkload.db.nonZeroBytes - GiB) < 1e-3 * GiB);
    assert.ok(Math.abs((fit.all?.nonZeroShare ?? 0) - 0.5) < 1e-3, String(fit.all?.nonZeroShare)); // median of 0.25, 0.5, 0.8 x3
    assert.equal(fit.n, 9);
  });

  it('keeps bytes for a workload whose resident memory stays put as its guests grow, a share for one that fills them', () => {
    const resident = [1, 2, 4].map((g, i) => logged(`r${i}`, { memoryBytes: g * GiB, rate: 5 * MiB, z: 1 - 0.5 / g, workload: 'cache' }));
    const filling = [1, 2, 4].map((g, i) => logged(`f${i}`, { memoryBytes: g * GiB, rate: 5 * MiB, z: 0.1, workload: 'db' }));
    const f = fitScalarHistory([...resident, ...filling]);
    assert.equal(f.byWorkload.cache.by, 'bytes');
    assert.ok(Math.abs(f.byWorkload.cache.nonZeroBytes - GiB / 2) < 1e-3 * GiB);
    assert.equal(f.byWorkload.db.by, 'share');
    const row = { memoryBytes: 8 * GiB, dirtyRateBytesPerSec: 5 * MiB, bandwidthBytesPerSec: 100 * MiB };
    assert.ok(Math.abs((resolveScalar({ ...row, workload: 'cache' }, f).scalar.zeroPageFraction ?? 0) - (1 - 1 / 16)) < 1e-3);
    assert.ok(Math.abs((resolveScalar({ ...row, workload: 'db' }, f).scalar.zeroPageFraction ?? 0) - 0.1) < 1e-3);
    // a VM smaller than its workload's resident memory sends all of it
    assert.equal(resolveScalar({ ...row, memoryBytes: GiB / 4, workload: 'cache' }, f).scalar.zeroPageFraction, 0);
  });

  it("resolves a row's zero share: given, else its VM's, else its workload's, else the log's, else the assumption", () => {
    const row = { memoryBytes: 8 * GiB, dirtyRateBytesPerSec: 10 * MiB, bandwidthBytesPerSec: 100 * MiB };
    assert.equal(resolveScalar({ ...row, zeroPageFraction: 0.1, vmId: 'web-1' }, fit).zeroFrom, 'given');
    const vm = resolveScalar({ ...row, vmId: 'web-1', workload: 'db' }, fit);
    assert.equal(vm.zeroFrom, 'vm');
    assert.ok(Math.abs((vm.scalar.zeroPageFraction ?? 0) - 0.75) < 1e-3);
    assert.match(vm.assumption, /^non-zero share 25 % \(VM web-1's 3 past migrations\)/);
    assert.equal(resolveScalar({ ...row, vmId: 'new', workload: 'db' }, fit).zeroFrom, 'workload');
    const log = resolveScalar({ ...row, workload: 'batch' }, fit);
    assert.equal(log.zeroFrom, 'log');
    assert.ok(Math.abs((log.scalar.zeroPageFraction ?? 0) - 0.5) < 1e-3);
    const none = resolveScalar(row, undefined);
    assert.equal(none.zeroFrom, 'assumed');
    assert.equal(none.scalar.zeroPageFraction, NO_HISTORY_ZERO_SHARE);
    assert.match(none.assumption, /^no zero pages \(assumed with no history.*the stated prior\)$/);
  });

  it('recovers the working-set factor from rows where it matters (rates near the link), from the grid', () => {
    for (const k of [1, 4]) {
      const high = [0.5, 0.6, 0.7, 0.8, 0.9, 1.1].flatMap((r, i) => [logged(`h${k}-${i}`, { memoryBytes: 2 * GiB, rate: r * 100 * MiB, z: 0.4, k, workload: 'w' }), logged(`l${k}-${i}`, { memoryBytes: 2 * GiB, rate: 2 * MiB, z: 0.4, k, workload: 'w' })]);
      assert.equal(fitScalarHistory(high).workingSetFactor, k);
    }
  });

  it('with no usable row holds the prior alone (post-copy rows are not the model\'s to invert)', () => {
    const f = fitScalarHistory(rows.map((r) => ({ ...r, technique: 'postcopy' })));
    assert.equal(f.n, 0);
    assert.equal(f.kFrom, 'prior');
    assert.equal(f.workingSetFactor, SCALAR_PRIOR.workingSetFactor);
    assert.equal(f.all, undefined);
  });

  it('puts the fitted share into a scalar prediction input, and leaves a given one', () => {
    const input = predictInputFrom({ memory: '8GiB', dirtyRate: '10MiB/s', bandwidth: '100MiB/s' });
    const r = applyScalarFit(input, fit, { vmId: 'web-1' });
    assert.equal(r?.zeroFrom, 'vm');
    assert.ok(Math.abs((input.vm.zeroPageFraction ?? 0) - 0.75) < 1e-3);
    const given = predictInputFrom({ memory: '8GiB', dirtyRate: '10MiB/s', bandwidth: '100MiB/s', zeroPageFraction: 0.1 });
    assert.equal(applyScalarFit(given, fit)?.zeroFrom, 'given');
    assert.equal(given.vm.zeroPageFraction, 0.1);
    assert.equal(applyScalarFit(predictInputFrom({ memory: '8GiB', dirtyRate: '10MiB/s', bandwidth: '100MiB/s', policy: 'xen' }), fit), undefined);
  });
});

describe("evaluate's analytic model with history", () => {
  it('learns the fleet\'s zero pages on the training folds: exact where the prior alone is far off', () => {
    const rows = Array.from({ length: 30 }, (_, i) => logged(`r${i}`, { memoryBytes: [GiB, 2 * GiB][i % 2], rate: (2 + (i % 10)) * MiB, z: i % 2 ? 0.8 : 0.6, workload: 'web' }));
    // 1 GiB at 60 % zero and 2 GiB at 80 % zero both hold ~410 MiB of non-zero memory: one workload's resident set.
    assert.equal(fitScalarHistory(rows).byWorkload.web.by, 'bytes');
    const { evaluation } = evaluateLog(rows, [ANALYTIC_MODEL, PRIOR_MODEL], 5);
    assert.ok(evaluation.models.analytic.overall.bytes.p90 < 0.01, String(evaluation.models.analytic.overall.bytes.p90));
    assert.ok(evaluation.models[PRIOR_MODEL.name].overall.bytes.median > 1, String(evaluation.models[PRIOR_MODEL.name].overall.bytes.median));
  });
});
