/** How a guest's dirt answers auto-converge's throttle: the probe's reading, and auto-converge modelled with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catchUpSlices, probeResolution, responseFromProbe, throttledTimeShare, throttleExponent } from '../../src/model/throttle-response.js';
import { simulate } from '../../src/model/precopy.js';
import { convergenceOutlook } from '../../src/model/convergence.js';
import { inputFromSample } from '../../src/model/from-sample.js';
import { firstPassCap, leadSec, probeWindows } from '../../src/hypervisor/qemu/throttle-probe.js';
import type { PredictInput, ThrottleResponse } from '../../src/model/types.js';
import type { ThrottleResponseSample, VmSample } from '../../src/model/sample.js';

const MiB = 2 ** 20;
const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('throttleExponent: a in rate(p) = rate(0) (1 - p)^a, 1 proportional, 0 full catch-up', () => {
  close(throttleExponent(0.5, 100, 50), 1);
  close(throttleExponent(0.5, 100, 100), 0);
  close(throttleExponent(0.75, 100, 50), 0.5); // 0.25^0.5 = 0.5
  assert.equal(throttleExponent(0.5, 100, 120), 0); // noise above the unthrottled rate: no cut
  assert.equal(throttleExponent(0.5, 100, 10), 1); // cut more than in proportion: at most proportional
  assert.equal(throttleExponent(0.5, 0, 0), 1); // nothing to cut, nothing to tell
});

test('throttledTimeShare: QEMU sleeps p / (1 - p) x 10 ms per 10 ms run; a writer catches up C of it', () => {
  close(throttledTimeShare(0.99, 0), 0.01); // proportional
  assert.equal(throttledTimeShare(0.99, Infinity), 1); // full catch-up
  assert.equal(throttledTimeShare(0, 0), 1);
  // The lab's dirtier catches up 100 ms + 5 ms (10.5 slices): untouched at 90 % (sleep 90 ms), cut at 95 % and 99 %.
  assert.equal(throttledTimeShare(0.9, 10.5), 1);
  close(throttledTimeShare(0.95, 10.5), 0.05 * 11.5);
  close(throttledTimeShare(0.99, 10.5), 0.01 * 11.5);
  // A CPU-bound writer needing half the CPU is C = 10 ms (1 / 0.5 - 1): (1 - p) / 0.5 once cut, as the vCPU-load rule.
  close(throttledTimeShare(0.8, 1), 0.4);
  assert.equal(throttledTimeShare(0.4, 1), 1);
});

test('catchUpSlices: from the share measured at the probed throttle back to the catch-up', () => {
  close(catchUpSlices({ throttle: 0.95, dirtShare: 0.05 }), 0);
  close(catchUpSlices({ throttle: 0.95, dirtShare: 0.575 }), 10.5);
  assert.equal(catchUpSlices({ throttle: 0.95, dirtShare: 0.97 }), Infinity); // no cut at 95 %: full catch-up
  assert.equal(catchUpSlices({ throttle: 0.95, dirtShare: 0.01 }), 0); // cut more than in proportion (noise)
  // the share at the probed throttle is reproduced
  for (const r of [{ throttle: 0.95, dirtShare: 0.3 }, { throttle: 0.5, dirtShare: 0.75 }, { throttle: 0.9, dirtShare: 0.1 }]) close(throttledTimeShare(r.throttle, catchUpSlices(r)), r.dirtShare);
});

const probe = (p: Partial<ThrottleResponseSample>): ThrottleResponseSample => ({ throttle: 0.95, windowSec: 0.5, rateUnthrottled: 40 * MiB, rateThrottled: 2 * MiB, unthrottledWindows: 4, throttledWindows: 4, exponent: 1, ...p });

test('responseFromProbe: the throttled window read back on the unthrottled curve', () => {
  const linear = [{ windowSec: 1, dirtiedBytes: 40 * MiB }, { windowSec: 2, dirtiedBytes: 80 * MiB }];
  close(responseFromProbe(probe({}), linear)!.dirtShare, 0.05, 1e-6); // linear: the rates' ratio
  // A curve that bends: 16 MiB in 0.25 s, 20 MiB in 0.5 s. The throttled window dirtied 10 MiB, which the
  // unthrottled guest does in 0.25 x 10 / 16 s: a share of 0.3125 of the window, not the ratio 0.5.
  const bent = [{ windowSec: 0.25, dirtiedBytes: 16 * MiB }, { windowSec: 0.5, dirtiedBytes: 20 * MiB }, { windowSec: 1, dirtiedBytes: 20 * MiB }];
  close(responseFromProbe(probe({ rateUnthrottled: 40 * MiB, rateThrottled: 20 * MiB }), bent)!.dirtShare, 0.3125, 1e-6);
  // within 5 % of the unthrottled dirt: no cut (a share of 1), whatever the curve's shape
  assert.equal(responseFromProbe(probe({ rateThrottled: 39 * MiB }), bent)!.dirtShare, 1);
  assert.equal(responseFromProbe(probe({ throttledWindows: 0 }), linear), undefined);
  assert.equal(responseFromProbe(probe({ rateUnthrottled: 0 }), linear), undefined);
  assert.equal(responseFromProbe(undefined, linear), undefined);
});

test('probeWindows: the longest curve window the working set does not half-fill, five throttle periods at most', () => {
  const curve = [{ windowSec: 0.1, dirtiedBytes: 8 }, { windowSec: 0.25, dirtiedBytes: 16 }, { windowSec: 1, dirtiedBytes: 32 }];
  assert.deepEqual(probeWindows(0.95, curve), { windowSec: 0.25, windows: 8 }); // 16 <= 32 / 2; 2 x 1 s / 0.25 s
  assert.deepEqual(probeWindows(0.95, []), { windowSec: 1, windows: 2 }); // 5 x 10 ms / 0.05
  assert.deepEqual(probeWindows(0.5, []), { windowSec: 0.25, windows: 2 });
  assert.equal(probeWindows(0.95, [{ windowSec: 0.05, dirtiedBytes: 32 }, { windowSec: 1, dirtiedBytes: 32 }]).windowSec, 0.1); // saturated at once: the shortest, >= 0.1 s
});

test('leadSec: two monitor round trips and a poll, twice over; 0.1 s at least', () => {
  assert.equal(leadSec(0.001), 0.1); // QMP on a socket: 4 ms + 40 ms
  assert.ok(Math.abs(leadSec(0.07) - 0.32) < 1e-12); // libvirt's pass-through spawns virsh: ~70 ms a command
});

test('firstPassCap: the rounds after the first pass take the lead to converge, X / (B - D) = lead', () => {
  // 156 MiB non-zero, 20 MiB/s of dirt dirtied linearly, 0.25 s of lead: B (B - 20) = 20 x 156 / 0.25 MiB^2/s^2
  const b = firstPassCap(156 * MiB, 20 * MiB, 0.25, []);
  assert.ok(Math.abs(b / MiB - (10 + Math.sqrt(100 + 12480))) < 1e-6, `${b / MiB} MiB/s`);
  const rounds = (cap: number, dirt: (t: number) => number, d: number) => dirt((156 * MiB) / cap) / (cap - d);
  assert.ok(Math.abs(rounds(b, (t) => 20 * MiB * t, 20 * MiB) - 0.25) < 1e-9);
  // a longer lead, a slower first pass; never at or under the dirt rate (the rounds would never end)
  assert.ok(firstPassCap(156 * MiB, 20 * MiB, 1, []) < b);
  assert.ok(firstPassCap(156 * MiB, 20 * MiB, 100, []) > 20 * MiB);
  // a working set the first pass saturates (16 MiB within 0.25 s): less to resend, so a slower first pass
  const saturating = [{ windowSec: 0.25, dirtiedBytes: 5 * MiB }, { windowSec: 1, dirtiedBytes: 16 * MiB }, { windowSec: 4, dirtiedBytes: 16 * MiB }];
  assert.ok(firstPassCap(156 * MiB, 20 * MiB, 0.25, saturating) < b);
  // a guest that does not dirty, or a short lead: the old cap, a 0.5 s first pass (32 MiB/s at least)
  assert.equal(firstPassCap(156 * MiB, 0, 0.25, []), 312 * MiB);
  assert.equal(firstPassCap(156 * MiB, 20 * MiB, 0.001, []), 312 * MiB);
  assert.equal(firstPassCap(4 * MiB, 0, 0.25, []), 32 * MiB);
});

/**
 * The miss that motivated the probe (issue 18): a small sequential working set (48 MiB) dirtied at four times the
 * cap (40 MiB/s against 10 MiB/s), auto-converge on, 150 s to converge.
 */
