import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countNonZeroBeginning, legacyPercentile, median, mad, iqr, simpleRegression, olsRSquared } from '../../src/sim/cloudsim-math.js';
import { assertClose } from '../helpers.js';

describe("CloudSim's statistics", () => {
  it('trims trailing zeros but keeps one value', () => {
    assert.equal(countNonZeroBeginning([0.5, 0, 0.2, 0, 0]), 3);
    assert.equal(countNonZeroBeginning([0, 0, 0]), 1);
    assert.equal(countNonZeroBeginning([0.1]), 1);
  });
  it("median by Commons Math's legacy percentile", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(legacyPercentile([1, 2, 3, 4], 25), 1.25); // pos 1.25
    assert.equal(legacyPercentile([1, 2, 3, 4], 90), 4); // pos 4.5 >= n
  });
  it('MAD: median of absolute deviations from the median', () => {
    assert.equal(mad([1, 2, 3, 4, 100]), 1);
    // 0.5 x 8, 0.6 x 4: median 0.5, deviations 0 x 8 and 0.1 x 4: MAD 0
    assert.equal(mad([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6]), 0);
  });
  it('IQR by rounded ranks, halves up', () => {
    // n = 12: ranks round(3.25) = 3 and round(9.75) = 10 -> x[2] and x[9]
    assert.equal(iqr([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), 7);
    // n = 13: ranks round(3.5) = 4 and round(10.5) = 11 -> 4 and 11
    assert.equal(iqr([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]), 7);
  });
  it('simple regression through running sums', () => {
    assert.deepEqual(simpleRegression([1, 2, 3], [2, 4, 6]), [0, 2]);
    const [a, b] = simpleRegression([1, 2, 3, 4], [1, 2, 3, 5]);
    assertClose(b, 1.3);
    assertClose(a, -0.5);
  });
  it('OLS R² by Householder QR, with failures as values', () => {
    // y = 1 2 3 5 on x = 1 2 3 4: Sxy 6.5, Sxx 5, SST 8.75, SSR 8.75 - 1.3 x 6.5 = 0.3 -> R² = 1 - 0.3/8.75
    assertClose(olsRSquared([1, 2, 3, 5], [[1, 2, 3, 4]]) as number, 1 - 0.3 / 8.75);
    assert.equal(olsRSquared([1, 2, 3, 5], [[0, 0, 0, 0]]), 'singular');
    assert.equal(olsRSquared([1, 2], [[1, 2], [3, 1]]), 'not-enough-data');
    assert.equal(olsRSquared([1, 2, 3], []), 'no-data');
  });
});
