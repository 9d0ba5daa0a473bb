/** A scalar dirty rate read as distinct pages in one window with a saturating working set beyond it; the textbook yardstick. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inputFromScalar, scalarCurve, SCALAR_PRIOR } from '../../src/model/from-scalar.js';
import { geometricPrediction, TEXTBOOK_MAX_ROUNDS } from '../../src/model/textbook.js';
import { curveDirtiedBytes } from '../../src/model/dirty.js';
import { simulate } from '../../src/model/precopy.js';
import { oneSecondRate } from '../../src/record/logged.js';
import { assertClose, GiB, MiB } from '../helpers.js';

const vm = { memoryBytes: GiB, dirtyRateBytesPerSec: 10 * MiB, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3 };

describe('scalarCurve (the saturating prior)', () => {
  it('passes through the measured window, then rises toward k times it and ends flat', () => {
    const c = scalarCurve(vm);
    assert.deepEqual(c[0], { windowSec: 1, dirtiedBytes: 10 * MiB });
    assertClose(curveDirtiedBytes(c, 0.5), 5 * MiB); // linear within the window
    // One time constant (tau = (W - r w) / r = 1 s) past the window: W - (W - r w) / e.
    assertClose(curveDirtiedBytes(c, 2), 20 * MiB - (10 * MiB) / Math.E);
    const last = c[c.length - 1];
    assert.ok(last.dirtiedBytes <= 20 * MiB && last.dirtiedBytes > 0.999 * 20 * MiB);
    assert.equal(curveDirtiedBytes(c, 1000), last.dirtiedBytes, 'flat beyond the table: never above the working set');
    for (let i = 1; i < c.length; i++) assert.ok(c[i].dirtiedBytes >= c[i - 1].dirtiedBytes && c[i].windowSec > c[i - 1].windowSec);
  });

  it('the window is the one the rate was measured over; the working set never exceeds memory', () => {
    assert.deepEqual(scalarCurve(vm, { ...SCALAR_PRIOR, rateWindowSec: 0.25 })[0], { windowSec: 0.25, dirtiedBytes: 2.5 * MiB });
    const big = scalarCurve({ ...vm, dirtyRateBytesPerSec: 800 * MiB });
    assert.ok(big.every((p) => p.dirtiedBytes <= GiB));
    assert.ok(big[big.length - 1].dirtiedBytes > 0.999 * GiB, 'k r w above memory: toward all of memory');
    const huge = scalarCurve({ ...vm, dirtyRateBytesPerSec: 4 * GiB });
    assert.deepEqual(huge, [{ windowSec: 1, dirtiedBytes: GiB }, { windowSec: 2, dirtiedBytes: GiB }], 'no more distinct pages than memory');
    assert.deepEqual(scalarCurve({ ...vm, dirtyRateBytesPerSec: 0 }), []);
  });

  it('a rate above the link over a small working set converges under the prior; read as constant, it never does', () => {
    const fast = { ...vm, dirtyRateBytesPerSec: 150 * MiB };
    const linear = simulate(inputFromScalar(fast, {}, { prior: { kind: 'linear' } }));
    const saturating = simulate(inputFromScalar(fast));
    assert.equal(linear.converged, false);
    assert.equal(linear.totalTimeSec >= 600, true, "QEMU's 600 s time-out");
    assert.equal(saturating.converged, false, 'a 300 MiB working set at 100 MiB/s with a 30 MiB budget still does not fit');
    const small = { ...vm, dirtyRateBytesPerSec: 150 * MiB, downtimeLimitSec: 3.5 };
    assert.equal(simulate(inputFromScalar(small)).converged, true);
    assert.equal(simulate(inputFromScalar(small, {}, { prior: { kind: 'linear' } })).converged, false);
  });
});

describe('geometricPrediction (textbook)', () => {
  it('the worked example: 1000 B at 100 B/s dirtying 50 B/s with a 1 s limit', () => {
    const p = geometricPrediction({ memoryBytes: 1000, dirtyRateBytesPerSec: 50, bandwidthBytesPerSec: 100, downtimeLimitSec: 1 });
    assert.deepEqual(p, { totalTimeSec: 19.375, downtimeSec: 0.625, transferredBytes: 1937.5, rounds: 4, converged: true });
  });

  it('a rate at or above the link: 30 rounds of at most all memory, then all of it stopped', () => {
    const p = geometricPrediction({ memoryBytes: 1000, dirtyRateBytesPerSec: 200, bandwidthBytesPerSec: 100, downtimeLimitSec: 1 });
    assert.equal(p.rounds, TEXTBOOK_MAX_ROUNDS);
    assert.equal(p.converged, false);
    assert.equal(p.transferredBytes, 31 * 1000);
    assert.equal(p.downtimeSec, 10);
  });
});

describe('oneSecondRate', () => {
  it("reads a sample's curve at 1 s, not its short-window slope", () => {
    assert.equal(oneSecondRate({ curve: [{ windowSec: 0.25, dirtiedBytes: 25 }, { windowSec: 1, dirtiedBytes: 33 }, { windowSec: 4, dirtiedBytes: 33 }], dirtyRateBytesPerSec: 100 }), 33);
    assert.equal(oneSecondRate({ curve: [], dirtyRateBytesPerSec: 7 }), 7);
  });
});

describe('workingSetRange: how much the working-set prior matters', () => {
  it('gives the predictions at k = 1 and k = 4, ordered, around the prior k = 2', async () => {
    const { workingSetRange, WORKING_SET_RANGE } = await import('../../src/model/from-scalar.js');
    const near = { memoryBytes: 2 * GiB, dirtyRateBytesPerSec: 70 * MiB, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3 };
    const input = inputFromScalar(near);
    const r = workingSetRange(input);
    assert.deepEqual(r.workingSetFactor, [1, 4]);
    assert.deepEqual(WORKING_SET_RANGE, [1, 4]);
    // each end is the plain prediction with that k
    const k1 = simulate(inputFromScalar(near, {}, { prior: { ...SCALAR_PRIOR, workingSetFactor: 1 } }));
    const k4 = simulate(inputFromScalar(near, {}, { prior: { ...SCALAR_PRIOR, workingSetFactor: 4 } }));
    assert.deepEqual(r.totalTimeSec, [Math.min(k1.totalTimeSec, k4.totalTimeSec), Math.max(k1.totalTimeSec, k4.totalTimeSec)]);
    assert.deepEqual(r.converges, [k1.converged, k4.converged]);
    // more dirt beyond the window costs more here: the prior's k = 2 lies inside
    const k2 = simulate(input);
    assert.ok(r.totalTimeSec[0] <= k2.totalTimeSec && k2.totalTimeSec <= r.totalTimeSec[1], `${r.totalTimeSec} vs ${k2.totalTimeSec}`);
    assert.ok(r.transferredBytes[0] < r.transferredBytes[1]);
    assert.ok(k1.totalTimeSec < k4.totalTimeSec);
  });
});