function smallSequential(response?: ThrottleResponse, autoConverge = true): PredictInput {
  const points = [{ windowSec: 0.25, dirtiedBytes: 10 * MiB }, { windowSec: 0.5, dirtiedBytes: 20 * MiB }, { windowSec: 1, dirtiedBytes: 40 * MiB }, { windowSec: 2, dirtiedBytes: 48 * MiB }, { windowSec: 4, dirtiedBytes: 48 * MiB }];
  return {
    vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 40 * MiB, zeroPageFraction: 0.5, dirtyModel: { kind: 'curve', points }, ...(response ? { throttleResponse: response } : {}) },
    bandwidthBytesPerSec: 10 * MiB,
    policy: { name: 'qemu', downtimeLimitSec: 0.3, autoConverge, timeoutSec: 150 },
    trace: true,
  };
}

test('worked example: a full-catch-up writer at 4x the cap never converges under auto-converge', () => {
  const assumed = simulate(smallSequential());
  assert.equal(assumed.converged, true, 'without a measured response the throttle cuts the dirt in proportion (the assumption)');
  const p = simulate(smallSequential({ throttle: 0.95, dirtShare: 1 }));
  assert.equal(p.converged, false);
  assert.equal(p.reason, 'timeout');
  close(p.maxThrottle, 0.99); // the throttle climbs all the way, as QEMU's did (99 % in the harness's run)
  // The throttle cuts nothing: every round sends and dirties what it would without auto-converge.
  const off = simulate(smallSequential(undefined, false));
  assert.equal(p.trace!.length, off.trace!.length);
  p.trace!.forEach((r, i) => {
    close(r.sentBytes, off.trace![i].sentBytes);
    close(r.dirtiedBytes, off.trace![i].dirtiedBytes);
  });
  // and the convergence outlook, built on the same rounds, gives it no chance
  assert.equal(convergenceOutlook(smallSequential({ throttle: 0.95, dirtShare: 1 })).convergenceProbability, 0);
});

