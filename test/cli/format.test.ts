/** One formatting module for every table (src/cli/render/format.ts): grouped digits, the largest fitting unit. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatCount, formatJoules, formatNumber, formatPercent, formatRate, formatSeconds } from '../../src/cli/render/format.js';
import { renderSimulation } from '../../src/cli/render/simulation.js';
import { predictionTable } from '../../src/cli/render/prediction.js';
import { predict } from '../../src/index.js';
import type { SimulationResult } from '../../src/sim/types.js';

const GiB = 2 ** 30;

describe('figures for people', () => {
  it('sizes take the largest binary unit they fill', () => {
    const cases: [number, string][] = [
      [0, '0 B'], [512, '512 B'], [1023, '1,023 B'], [1024, '1.0 KiB'], [32.7 * 2 ** 20, '32.7 MiB'], [1000.5 * 2 ** 20, '1,000.5 MiB'],
      [1023.96 * 2 ** 20, '1.00 GiB'], [6.83 * GiB, '6.83 GiB'], [28494.43 * GiB, '27.83 TiB'], [3 * 2 ** 50, '3.00 PiB'], [-2 * GiB, '-2.00 GiB'],
    ];
    for (const [x, s] of cases) assert.equal(formatBytes(x), s, String(x));
    assert.equal(formatRate(100 * 2 ** 20), '100.0 MiB/s');
  });
  it('times take the largest unit below which they fall', () => {
    const cases: [number, string][] = [[0.014, '14.0 ms'], [0.2940442, '294.0 ms'], [12.3, '12.30 s'], [119.99, '119.99 s'], [576 * 60, '9.6 h'], [600, '10.0 min'], [4 * 86400, '4.0 d']];
    for (const [x, s] of cases) assert.equal(formatSeconds(x), s, String(x));
  });
  it('counts and numbers group their digits; percentages and joules', () => {
    assert.equal(formatCount(27728), '27,728');
    assert.equal(formatNumber(198.0831, 2), '198.08');
    assert.equal(formatNumber(1234567.891, 1), '1,234,567.9');
    assert.equal(formatPercent(0.0000357, 5), '0.00357 %');
    assert.equal(formatJoules(3601.344), '3,601.3 J');
    assert.equal(formatJoules(16426316.25), '4.56 kWh');
  });
  it('the simulator and prediction tables use them', () => {
    const r = { hosts: 800, vms: 1052, vmsFinished: 3, detector: 'thr', detectorParam: 0.8, selection: 'mmt', energyKWh: 198.083, migrations: 27728, slatah: 0.05, pdm: 0.0007, slav: 0.0000357, esv: 0.007, overallSlaViolation: 0.0008, averageSlaViolation: 0.1, hostShutdowns: 6109, meanTimeBeforeShutdownSec: 982, stdevTimeBeforeShutdownSec: 3177, meanMigrationTimeSec: 13.8, steps: 288, endSec: 86100, migrationModel: 'cloudsim', timeline: [], migrationCost: { transferredBytes: 28494.43 * GiB, downtimeSec: 7502, nonConverged: 0, energyJoules: 16426316, modelTimeSec: 1 } } as unknown as SimulationResult;
    const t = renderSimulation(r, 'cloudsim-planetlab 20110303 (tar order)');
    assert.match(t, /27,728/);
    assert.match(t, /27\.83 TiB/);
    assert.match(t, /6,109 \(mean/);
    assert.doesNotMatch(t, /28494|27728/);
    const p = predictionTable(predict({ vm: { memoryBytes: 4 * GiB, dirtyRateBytesPerSec: 50 * 2 ** 20 }, bandwidthBytesPerSec: 1e9 / 8, policy: { name: 'qemu', downtimeLimitSec: 0.3 } }));
    assert.match(p, /3,601\.3 J/);
  });
});
