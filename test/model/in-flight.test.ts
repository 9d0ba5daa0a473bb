/** Re-predicting a migration in flight: worked examples with hand-computed figures, and the tracker's rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictInFlight, InFlightTracker, platformTimeoutSec, type InFlight } from '../../src/model/in-flight.js';
import { assertClose } from '../helpers.js';

const MiB = 2 ** 20;
const base: InFlight = { elapsedSec: 10, transferredBytes: 300 * MiB, remainingBytes: 40 * MiB, memoryBytes: 1024 * MiB, syncs: 3, dirtyRateBytesPerSec: 50 * MiB, bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, throttle: 0 };

test('worked example: 40 MiB pending at 100 MiB/s, 50 MiB/s of dirt, 300 ms limit', () => {
  // Round 1 sends 40 MiB in 0.4 s, leaving 20 MiB (50 x 0.4) <= 30 MiB (100 x 0.3): switch over, 0.2 s down.
  const p = predictInFlight(base);
  assert.equal(p.converges, true);
  assertClose(p.etaSec, 0.6);
  assertClose(p.downtimeSec, 0.2);
  assertClose(p.totalTimeSec, 10.6);
  assert.equal(p.remainingTransferBytes, 60 * MiB);
  assertClose(p.progress, 300 / 360);
});

test('a dirty rate at or above the bandwidth never converges without auto-converge', () => {
  const p = predictInFlight({ ...base, dirtyRateBytesPerSec: 120 * MiB });
  assert.equal(p.converges, false);
  assert.equal(p.etaSec, Infinity);
});

test('auto-converge throttles 20 %, +10 % a round, until the dirt fits', () => {
  // 120 MiB/s of dirt at 100 MiB/s: round 1 (0.4 s) leaves 48 MiB and the throttle starts at 20 %; round 2
  // (0.48 s) leaves 120 x 0.8 x 0.48 = 46.08 MiB, throttle 30 %; round 3 (0.4608 s) leaves 120 x 0.7 x 0.4608 =
  // 38.7072 MiB, throttle 40 %; round 4 (0.387072 s) leaves 120 x 0.6 x 0.387072 = 27.869184 MiB <= 30: switch.
  const p = predictInFlight({ ...base, dirtyRateBytesPerSec: 120 * MiB, autoConverge: true });
  assert.equal(p.converges, true);
  assertClose(p.downtimeSec, 0.27869184);
  assertClose(p.etaSec, 0.4 + 0.48 + 0.4608 + 0.387072 + 0.27869184);
});

test('in the first pass the rate is unknown: the bar shows half the share of RAM scanned', () => {
  const p = predictInFlight({ ...base, syncs: 1, remainingBytes: 512 * MiB, dirtyRateBytesPerSec: 0 });
  assert.equal(p.rateKnown, false);
  assertClose(p.progress, 0.25);
  assertClose(p.etaSec, 5.12 + 0); // at least the rest of the pass
});

test('no measured bandwidth: no prediction, not a division by zero', () => {
  const p = predictInFlight({ ...base, bandwidthBytesPerSec: 0 });
  assert.equal(p.converges, false);
  assert.equal(p.progress, 0);
});

test('the tracker never lets the progress fall and warns once, on the first prediction past the time-out', () => {
  const t = new InFlightTracker(12);
  assert.equal(t.update(predictInFlight(base)).progress, predictInFlight(base).progress);
  const worse = predictInFlight({ ...base, transferredBytes: 310 * MiB, remainingBytes: 400 * MiB, elapsedSec: 11 });
  const u = t.update(worse);
  assertClose(u.progress, 300 / 360, 1e-12);
  assert.match(u.warning ?? '', /after the completion time-out at 12 s/);
  assert.equal(t.update(worse).warning, undefined);
  assert.equal(t.warningGiven, true);
  const never = new InFlightTracker(800).update(predictInFlight({ ...base, dirtyRateBytesPerSec: 200 * MiB }));
  assert.match(never.warning ?? '', /not to converge/);
  assert.equal(new InFlightTracker(800).update(predictInFlight({ ...base, syncs: 1 })).warning, undefined, 'no warning before the rate is known');
});

test('platforms\' completion time-outs scale with RAM', () => {
  assert.equal(platformTimeoutSec('nova', 4 * 2 ** 30), 3200);
  assert.equal(platformTimeoutSec('kubevirt', 2 * 2 ** 30), 300);
});
