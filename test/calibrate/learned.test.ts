/**
 * The learned correction (src/calibrate/learned.ts): on synthetic migrations where the analytic model is off by a
 * known factor in one regime, the forest recovers it; outside the trained range it falls back to the analytic
 * figure and says why; every figure is finite and >= 0; the stored JSON restores the same predictor.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { learnedPredictor, fitLearned, isLearnedModel } from '../../src/calibrate/learned.js';
import { applyScalarLearned, fitScalarLearned, learnedField, scalarBase } from '../../src/calibrate/learned-scalar.js';
import { inputFromScalar } from '../../src/model/from-scalar.js';
import { evaluateLog, ANALYTIC_MODEL, learnedModel } from '../../src/evaluate/log-eval.js';
import { BW, GIB, factorAt, median, syntheticRows } from './learned-fixture.js';

const rows = syntheticRows();
const train = rows.filter((_, i) => i % 2 === 0);
const test = rows.filter((_, i) => i % 2 === 1);
const model = fitScalarLearned(train);
const predictor = learnedPredictor(model);

describe('the learned correction', () => {
  it('recovers a known factor: the analytic model is 1.6x under in bw/2 <= rate < bw; the learner brings the median error under 5 %', () => {
    const regime = test.filter((m) => factorAt(m.dirtyRateBytesPerSec / m.bandwidthBytesPerSec) > 1);
    assert.ok(regime.length > 30, String(regime.length));
    const ape = (p: number, m: number) => Math.abs(p - m) / m;
    const analyticTime = regime.map((m) => ape(scalarBase(m).totalTimeSec, m.totalTimeSec));
    const learnedTime: number[] = [];
    const learnedBytes: number[] = [];
    let outside = 0;
    for (const m of regime) {
      const r = applyScalarLearned(predictor, m).result;
      if (!r.applied) {
        // only the rows past the highest trained rate (0.952) are outside
        assert.ok(m.dirtyRateBytesPerSec / BW > 0.952, r.reason);
        outside++;
        continue;
      }
      learnedTime.push(ape(r.figures.totalTimeSec, m.totalTimeSec));
      learnedBytes.push(ape(r.figures.transferredBytes, m.transferredBytes));
    }
    assert.ok(outside <= 2, String(outside));
    // 1 - 1/1.6 = 37.5 %, give or take the noise.
    assert.ok(median(analyticTime) > 0.33, `analytic ${median(analyticTime)}`);
    assert.ok(median(learnedTime) < 0.05, `learned time ${median(learnedTime)}`);
    assert.ok(median(learnedBytes) < 0.05, `learned bytes ${median(learnedBytes)}`);
    // and where the analytic model is right, the correction stays near 1
    const right = test.filter((m) => factorAt(m.dirtyRateBytesPerSec / m.bandwidthBytesPerSec) === 1);
    const errs = right.map((m) => {
      const r = applyScalarLearned(predictor, m).result;
      return r.applied ? ape(r.figures.totalTimeSec, m.totalTimeSec) : 1;
    });
    assert.ok(median(errs) < 0.05, `elsewhere ${median(errs)}`);
  });

  it('falls back to the analytic figure outside the trained range, naming the feature and the range', () => {
    const far = { memoryBytes: 2 * GIB, dirtyRateBytesPerSec: 3 * BW, bandwidthBytesPerSec: BW, downtimeLimitSec: 0.3, technique: 'precopy' };
    const r = predictor.apply(far, scalarBase(far));
    assert.equal(r.applied, false);
    assert.match(r.applied ? '' : r.reason, /^dirtyRate\/bandwidth 3 is outside the trained 0\.0\d+-0\.9\d+ \(120 migrations\)/);
    const big = { ...far, dirtyRateBytesPerSec: 0.5 * BW, memoryBytes: 64 * GIB };
    const b = predictor.apply(big, scalarBase(big));
    assert.match(b.applied ? '' : b.reason, /^memory 6\.87e\+10 B is outside the trained/);
    const limit = { ...far, dirtyRateBytesPerSec: 0.5 * BW, downtimeLimitSec: 2 };
    assert.match((predictor.apply(limit, scalarBase(limit)) as { reason: string }).reason, /^downtimeLimit 2 s is outside the trained 0\.3-0\.3 s/);
    // through a prediction input: another policy is not corrected either
    const input = inputFromScalar(far);
    assert.deepEqual(learnedField(predictor, 3, { ...input, policy: { name: 'xen' } }), { applied: false, version: 3, reason: 'policy xen: the learned correction is of QEMU pre-copy only' });
    assert.deepEqual(learnedField(predictor, 3, inputFromScalar({ ...far, dirtyRateBytesPerSec: 0.5 * BW }), {}, { fullSample: true }), { applied: false, version: 3, reason: 'a full sample: the default model prices it (the learned correction is of scalar inputs)' });
    assert.deepEqual(learnedField(undefined, undefined, input), { applied: false, reason: 'no learned model in the store (run `migcost calibrate --learn`)' });
  });

  it('never answers a non-finite or negative figure, whatever the base', () => {
    for (let i = 0; i < 200; i++) {
      const r = 0.05 + (0.9 * i) / 200;
      const k = { memoryBytes: [1, 2, 4][i % 3] * GIB, dirtyRateBytesPerSec: r * BW, bandwidthBytesPerSec: BW, downtimeLimitSec: 0.3 };
      const base = i % 5 === 0 ? { totalTimeSec: 1e-6, transferredBytes: 1, downtimeSec: 0 } : scalarBase(k);
      const out = predictor.apply(k, base);
      if (!out.applied) continue;
      for (const v of Object.values(out.figures)) assert.ok(Number.isFinite(v) && v >= 0, `${i}: ${v}`);
      assert.ok(out.figures.downtimeSec <= out.figures.totalTimeSec);
    }
    const inf = predictor.apply(train[0], { totalTimeSec: Infinity, transferredBytes: 1, downtimeSec: 0 });
    assert.deepEqual(inf, { applied: false, reason: 'the analytic figure is not finite' });
  });

  it('round-trips through JSON (as the store keeps it) to the same predictions', () => {
    const restored = JSON.parse(JSON.stringify(model));
    assert.ok(isLearnedModel(restored));
    const again = learnedPredictor(restored);
    for (const m of test.slice(0, 20)) assert.deepEqual(again.apply(m, scalarBase(m)), predictor.apply(m, scalarBase(m)));
    assert.equal(isLearnedModel({ format: 99 }), false);
  });

  it('refuses to fit on fewer than 10 rows', () => {
    assert.throws(() => fitScalarLearned(train.slice(0, 9)), /at least 10 completed migrations .*\(got 9\)/);
    assert.throws(() => fitLearned([], 'x'), RangeError);
  });

  it('plugs into evaluate through the LogModel seam: cross-validated, it beats the analytic model on the synthetic log', () => {
    const { evaluation } = evaluateLog(rows, [ANALYTIC_MODEL, learnedModel(undefined, 'learned', { trees: 20 })], 5);
    const a = evaluation.models.analytic.overall.time.median;
    const l = evaluation.models.learned.overall.time.median;
    assert.ok(l < 0.05 && l < a, `learned ${l}, analytic ${a}`);
  });
});
