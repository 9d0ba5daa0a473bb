import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { overloaded, spreadOverloaded, PLAN_SPREAD_RULES } from '../../src/plan/detectors.js';
import { CLOUDSIM_SPREAD_RULES } from '../../src/sim/detectors.js';

describe('overload detectors (Beloglazov and Buyya)', () => {
  const steady = [0.5, 0.52, 0.48, 0.5, 0.51, 0.49, 0.5, 0.52, 0.48, 0.5, 0.5, 0.5];
  it('thr: a static threshold', () => {
    assert.equal(overloaded('thr', 0.8, 0.81, []), true);
    assert.equal(overloaded('thr', 0.8, 0.8, []), false);
  });
  it('mad: 1 - s x MAD; a steady history allows high utilisation', () => {
    // median 0.5, deviations 0,.02,.02,0,.01,.01,0,.02,.02,0,0,0 -> MAD 0.005: threshold 1 - 2.5 x 0.005 = 0.9875
    assert.equal(overloaded('mad', 2.5, 0.98, steady), false);
    assert.equal(overloaded('mad', 2.5, 0.99, steady), true);
  });
  it('iqr: 1 - s x IQR', () => {
    // sorted: .48 .48 .49 .5 x6 .51 .52 .52; q1 = .49 + .75 x .01 = .4975, q3 = .5 + .25 x .01 = .5025 (type 7)
    // -> IQR 0.005, threshold 1 - 1.5 x 0.005 = 0.9925
    assert.equal(overloaded('iqr', 1.5, 0.99, steady), false);
    assert.equal(overloaded('iqr', 1.5, 0.995, steady), true);
  });
  it('lr: s x the predicted next value >= 1', () => {
    const rising = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75]; // next 0.8: 1.2 x 0.8 = 0.96
    assert.equal(overloaded('lr', 1.2, 0.75, rising), false);
    assert.equal(overloaded('lr', 1.3, 0.75, rising), true); // 1.3 x 0.8 = 1.04
  });
  it('short histories fall back to a static 0.7', () => {
    assert.equal(overloaded('mad', 2.5, 0.71, [0.5, 0.5]), true);
    assert.equal(overloaded('lr', 1.2, 0.69, [0.5]), false);
  });
});

describe('spreadOverloaded: the MAD / IQR test under plan\'s and CloudSim\'s rules', () => {
  // 12 values, sorted: .48 .48 .49 .5 x6 .51 .52 .52 (order does not matter)
  const steady = [0.5, 0.52, 0.48, 0.5, 0.51, 0.49, 0.5, 0.52, 0.48, 0.5, 0.5, 0.5];
  it('plan: type-7 IQR 0.005 (threshold 0.9925); CloudSim: rounded ranks 3 and 10, .49 and .51, IQR 0.02 (threshold 0.97)', () => {
    assert.equal(spreadOverloaded('iqr', 1.5, 0.98, steady, PLAN_SPREAD_RULES), false);
    assert.equal(spreadOverloaded('iqr', 1.5, 0.98, steady, CLOUDSIM_SPREAD_RULES), true);
    assert.equal(spreadOverloaded('iqr', 1.5, 0.96, steady, CLOUDSIM_SPREAD_RULES), false);
  });
  it('the same MAD under both (0.005: threshold 0.9875)', () => {
    for (const rules of [PLAN_SPREAD_RULES, CLOUDSIM_SPREAD_RULES]) {
      assert.equal(spreadOverloaded('mad', 2.5, 0.98, steady, rules), false);
      assert.equal(spreadOverloaded('mad', 2.5, 0.99, steady, rules), true);
    }
  });
  it('minimum history: 10 for plan, 12 for CloudSim (else 0.7)', () => {
    const ten = steady.slice(0, 10);
    assert.equal(spreadOverloaded('mad', 2.5, 0.75, ten, PLAN_SPREAD_RULES), false);
    assert.equal(spreadOverloaded('mad', 2.5, 0.75, ten, CLOUDSIM_SPREAD_RULES), true);
    assert.equal(PLAN_SPREAD_RULES.minHistory, 10);
    assert.equal(CLOUDSIM_SPREAD_RULES.minHistory, 12);
  });
});
