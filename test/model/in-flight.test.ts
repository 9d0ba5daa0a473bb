/** Re-predicting a migration in flight: worked examples with hand-computed figures, and the tracker's rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictInFlight, InFlightTracker, RateWindow, platformTimeoutSec, type InFlight, type InFlightDirt } from '../../src/model/in-flight.js';
import { MigrationWatch } from '../../src/hypervisor/watch.js';
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
  assert.equal(u.warning, undefined, 'one reading is not enough');
  assert.match(t.update(worse).warning ?? '', /after the completion time-out at 12 s/);
  assert.equal(t.update(worse).warning, undefined);
  assert.equal(t.warningGiven, true);
  const n = new InFlightTracker(800);
  n.update(predictInFlight({ ...base, dirtyRateBytesPerSec: 200 * MiB }));
  assert.match(n.update(predictInFlight({ ...base, dirtyRateBytesPerSec: 200 * MiB })).warning ?? '', /not to converge/);
  const s1 = new InFlightTracker(800);
  for (let i = 0; i < 3; i++) assert.equal(s1.update(predictInFlight({ ...base, syncs: 1 })).warning, undefined, 'no warning before the rate is known');
  // A verdict that flips back resets the count.
  const f = new InFlightTracker(800);
  f.update(predictInFlight({ ...base, dirtyRateBytesPerSec: 200 * MiB }));
  f.update(predictInFlight(base));
  assert.equal(f.update(predictInFlight({ ...base, dirtyRateBytesPerSec: 200 * MiB })).warning, undefined);
});

test('platforms\' completion time-outs scale with RAM', () => {
  assert.equal(platformTimeoutSec('nova', 4 * 2 ** 30), 3200);
  assert.equal(platformTimeoutSec('kubevirt', 2 * 2 ** 30), 300);
});

// The sample's curve: 40 MiB/s for the first second, 60 MiB at 2 s, levelling off at a 64 MiB working set.
// The final copy at the link's 100 MiB/s, to keep the hand computations short (the default is uncapped: see below).
const curve: InFlightDirt = { curve: [{ windowSec: 1, dirtiedBytes: 40 * MiB }, { windowSec: 2, dirtiedBytes: 60 * MiB }, { windowSec: 4, dirtiedBytes: 64 * MiB }], stopCopyRateBytesPerSec: 100 * MiB };

test("worked example with the sample's curve: the pass so far counts toward the dirt it leaves", () => {
  // 40 MiB left of a pass that began 0.1 s ago: sent in 0.4 s, the pass lasts 0.5 s and leaves curve(0.5) = 20 MiB
  // <= 30 MiB (100 MiB/s x 0.3 s): switch over, 0.2 s down.
  const p = predictInFlight({ ...base, passElapsedSec: 0.1 }, curve);
  assert.equal(p.dirtFrom, 'sample');
  assert.equal(p.converges, true);
  assertClose(p.etaSec, 0.6);
  assertClose(p.downtimeSec, 0.2);
  assert.equal(p.remainingTransferBytes, 60 * MiB);
  // Without the 0.1 s already spent: curve(0.4) = 16 MiB.
  assertClose(predictInFlight({ ...base, passElapsedSec: 0 }, curve).downtimeSec, 0.16);
});

test("near the threshold one rate says it converges; the sample's working set says it will not", () => {
  // A 64 MiB working set dirtied within 0.5 s; QEMU measured 32 MiB/s over a 2 s pass (64 MiB / 2 s).
  const wss: InFlightDirt = { curve: [{ windowSec: 0.5, dirtiedBytes: 64 * MiB }, { windowSec: 4, dirtiedBytes: 64 * MiB }] };
  const s = { ...base, dirtyRateBytesPerSec: 32 * MiB, passElapsedSec: 0 };
  // One rate: 40 MiB in 0.4 s leaves 12.8 MiB: switch over.
  assert.equal(predictInFlight(s).converges, true);
  // The curve: 40 MiB in 0.4 s leaves curve(0.4) = 51.2 MiB; 51.2 MiB in 0.512 s leaves 64 MiB, no less than before.
  const p = predictInFlight(s, wss);
  assert.equal(p.converges, false);
  assert.equal(p.etaSec, Infinity);
  assert.equal(p.rateKnown, true);
});

test("in the first pass the sample's curve predicts at once, the zero pages going as flags", () => {
  // 100 MiB sent at 100 MiB/s: the pass began 1 s ago. 512 MiB left, half of it zero: 256 MiB in 2.56 s; the pass
  // lasts 3.56 s and leaves curve(3.56) = 60 + 4 x 1.56 / 2 = 63.12 MiB; those go in 0.6312 s and leave
  // curve(0.6312) = 25.248 MiB <= 30 MiB: switch over in 0.25248 s.
  const s = { ...base, elapsedSec: 2, syncs: 1, transferredBytes: 100 * MiB, remainingBytes: 512 * MiB, dirtyRateBytesPerSec: 0 };
  const p = predictInFlight(s, { ...curve, zeroPageFraction: 0.5 });
  assert.equal(p.rateKnown, true);
  assert.equal(p.converges, true);
  assertClose(p.etaSec, 2.56 + 0.6312 + 0.25248);
  assertClose(p.totalTimeSec, 2 + 2.56 + 0.6312 + 0.25248);
  assertClose(p.progress, 100 / (100 + 256 + 63.12 + 25.248));
});

test("auto-converge's throttle caps the vCPU: it slows a guest's dirt only above the guest's load", () => {
  // 50 MiB/s of dirt, throttle 50 %: a guest at 25 % load keeps its pace (40 MiB in 0.4 s leave 20 MiB, 0.2 s
  // down); one at full load runs half the time (10 MiB, 0.1 s down).
  const linear = { curve: [{ windowSec: 1, dirtiedBytes: 50 * MiB }, { windowSec: 2, dirtiedBytes: 100 * MiB }], stopCopyRateBytesPerSec: 100 * MiB };
  const s = { ...base, autoConverge: true, throttle: 0.5, passElapsedSec: 0 };
  assertClose(predictInFlight(s, { ...linear, cpuUtilisation: 0.25 }).downtimeSec, 0.2);
  assertClose(predictInFlight(s, linear).downtimeSec, 0.1);
});

test("no warning right after the first pass from QEMU's rate alone; the sample's curve warns in the first pass", () => {
  const hot = { ...base, dirtyRateBytesPerSec: 200 * MiB };
  const t = new InFlightTracker(800);
  for (let i = 0; i < 3; i++) assert.equal(t.update(predictInFlight(hot), 2).warning, undefined, 'syncs 2: the first pass\'s rate');
  t.update(predictInFlight(hot), 3);
  assert.match(t.update(predictInFlight(hot), 3).warning ?? '', /not to converge/);
  const wss: InFlightDirt = { curve: [{ windowSec: 0.5, dirtiedBytes: 64 * MiB }, { windowSec: 4, dirtiedBytes: 64 * MiB }] };
  const first = { ...base, syncs: 1, remainingBytes: 512 * MiB };
  const w = new InFlightTracker(800);
  w.update(predictInFlight(first, wss), 1);
  assert.match(w.update(predictInFlight(first, wss), 1).warning ?? '', /not to converge/);
  // ... and says nothing when the curve converges.
  const c = new InFlightTracker(800);
  for (let i = 0; i < 3; i++) assert.equal(c.update(predictInFlight(first, curve), 1).warning, undefined);
});

test("with the sample's curve and QEMU's rate as a check, the warning waits for QEMU's first rate and needs it to agree", () => {
  // The curve says never (a 64 MiB working set rewritten within 0.5 s, at 100 MiB/s x 0.3 s = 30 MiB allowed).
  const wss: InFlightDirt = { curve: [{ windowSec: 0.5, dirtiedBytes: 64 * MiB }, { windowSec: 4, dirtiedBytes: 64 * MiB }] };
  const first = { ...base, syncs: 1, remainingBytes: 512 * MiB, dirtyRateBytesPerSec: 0 };
  const t = new InFlightTracker(800);
  for (let i = 0; i < 3; i++) assert.equal(t.update(predictInFlight(first, wss), 1, predictInFlight(first)).warning, undefined, 'pass 1: QEMU has measured no rate yet');
  // Pass 1 ended: QEMU measured 10 MiB/s of dirt (a phase the sample did not see), which converges: no warning.
  const calm = { ...base, syncs: 2, dirtyRateBytesPerSec: 10 * MiB };
  assert.equal(predictInFlight(calm).converges, true);
  for (let i = 0; i < 3; i++) assert.equal(t.update(predictInFlight(calm, wss), 2, predictInFlight(calm)).warning, undefined, 'QEMU disagrees');
  // QEMU measured 200 MiB/s: both say never, on two readings in a row, from syncs 2 on.
  const hot = { ...calm, dirtyRateBytesPerSec: 200 * MiB };
  assert.equal(t.update(predictInFlight(hot, wss), 2, predictInFlight(hot)).warning, undefined, 'one reading');
  assert.match(t.update(predictInFlight(hot, wss), 2, predictInFlight(hot)).warning ?? '', /not to converge/);
});

test("the final copy runs uncapped by default; QEMU's measured dirt over the last whole pass scales the curve", () => {
  // As the first worked example, with the default stop-and-copy rate (a 10 Gbit/s link): 20 MiB in 16.777 ms.
  const p = predictInFlight({ ...base, passElapsedSec: 0.1 }, { curve: curve.curve });
  assertClose(p.downtimeSec, (20 * MiB) / 1.25e9);
  assertClose(p.etaSec, 0.4 + (20 * MiB) / 1.25e9);
  // The last pass lasted 0.5 s (curve: 20 MiB) and QEMU measured 80 MiB/s over it (40 MiB): the curve counts double,
  // so this pass leaves 40 MiB > 30 MiB; the next (0.4 s) leaves 2 x 16 = 32 MiB (less: go on), and the one after
  // (0.32 s) leaves 2 x 12.8 = 25.6 MiB <= 30 MiB: switch over, 0.256 s down at 100 MiB/s.
  const q = predictInFlight({ ...base, passElapsedSec: 0.1, lastPassSec: 0.5, dirtyRateBytesPerSec: 80 * MiB }, curve);
  assert.equal(q.converges, true);
  assertClose(q.etaSec, 0.4 + 0.4 + 0.32 + 0.256);
  // Not after the first pass alone (syncs 2), and bounded (x4 at most).
  assertClose(predictInFlight({ ...base, syncs: 2, passElapsedSec: 0.1, lastPassSec: 0.5, dirtyRateBytesPerSec: 80 * MiB }, curve).etaSec, 0.6);
  const far = predictInFlight({ ...base, passElapsedSec: 0.1, lastPassSec: 0.5, dirtyRateBytesPerSec: 1000 * MiB }, curve);
  assert.equal(far.converges, false, 'x4: 80 MiB after this pass, 4 x curve(0.8 s) = 128 MiB after the next');
});

test("watch times the current pass from the readings around its sync, and its progress never falls", () => {
  const w = new MigrationWatch({ completionTimeoutSec: 30, dirt: curve });
  const read = (elapsedSec: number, syncs: number, transferredBytes: number, remainingBytes: number) => w.line({ status: 'active', state: { ...base, elapsedSec, syncs, transferredBytes, remainingBytes } })!;
  const a = read(5, 2, 300 * MiB, 50 * MiB);
  assert.equal(a.passElapsedSec, undefined, 'the sync that began this pass was not seen');
  read(5.4, 3, 340 * MiB, 60 * MiB);
  const c = read(5.6, 3, 350 * MiB, 40 * MiB);
  assertClose(c.passElapsedSec!, 0.4, 1e-9); // the pass began between 5.0 and 5.4 s
  assert.equal(c.dirtFrom, 'sample');
  let last = 0;
  for (const [e, tx, rem] of [[5.8, 360, 30], [6.0, 362, 200], [6.2, 380, 180]] as const) {
    const l = read(e, 3, tx * MiB, rem * MiB);
    assert.ok(l.progress >= last, `progress ${l.progress} fell below ${last}`);
    last = l.progress;
  }
});

test("with the sample, auto-converge steps as QEMU schedules it: a judgement per sync 1 s apart, a step after two high ones", () => {
  // 12 MiB/s of dirt at 10 MiB/s, a 1 s limit (10 MiB), 20 MiB pending. Passes of >= 1.25 s: every sync is judged
  // (QEMU judges at the first sync 1 s after the last), every one high (dirt > half the bytes sent), so the
  // throttle steps every second pass: 0, 0 | 20 %, 20 % | 30 %, 30 % | 40 %, 40 % ...
  const d: InFlightDirt = { curve: [{ windowSec: 1, dirtiedBytes: 12 * MiB }, { windowSec: 2, dirtiedBytes: 24 * MiB }], stopCopyRateBytesPerSec: 10 * MiB };
  const s = { ...base, remainingBytes: 20 * MiB, bandwidthBytesPerSec: 10 * MiB, downtimeLimitSec: 1, autoConverge: true, passElapsedSec: 0 };
  const run = [1, 1, 0.8, 0.8, 0.7, 0.7, 0.6, 0.6]; // the vCPU's share in each pass
  let pending = 20;
  let eta = 0;
  for (const share of run) {
    const t = pending / 10;
    eta += t;
    pending = 12 * t * share;
  }
  // 20 -> 24 -> 28.8 -> 27.648 -> 26.542 -> 22.295 -> 18.728 -> 13.484 -> 9.709 MiB <= 10 MiB: switch over.
  assert.ok(pending <= 10 && pending > 9.7, `${pending}`);
  const p = predictInFlight(s, d);
  assert.equal(p.converges, true);
  assertClose(p.etaSec, eta + pending / 10);
  // One step a pass (the in-flight model without a sample) would have switched after five passes.
  assert.ok(predictInFlight({ ...s, dirtyRateBytesPerSec: 12 * MiB }).etaSec < eta);
});

test("the rate over the last second of readings times the rest, not QEMU's 100 ms one", () => {
  const w = new RateWindow();
  assert.equal(w.add(-0.3, 0), undefined, 'nothing sent yet (libvirt\'s setup): not part of the window');
  assert.equal(w.add(0, 1 * MiB), undefined);
  assert.equal(w.add(0.5, 40 * MiB), undefined, 'not a second yet');
  assertClose(w.add(1.0, 101 * MiB)!, 100 * MiB); // 100 MiB over 0 -> 1 s
  assertClose(w.add(1.2, 111 * MiB)!, (110 * MiB) / 1.2); // the latest reading at least 1 s old is still the one at 0
  assertClose(w.add(1.6, 150 * MiB)!, ((150 - 40) * MiB) / 1.1); // from the 0.5 s reading
  // 40 MiB pending, QEMU's last 100 ms said 50 MiB/s, the last second 100 MiB/s: the pass ends in 0.4 s, as at 100 MiB/s.
  const p = predictInFlight({ ...base, bandwidthBytesPerSec: 50 * MiB, averageRateBytesPerSec: 100 * MiB, passElapsedSec: 0.1 }, curve);
  assertClose(p.etaSec, 0.6);
});
