import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { weightedDirtyRate, initialRefinedState, refinedRate, updateRefined, DEFAULT_REFINED } from '../../src/calibrate/refined.js';
import { fitWws, fitWiredEnergy, migrationEnergyFromPower, observedGamma } from '../../src/calibrate/fits.js';
import { assertClose, rng, MiB } from '../helpers.js';

describe("Liu's refined model (eqs. 11-13)", () => {
  it('eq. 11 weights each round by its duration', () => {
    assertClose(weightedDirtyRate([{ dirtyRateBytesPerSec: 10, durationSec: 1 }, { dirtyRateBytesPerSec: 40, durationSec: 2 }]), 30);
    assert.equal(weightedDirtyRate([]), 0);
  });
  it('eqs. 12 and 13 by hand', () => {
    let s = initialRefinedState();
    assert.equal(refinedRate(s, 100), 100); // no history: the sample
    s = updateRefined(s, 100, 80); // first migration: D̂_1 = D̄_1 = 80
    assert.equal(s.historyRateBytesPerSec, 80);
    assertClose(refinedRate(s, 100), 0.5 * 100 + 0.5 * 80); // eq. 13 with phi = 0.5
    // second: sample 100, realised 90: phi* = (90 - 80) / (100 - 80) = 0.5 -> phi stays 0.5; D̂ = .7 * 90 + .3 * 80 = 87
    s = updateRefined(s, 100, 90);
    assertClose(s.historyRateBytesPerSec!, 87);
    assertClose(s.phi, 0.5);
  });
  it('phi rises when samples are right and history is stale', () => {
    let s = initialRefinedState();
    const rates = [100, 200, 50, 300, 120, 250, 80, 200];
    for (const d of rates) s = updateRefined(s, d, d); // sample always equals the realised rate
    assert.ok(s.phi > 0.85, `phi ${s.phi}`);
  });
  it('phi falls when samples are noisy around a steady rate', () => {
    let s = initialRefinedState();
    const r = rng(9);
    for (let m = 0; m < 30; m++) s = updateRefined(s, 100 * (0.5 + r()), 100);
    assert.ok(s.phi < 0.2, `phi ${s.phi}`);
  });
  it('the refined rate beats the raw sample on a noisy steady VM', () => {
    let s = initialRefinedState();
    const r = rng(10);
    let errSample = 0;
    let errRefined = 0;
    for (let m = 0; m < 40; m++) {
      const sample = 100 * (0.6 + 0.8 * r());
      const realised = 100 * (0.95 + 0.1 * r());
      if (m >= 5) {
        errSample += Math.abs(sample - realised);
        errRefined += Math.abs(refinedRate(s, sample) - realised);
      }
      s = updateRefined(s, sample, realised);
    }
    assert.ok(errRefined < 0.5 * errSample, `${errRefined} vs ${errSample}`);
  });
  it('rejects mu <= 0.5', () => {
    assert.throws(() => updateRefined(initialRefinedState(), 1, 1, { ...DEFAULT_REFINED, mu: 0.4 }), /mu must be/);
  });
});

describe('fits', () => {
  it("recovers Liu's energy model from exact pairs", () => {
    const pairs = [256, 512, 800, 1024, 2048].map((mb) => ({ transferredBytes: mb * MiB, energyJoules: 0.512 * mb + 20.165 }));
    const f = fitWiredEnergy(pairs);
    assertClose(f.params.alphaJoulesPerMiB, 0.512);
    assertClose(f.params.betaJoules, 20.165);
    assertClose(f.r2, 1);
  });
  it('recovers wws coefficients from gamma observations', () => {
    const r = rng(11);
    const obs = Array.from({ length: 40 }, () => {
      const roundSec = r() * 7;
      const dirtyRateBytesPerSec = r() * 100 * MiB;
      return { roundSec, dirtyRateBytesPerSec, gamma: -0.0463 * roundSec - 0.0001 * (dirtyRateBytesPerSec / MiB) + 0.3586 };
    });
    const f = fitWws(obs);
    assertClose(f.params.a, -0.0463, 1e-9);
    assertClose(f.params.b, -0.0001, 1e-9);
    assertClose(f.params.c, 0.3586, 1e-9);
  });
  it('observed gamma is the share of writes that hit already-dirty pages', () => {
    assertClose(observedGamma(60, 10, 10), 0.4);
    assert.equal(observedGamma(0, 0, 1), 0);
  });
  it('eq. 16 integrates power above idle, one sample a second', () => {
    const samples = Array.from({ length: 20 }, (_, i) => ({ timestampSec: 1000 + i, watts: i >= 5 && i < 9 ? 150 : 100 }));
    // migration of 3.2 s from t = 1005: seconds 1005..1008 (ceil 3.2 = 4) at 150 W, idle 100 W -> 4 * 50 J
    assertClose(migrationEnergyFromPower(samples, 1005, 3.2, 100), 200);
    assert.throws(() => migrationEnergyFromPower(samples, 2000, 2, 100), /no power sample/);
  });
});
