import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ols, linearFit } from '../../src/calibrate/ols.js';
import { assertClose, rng } from '../helpers.js';

describe('ols', () => {
  it('recovers an exact line', () => {
    const f = ols([[1, 0], [1, 1], [1, 2]], [1, 3, 5]);
    assertClose(f.coefficients[0], 1);
    assertClose(f.coefficients[1], 2);
    assertClose(f.r2, 1);
  });
  it('matches the textbook simple-regression formulas, standard errors included', () => {
    // x = 1..5, y = [2, 4, 5, 4, 5]: slope = S_xy / S_xx = 6 / 10 = 0.6, intercept = 4 - 0.6 * 3 = 2.2
    // residuals: -0.8, 0.6, 1, -0.6, -0.2 -> SS_res = 2.4, sigma^2 = 2.4 / 3 = 0.8
    // SE(slope) = sqrt(0.8 / 10), SE(intercept) = sqrt(0.8 (1/5 + 9/10)); SS_tot = 6 -> R^2 = 0.6
    const f = linearFit([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    assertClose(f.slope, 0.6);
    assertClose(f.intercept, 2.2);
    assertClose(f.standardErrors[1], Math.sqrt(0.08));
    assertClose(f.standardErrors[0], Math.sqrt(0.8 * 1.1));
    assertClose(f.r2, 0.6);
    assertClose(f.residualStdError, Math.sqrt(0.8));
  });
  it("recovers Liu's working-set coefficients from noiseless data (three regressors)", () => {
    const r = rng(7);
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 50; i++) {
      const T = r() * 8;
      const D = r() * 200;
      X.push([T, D, 1]);
      y.push(-0.0463 * T - 0.0001 * D + 0.3586);
    }
    const f = ols(X, y);
    assertClose(f.coefficients[0], -0.0463, 1e-9);
    assertClose(f.coefficients[1], -0.0001, 1e-9);
    assertClose(f.coefficients[2], 0.3586, 1e-9);
  });
  it('rejects bad shapes, non-finite values and collinear columns', () => {
    assert.throws(() => ols([], []), /at least one observation/);
    assert.throws(() => ols([[1, 2]], [1, 2]), /1 rows but y has 2/);
    assert.throws(() => ols([[1, 2]], [1]), /cannot fit 2 coefficients/);
    assert.throws(() => ols([[1, NaN], [1, 2]], [1, 2]), /X\[0\]\[1\] is not a finite number/);
    assert.throws(() => ols([[1, 2], [2, 4], [3, 6]], [1, 2, 3]), /collinear/);
  });
  it('fits 300,000 observations (no argument spread over the column: that overflowed the stack)', () => {
    // y = 3 x - 2 exactly, x = 0..299,999: the column scale is read in a loop
    const n = 300_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const f = linearFit(x, x.map((v) => 3 * v - 2));
    assert.equal(f.n, n);
    assertClose(f.slope, 3, 1e-12);
    assertClose(f.intercept, -2, 1e-6);
    assertClose(f.r2, 1, 1e-12);
    // collinearity is still judged against the largest entry of a column
    assert.throws(() => ols(x.map((v) => [v, 2 * v]), x), /collinear/);
  });
});
