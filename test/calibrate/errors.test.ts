import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, median, absPercentError, summarizeErrors, repeatSpread, repeatOracle } from '../../src/calibrate/errors.js';
import { assertClose } from '../helpers.js';

describe('error statistics', () => {
  it('quantiles interpolate between order statistics (type 7)', () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
    assertClose(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9.1);
    assert.equal(median([5]), 5);
    assert.equal(quantile([], 0.5), 0);
    assert.throws(() => quantile([1], 2), /q must be in/);
  });
  it('absolute percentage error', () => {
    assertClose(absPercentError(105, 100), 0.05);
    assertClose(absPercentError(90, 100), 0.1);
    assert.equal(absPercentError(0, 0), 0);
  });
  it('summaries: median, p90, bias', () => {
    const s = summarizeErrors([{ predicted: 110, measured: 100 }, { predicted: 95, measured: 100 }, { predicted: 100, measured: 100 }]);
    assertClose(s.median, 0.05);
    assertClose(s.bias, (0.1 - 0.05 + 0) / 3);
    assert.equal(s.n, 3);
  });
  it('repeat spread: distance from the group mean scaled by sqrt(n / (n - 1)), relative to the run; singletons skipped', () => {
    const s = repeatSpread([[100, 102, 98], [50]]);
    assert.equal(s.n, 3);
    assertClose(s.median, (2 * Math.sqrt(1.5)) / 102); // 0 for 100, 2.449 / 102, 2.449 / 98
    // a pair 8 s / 24 s: each is sqrt(2) x 8 s from the true mean's estimate: 141 % of the short run, 47 % of the long
    const p = repeatSpread([[8, 24]]);
    assertClose(p.p90, (8 * Math.SQRT2) / 8 - 0.1 * ((8 * Math.SQRT2) / 8 - (8 * Math.SQRT2) / 24));
    assertClose(p.medianAbs, 8 * Math.SQRT2);
  });
  it('repeat oracle: each run against the median of its configuration\'s other runs; singletons skipped', () => {
    const s = repeatOracle([[10, 11, 14], [7]]);
    assert.equal(s.n, 3);
    // 10 <- median(11, 14) = 12.5: 25 %; 11 <- 12: 9.09 %; 14 <- 10.5: 25 %
    assertClose(s.median, 0.25);
    assertClose(s.bias, (0.25 + 1 / 11 - 0.25) / 3);
    // a pair predicts each other: 8 s <- 24 s is 200 %, 24 s <- 8 s is 66.7 %
    const p = repeatOracle([[8, 24]]);
    assertClose(p.median, (2 + 2 / 3) / 2);
    assert.equal(repeatOracle([[5]]).n, 0);
  });
});
