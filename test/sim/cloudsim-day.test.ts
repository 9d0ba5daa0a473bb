import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE } from '../../src/sim/planetlab-loader.js';
import { cloudsimPlanetLabPreset } from '../../src/sim/presets.js';
import { simulateCluster } from '../../src/sim/engine.js';

const within = (actual: number, expected: number, rel: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs CloudSim ${expected} (> ${rel * 100} %)`);

describe('cloudsim-planetlab preset, 20110303', { skip: !existsSync(DEFAULT_PLANETLAB_ARCHIVE) && 'no PlanetLab archive' }, () => {
  it('THR 0.8 / MMT reproduces CloudSim 3.0.3 within 5 % (reference: 198.08 kWh, 27,728 migrations, SLAV 0.00357 %)', () => {
    const traces = loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, '20110303', 'tar');
    assert.equal(traces.length, 1052);
    const r = simulateCluster({ ...cloudsimPlanetLabPreset(traces), detector: 'thr', detectorParam: 0.8, selection: 'mmt' });
    within(r.energyKWh, 198.08, 0.05, 'energy');
    within(r.migrations, 27728, 0.05, 'migrations');
    within(r.slav, 0.0000357, 0.05, 'SLAV');
    within(r.esv, 0.00707, 0.05, 'ESV');
    within(r.slatah, 0.05, 0.05, 'SLATAH');
    // rules the notes state outright
    assert.equal(r.vmsFinished, 532);
    assert.equal(r.steps, 287);
    assert.equal(r.endSec, 86127.94);
  });
  it('DVFS baseline (first fit, no migrations) reproduces CloudSim 3.0.3: 764.96 kWh, 473 shutdowns', () => {
    const traces = loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, '20110303', 'tar');
    const r = simulateCluster({ ...cloudsimPlanetLabPreset(traces), detector: 'thr', detectorParam: 0.8, selection: 'mmt', baseline: 'dvfs' });
    assert.equal(r.energyKWh.toFixed(2), '764.96');
    assert.equal(r.migrations, 0);
    assert.equal(r.hostShutdowns, 473);
    assert.equal(r.timeline.at(-1)!.energyKWhCumulative, r.energyKWh);
  });
});
