/** The horizon's window (`phaseWindowFor`): worked examples, no QEMU. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_WINDOW_SEC, PHASE_WINDOW_SEC, phaseWindowFor } from '../../src/hypervisor/qemu/windows.js';

const MiB = 2 ** 20;
const pts = (xs: [number, number][]) => xs.map(([windowSec, mib]) => ({ windowSec, dirtiedBytes: mib * MiB }));

test('phaseWindowFor: the longest window under half the working set, where the curve has levelled off', () => {
  // the lab's clock-paced writer: 32 MiB at 78 MiB/s, levelled off from 1 s; half the set is 16 MiB: 0.1 s (7.8) fits, 0.25 s (19.5) does not
  assert.equal(phaseWindowFor(pts([[0.05, 3.9], [0.1, 7.8], [0.25, 19.5], [0.5, 32], [1, 32], [2, 32], [4, 32]])), 0.1);
  // memtester 32M: the whole set within 50 ms, so every window is past half: the shortest, 50 ms
  assert.equal(phaseWindowFor(pts([[0.05, 33.6], [0.1, 35.3], [0.25, 35.3], [0.5, 35.3], [1, 35.3], [2, 35.3], [4, 35.3]])), 0.05);
  // a slow writer levels off late: its 500 ms window is under half, so the default
  assert.equal(phaseWindowFor(pts([[0.05, 1], [0.25, 5], [0.5, 10], [1, 20], [2, 38], [4, 40]])), PHASE_WINDOW_SEC);
});

test('phaseWindowFor: the default where the curve cannot tell a working set', () => {
  // still growing between its last two windows (redis under a sine load: 7 MiB at 2 s, 24 at 4 s)
  assert.equal(phaseWindowFor(pts([[0.05, 2.1], [0.25, 5.3], [1, 7], [2, 7], [4, 24]])), PHASE_WINDOW_SEC);
  // one window (the agent's and the tests' quick samples), no dirt, no curve
  assert.equal(phaseWindowFor(pts([[0.25, 10]])), PHASE_WINDOW_SEC);
  assert.equal(phaseWindowFor(pts([[0.25, 0], [1, 0]])), PHASE_WINDOW_SEC);
  assert.equal(phaseWindowFor([]), PHASE_WINDOW_SEC);
  // never under calc-dirty-rate's 50 ms, even from a curve that starts shorter
  assert.equal(phaseWindowFor(pts([[0.02, 30], [1, 32], [2, 32]])), MIN_WINDOW_SEC);
});
