import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeOverloadTest, type HostLoadView } from '../../src/sim/detectors.js';

function host(utilisation: number, history: number[], maxMigrationSec = 27.84): HostLoadView {
  return { utilisation, history: () => Float64Array.from(history), maxMigrationSec: () => maxMigrationSec };
}
// 12 values, newest first: sorted .40 .42 .44 .46 .48 .50 .52 .54 .56 .58 .60 .62
const twelve = [0.5, 0.62, 0.4, 0.58, 0.42, 0.56, 0.44, 0.54, 0.46, 0.52, 0.48, 0.6];

describe('overload detectors as CloudSim runs them', () => {
  it('thr: strictly above the threshold', () => {
    const thr = makeOverloadTest('thr', 0.8);
    assert.equal(thr(host(0.8, [])), false);
    assert.equal(thr(host(0.8000001, [])), true);
  });
  it('iqr 1.5: q1 = x[2] = .44, q3 = x[9] = .58, threshold 1 - 1.5 x .14 = .79', () => {
    const t = makeOverloadTest('iqr', 1.5);
    assert.equal(t(host(0.78, twelve)), false);
    assert.equal(t(host(0.80, twelve)), true);
  });
  it('mad 2.5: median .51, MAD .06, threshold 1 - 2.5 x .06 = .85', () => {
    // deviations from .51: .11 .09 .07 .05 .03 .01 .01 .03 .05 .07 .09 .11 -> median (.05 + .07)/2 = .06
    const t = makeOverloadTest('mad', 2.5);
    assert.equal(t(host(0.84, twelve)), false);
    assert.equal(t(host(0.86, twelve)), true);
  });
  it('iqr/mad fall back to 0.7 with fewer than 12 values; lr with fewer than 10', () => {
    for (const d of ['iqr', 'mad', 'lr'] as const) {
      const t = makeOverloadTest(d, 1.5);
      assert.equal(t(host(0.71, [0.5, 0.5])), true, d);
      assert.equal(t(host(0.69, [0.5, 0.5])), false, d);
    }
  });
  it('lr 1.2: the OLS line through the 10 newest, one migration ahead (x = 11), >= 1', () => {
    // oldest to newest .30 .35 ... .75: line a = .25, b = .05 -> x = 11 gives .80; 1.2 x .80 = .96
    const rising = [0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.99, 0.99]; // newest first; extra old values ignored
    assert.equal(makeOverloadTest('lr', 1.2)(host(0.1, rising)), false);
    assert.equal(makeOverloadTest('lr', 1.25)(host(0.1, rising)), true); // 1.25 x .80 = 1.0 >= 1
    // a migration longer than one interval predicts two steps ahead: .85 x 1.2 = 1.02
    assert.equal(makeOverloadTest('lr', 1.2)(host(0.1, rising, 301)), true);
    assert.equal(makeOverloadTest('lrr', 1.2)(host(0.1, rising)), false);
  });
});
