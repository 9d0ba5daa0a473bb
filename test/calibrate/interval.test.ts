import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { predictInterval, coverage } from '../../src/calibrate/interval.js';
import { predict, type PredictInput } from '../../src/index.js';
import { assertClose, MiB, GiB } from '../helpers.js';

const input: PredictInput = { vm: { memoryBytes: GiB, dirtyRateBytesPerSec: 40 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu', downtimeLimitSec: 0.3 } };

describe('prediction intervals', () => {
  it('without spread the interval is the point', () => {
    const r = predictInterval(input);
    assert.equal(r.lo.totalTimeSec, r.point.totalTimeSec);
    assert.equal(r.hi.totalTimeSec, r.point.totalTimeSec);
  });
  it('rate spread: predictions at the 10th and 90th percentile rates bound the range', () => {
    const rates = [30, 35, 40, 45, 50].map((x) => x * MiB);
    const r = predictInterval(input, { observedRates: rates });
    // quantile 0.1 of 30..50 = 32, 0.9 = 48 (MiB/s)
    const lo = predict({ ...input, vm: { ...input.vm, dirtyRateBytesPerSec: 32 * MiB } });
    const hi = predict({ ...input, vm: { ...input.vm, dirtyRateBytesPerSec: 48 * MiB } });
    assertClose(r.lo.transferredBytes, lo.transferredBytes);
    assertClose(r.hi.transferredBytes, hi.transferredBytes);
    assert.ok(r.lo.totalTimeSec <= r.point.totalTimeSec && r.point.totalTimeSec <= r.hi.totalTimeSec);
  });
  it('model spread widens by past relative errors', () => {
    const r = predictInterval(input, { relativeErrors: { totalTimeSec: [-0.1, 0, 0.05, 0.2, 0.1] } });
    // q10 of errors = -0.06, q90 = 0.16
    assertClose(r.lo.totalTimeSec, r.point.totalTimeSec * 0.94);
    assertClose(r.hi.totalTimeSec, r.point.totalTimeSec * 1.16);
  });
  it('coverage counts measurements inside', () => {
    const r = predictInterval(input, { relativeErrors: { totalTimeSec: [-0.1, 0.1, 0, 0] } });
    const t = r.point.totalTimeSec;
    const c = coverage([{ interval: r, measured: { totalTimeSec: t } }, { interval: r, measured: { totalTimeSec: t * 2 } }]);
    assert.equal(c.totalTimeSec, 0.5);
  });
});

describe('the model error fitted from a history (the outlook prior\'s shape)', () => {
  it('log(1 + e) quantiles at the prior\'s levels; undefined under 20 past migrations; bytes fall back to time', async () => {
    const { modelErrorFromHistory } = await import('../../src/calibrate/interval.js');
    const { MODEL_ERROR_LEVELS } = await import('../../src/model/model-error.js');
    // 21 errors e = exp(x) - 1 for x = -0.1, -0.09, ..., 0.1: the quantile at level l is -0.1 + 0.2 l (type 7)
    const xs = Array.from({ length: 21 }, (_, i) => -0.1 + i * 0.01);
    const fit = modelErrorFromHistory({ totalTimeSec: xs.map((x) => Math.expm1(x)) });
    assert.ok(fit);
    fit.logTime.forEach((q, i) => assertClose(q, -0.1 + 0.2 * MODEL_ERROR_LEVELS[i], 1e-9));
    assert.deepEqual(fit.logBytes, fit.logTime);
    assert.match(fit.source, /fitted on 21 past migrations/);
    assert.equal(modelErrorFromHistory({ totalTimeSec: xs.slice(0, 19).map((x) => Math.expm1(x)) }), undefined);
    // the outlook takes the fitted error in place of the prior: far below the threshold, p90 halfway between the
    // error nodes at 0.89 and 0.91 (log factors -0.1 + 0.2 l: 0.078 and 0.082)
    const { predictWithOutlook } = await import('../../src/model/outlook.js');
    const still = { ...input, vm: { ...input.vm, dirtRateSpread: 0 } };
    const o = predictWithOutlook(still, { modelError: fit });
    assertClose(o.timeP90Sec, (predict(still).totalTimeSec * (Math.exp(0.078) + Math.exp(0.082))) / 2, 1e-9);
  });
});
