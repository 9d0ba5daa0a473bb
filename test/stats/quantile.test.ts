import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commonsLegacyMedian, commonsLegacyPercentile, medianR7, quantileR7, roundedRankIqr } from '../../src/stats/quantile.js';

describe('quantileR7 (type 7, as R and numpy)', () => {
  it('interpolates at (n - 1) q', () => {
    assert.equal(quantileR7([4, 1, 3, 2], 0.5), 2.5); // h = 1.5
    assert.equal(quantileR7([1, 2, 3, 4], 0.25), 1.75); // h = 0.75
    assert.equal(quantileR7([1, 2, 3, 4], 0.9), 3.7); // h = 2.7
    assert.equal(quantileR7([1, 2, 3, 4], 1), 4);
    assert.equal(quantileR7([7], 0.3), 7);
    assert.equal(quantileR7([], 0.5), 0);
    assert.equal(medianR7([5, 1, 3]), 3);
  });
  it('rejects q outside [0, 1] and leaves its input alone', () => {
    assert.throws(() => quantileR7([1], 1.5), RangeError);
    const v = [3, 1, 2];
    quantileR7(v, 0.5);
    assert.deepEqual(v, [3, 1, 2]);
  });
});

describe('Commons Math legacy percentile (CloudSim)', () => {
  it('interpolates at p/100 (n + 1), clamped to the extremes', () => {
    assert.equal(commonsLegacyPercentile([1, 2, 3, 4], 50), 2.5); // pos 2.5
    assert.equal(commonsLegacyPercentile([1, 2, 3, 4], 25), 1.25); // pos 1.25
    assert.equal(commonsLegacyPercentile([1, 2, 3, 4], 10), 1); // pos 0.5 < 1
    assert.equal(commonsLegacyPercentile([4, 3, 2, 1], 90), 4); // pos 4.5 >= n
    assert.ok(Number.isNaN(commonsLegacyPercentile([], 50)));
    assert.equal(commonsLegacyMedian([5, 1, 3, 2]), 2.5);
  });
  it('differs from type 7 at the quartiles', () => {
    assert.notEqual(commonsLegacyPercentile([1, 2, 3, 4], 25), quantileR7([1, 2, 3, 4], 0.25));
  });
});

describe('roundedRankIqr (CloudSim)', () => {
  it('takes the order statistics at rounded ranks, halves up', () => {
    assert.equal(roundedRankIqr([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), 7); // ranks 3 and 10
    assert.equal(roundedRankIqr([1, 2, 3]), 2); // ranks round(1) = 1 and round(3) = 3
    assert.throws(() => roundedRankIqr([]), RangeError);
  });
});