test('worked example: a proportional writer converges as today; a capped catch-up later', () => {
  const today = simulate(smallSequential());
  const proportional = simulate(smallSequential({ throttle: 0.95, dirtShare: 0.05 }));
  assert.deepEqual(proportional, today);
  assert.ok(convergenceOutlook(smallSequential({ throttle: 0.95, dirtShare: 0.05 })).convergenceProbability >= 0.5);
  // The lab dirtier's catch-up (105 ms: 57.5 % of the dirt left at 95 %): untouched until the sleep passes 105 ms
  // (throttle > 91 %), so it converges only once the throttle reaches 99 %, later than the proportional writer.
  const capped = simulate(smallSequential({ throttle: 0.95, dirtShare: 0.575 }));
  assert.equal(capped.converged, true);
  close(capped.maxThrottle, 0.99);
  assert.ok(capped.totalTimeSec > today.totalTimeSec, `${capped.totalTimeSec} vs ${today.totalTimeSec}`);
});

test('inputFromSample reads a probe into vm.throttleResponse (the default model); none without one', () => {
  const sample: VmSample = { memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 40 * MiB, curve: [{ windowSec: 1, dirtiedBytes: 40 * MiB }, { windowSec: 2, dirtiedBytes: 80 * MiB }], sampledAt: '2026-12-06T22:00:00Z' };
  const link = { bandwidthBytesPerSec: 10 * MiB, autoConverge: true };
  assert.equal(inputFromSample(sample, link).vm.throttleResponse, undefined);
  const r = inputFromSample({ ...sample, throttleResponse: probe({ rateThrottled: 40 * MiB }) }, link).vm.throttleResponse!;
  assert.equal(r.throttle, 0.95);
  close(r.dirtShare, 1);
  assert.throws(() => simulate({ ...smallSequential(), vm: { ...smallSequential().vm, throttleResponse: { throttle: 1, dirtShare: 0.5 } } }), /vm\.throttleResponse needs throttle in \(0, 1\)/);
});

