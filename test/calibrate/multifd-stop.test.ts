/** multifd's stop-and-copy factor fitted from compressed runs' downtimes (calibrate/multifd-stop.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fitStopCopySpeedup, MAX_STOP_SPEEDUP, MIN_STOP_RUNS, STOP_SPEEDUP_GRID, type StopCopyRun } from '../../src/calibrate/multifd-stop.js';

/** A run measured at `measured` s whose model says `fixed` s + `channels` s / factor (undefined: never converges). */
const run = (measured: number, fixed: number, channels: number, converges = true): StopCopyRun => ({
  measuredDowntimeSec: measured,
  predictedDowntimeSec: (s) => (converges ? fixed + channels / s : undefined),
});

describe('multifd stop-and-copy factor', () => {
  it('the grid: 1 to 16 in quarter powers of 2', () => {
    assert.equal(STOP_SPEEDUP_GRID.length, 17);
    assert.equal(STOP_SPEEDUP_GRID[0], 1);
    assert.equal(STOP_SPEEDUP_GRID[8], 4);
    assert.equal(STOP_SPEEDUP_GRID.at(-1), MAX_STOP_SPEEDUP);
  });

  it('the worked example: measured 5 ms where the model says 1 ms + 16 ms / s: s = 4', () => {
    const runs = Array.from({ length: MIN_STOP_RUNS }, () => run(0.005, 0.001, 0.016));
    assert.equal(fitStopCopySpeedup(runs), 4);
  });

  it('the median log ratio: half the runs want 2, half 8, and a run the factor cannot move is left out', () => {
    // 3 runs want s = 2 (measured 1 + 8 ms), 3 want s = 8 (1 + 2 ms); the 9th (4 ms + 0.1 ms / s) is not usable.
    // At s = 4 the model says 5 ms: logs ln(5/9) = -0.588 and ln(5/3) = 0.511, median -0.038; at 2^1.75 (5.76 ms)
    // 0.103, at 2^2.25 (4.36 ms) -0.175: 4 is nearest unbiased.
    const runs = [...Array.from({ length: 3 }, () => run(0.009, 0.001, 0.016)), ...Array.from({ length: 3 }, () => run(0.003, 0.001, 0.016)), run(0.004, 0.004, 0.0001)];
    assert.equal(fitStopCopySpeedup(runs), 4);
  });

  it('too few usable runs leave it unfitted: the default (1) stands', () => {
    assert.equal(fitStopCopySpeedup(Array.from({ length: MIN_STOP_RUNS - 1 }, () => run(0.005, 0.001, 0.016))), undefined);
    // runs predicted never to converge, and runs whose downtime the factor barely moves, do not count
    const unusable = [...Array.from({ length: 3 }, () => run(0.005, 0.001, 0.016, false)), ...Array.from({ length: 3 }, () => run(0.005, 0.005, 0.001))];
    assert.equal(fitStopCopySpeedup([...unusable, ...Array.from({ length: MIN_STOP_RUNS - 1 }, () => run(0.005, 0.001, 0.016))]), undefined);
  });

  it('a machine whose channels go no faster at the stop gets 1', () => {
    assert.equal(fitStopCopySpeedup(Array.from({ length: 8 }, () => run(0.017, 0.001, 0.016))), 1);
  });
});
