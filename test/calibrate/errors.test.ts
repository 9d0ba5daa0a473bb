import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, median, absPercentError, summarizeErrors, repeatSpread } from '../../src/calibrate/errors.js';
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
  it('repeat spread: deviation from each group median, singletons skipped', () => {
    const s = repeatSpread([[100, 102, 98], [50]]);
    assert.equal(s.n, 3);
    assertClose(s.median, 0.02);
  });
});
