import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyResidual, initialResidualState, residualFactor, updateResidual } from '../../src/calibrate/residual.js';
import type { Prediction } from '../../src/model/types.js';

function pred(t: number, bytes: number, down: number, converged = true): Prediction {
  return { totalTimeSec: t, downtimeSec: down, transferredBytes: bytes, rounds: 3, converged, reason: converged ? 'fits-downtime-limit' : 'timeout', energyJoules: bytes / 1e6, setupSec: 0.1, precopySec: t - 0.1 - down, stopCopySec: down - 0.02, stopCopyBytes: 1e6, resumeSec: 0.02, maxThrottle: 0 } as Prediction;
}
const COUNT = { mu: 0.5, kappa: 1, maxFactor: 3, shrink: 'count' } as const;
const meas = (t: number, bytes: number, down: number, completed = true) => ({ totalTimeSec: t, transferredBytes: bytes, downtimeSec: down, completed });

describe('history as a correction of the model error', () => {
  it('count shrinkage, worked example: measured 1.5x the prediction once moves the next one by sqrt(1.5), twice by 1.5^(2/3)', () => {
    let s = updateResidual(initialResidualState(), pred(2, 100e6, 0.05), meas(3, 150e6, 0.05));
    assert.ok(Math.abs(s.logRatio.totalTimeSec - Math.log(1.5)) < 1e-15);
    assert.ok(Math.abs(residualFactor(s, 'totalTimeSec', COUNT) - Math.sqrt(1.5)) < 1e-12);
    assert.equal(residualFactor(s, 'downtimeSec', COUNT), 1);
    s = updateResidual(s, pred(4, 200e6, 0.05), meas(6, 300e6, 0.05));
    assert.ok(Math.abs(residualFactor(s, 'transferredBytes', COUNT) - 1.5 ** (2 / 3)) < 1e-12);
    const c = applyResidual(s, pred(2, 100e6, 0.05), COUNT, (b) => 0.5 * b);
    assert.ok(Math.abs(c.totalTimeSec - 2 * 1.5 ** (2 / 3)) < 1e-12);
    assert.ok(Math.abs(c.transferredBytes - 100e6 * 1.5 ** (2 / 3)) < 1e-3);
    assert.ok(Math.abs(c.energyJoules - 0.5 * c.transferredBytes) < 1e-6);
    assert.ok(Math.abs(c.setupSec + c.precopySec + c.downtimeSec - c.totalTimeSec) < 1e-12, 'the parts still add up');
  });

  it('EWMA: the newest error weighs mu = 0.5', () => {
    let s = updateResidual(initialResidualState(), pred(1, 1, 1), meas(2, 1, 1));
    s = updateResidual(s, pred(1, 1, 1), meas(1, 1, 1));
    assert.ok(Math.abs(s.logRatio.totalTimeSec - 0.5 * Math.log(2)) < 1e-15);
  });

  it('learns nothing from a cancelled migration or one predicted not to converge, and leaves such predictions alone', () => {
    const s0 = initialResidualState();
    assert.equal(updateResidual(s0, pred(2, 1e8, 0.05), meas(60, 9e9, 0, false)), s0);
    assert.equal(updateResidual(s0, pred(600, 1e10, 1, false), meas(3, 1e8, 0.05)), s0);
    const s = updateResidual(s0, pred(2, 1e8, 0.05), meas(4, 2e8, 0.1));
    const nc = pred(600, 1e10, 1, false);
    assert.equal(applyResidual(s, nc), nc);
    assert.equal(applyResidual(s0, pred(2, 1e8, 0.05)).totalTimeSec, 2);
  });

  it('converges to a constant bias and never applies more than maxFactor', () => {
    let s = initialResidualState();
    for (let i = 0; i < 200; i++) s = updateResidual(s, pred(1 + i, 1e8, 0.05), meas((1 + i) * 0.8, 1e8 * 0.8, 0.04));
    assert.ok(Math.abs(residualFactor(s, 'totalTimeSec', COUNT) - 0.8 ** (200 / 201)) < 1e-12);
    // by variance: 200 equal errors leave s^2 = 0.01 / 200, so w = 4.5 / (4.5 + 0.00005)
    assert.ok(Math.abs(residualFactor(s, 'totalTimeSec') - 0.8 ** (4.5 / 4.50005)) < 1e-12);
    const wild = updateResidual(initialResidualState(), pred(1, 1, 1), meas(1000, 1, 1));
    assert.ok(Math.abs(residualFactor(wild, 'totalTimeSec', { mu: 0.5, kappa: 0, maxFactor: 3 }) - 3) < 1e-12);
    assert.throws(() => residualFactor(wild, 'totalTimeSec', { mu: 0, kappa: 1, maxFactor: 3 }), /mu/);
  });

  it('variance shrinkage (the default), worked example: agreeing errors weigh more than erratic ones', () => {
    // one error of x1.5: s^2 = sigma0^2 = 0.01, w = 0.0225 / (0.0225 + 0.01)
    let s = updateResidual(initialResidualState(), pred(2, 100e6, 0.05), meas(3, 150e6, 0.05));
    assert.ok(Math.abs(residualFactor(s, 'totalTimeSec') - 1.5 ** (0.0225 / 0.0325)) < 1e-12);
    assert.equal(residualFactor(s, 'downtimeSec'), 1, 'an exact figure stays exact');
    // the same error again: s^2 = 0.01 / 2, w = 0.045 / (0.045 + 0.005) = 0.9
    s = updateResidual(s, pred(2, 100e6, 0.05), meas(3, 150e6, 0.05));
    assert.ok(Math.abs(residualFactor(s, 'totalTimeSec') - 1.5 ** 0.9) < 1e-12);
    // exact once, then x2: EWMA R = ln2 / 2; deviations about the mean ln2 / 2 sum to (ln 2)^2 / 2
    let e = updateResidual(initialResidualState(), pred(2, 1e8, 0.05), meas(2, 1e8, 0.05));
    e = updateResidual(e, pred(2, 1e8, 0.05), meas(4, 2e8, 0.05));
    const s2 = (Math.log(2) ** 2 / 2 + 0.01) / 2;
    const w = 0.045 / (0.045 + s2);
    assert.ok(Math.abs(residualFactor(e, 'totalTimeSec') - 2 ** (0.5 * w)) < 1e-12);
    assert.ok(w < 0.3, `erratic errors are mostly noise (w = ${w})`);
    assert.throws(() => residualFactor(e, 'totalTimeSec', { mu: 0.5, kappa: 1, maxFactor: 3, shrink: 'variance', tau: -1 }), /tau/);
  });
});