test('parseSample keeps a throttle response (a --vm file, an API body) and names a bad field', async () => {
  const { parseSample } = await import('../../src/input.js');
  const json = { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 40 * MiB, curve: [{ windowSec: 1, dirtiedBytes: 40 * MiB }], throttleResponse: probe({}) };
  assert.deepEqual(parseSample('vm', json).throttleResponse, probe({}));
  assert.throws(() => parseSample('vm', { ...json, throttleResponse: probe({ throttle: 1 }) }), /vm\.throttleResponse/);
  assert.throws(() => parseSample('vm', { ...json, throttleResponse: probe({ throttledWindows: 1.5 }) }), /vm\.throttleResponse\.throttledWindows/);
});

test('probeResolution and the aliasing it reads past: a catch-up writer seen through windows shorter than the throttle period', () => {
  // 95 %: a period of 10 ms / 0.05 = 0.2 s; twelve 0.1 s windows span six periods, +- one burst in six
  close(probeResolution(0.95, 1.2), 1 / 6);
  close(probeResolution(0.5, 2), 0.01);
  assert.equal(probeResolution(0.95, 0), Infinity);
  const linear = [{ windowSec: 1, dirtiedBytes: 80 * MiB }, { windowSec: 2, dirtiedBytes: 160 * MiB }];
  // the lab's clock-paced writer (heldout-probe-pass1): 0.864-1.187 of its unthrottled rate over twelve 0.1 s
  // windows at 95 %, where a window holds a burst or none: all within 1/6 of no cut, so full catch-up
  const clock = (ratio: number) => probe({ windowSec: 0.1, unthrottledWindows: 24, throttledWindows: 12, rateUnthrottled: 80 * MiB, rateThrottled: ratio * 80 * MiB });
  for (const ratio of [0.864, 0.88, 0.925, 0.944, 1.187]) {
    const r = responseFromProbe(clock(ratio), linear)!;
    assert.equal(r.dirtShare, 1, `ratio ${ratio}`);
    assert.equal(catchUpSlices(r), Infinity);
  }
  // 0.8 is past the resolution: a measured cut, read back on the curve (linear: the ratio), C = 0.8 / 0.05 - 1 = 15 slices
  const cut = responseFromProbe(clock(0.8), linear)!;
  close(cut.dirtShare, 0.8, 1e-6);
  close(catchUpSlices(cut), 15, 1e-4);
  // over a long span the resolution is fine and page-sampling's 5 % governs: 0.93 over 10 s of windows is a cut
  close(responseFromProbe(probe({ windowSec: 0.25, throttledWindows: 40, rateUnthrottled: 80 * MiB, rateThrottled: 0.93 * 80 * MiB }), linear)!.dirtShare, 0.93, 1e-6);
  // a span under two periods cannot tell: no response (the CPU-load rule applies)
  assert.equal(responseFromProbe(probe({ windowSec: 0.1, throttledWindows: 3 }), linear), undefined);
});
