/** Scoring watch's recorded re-predictions: a worked example. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreInFlight } from '../../src/evaluate/in-flight-eval.js';
import type { MigrationRecord } from '../../src/record/record.js';

const rec = (status: 'completed' | 'cancelled', totalTimeSec: number, timeoutSec: number, inFlight: MigrationRecord['inFlight']) =>
  ({ config: { timeoutSec }, measured: { status, totalTimeSec }, inFlight }) as unknown as MigrationRecord;

test('errors at 25/50/75 % of the real duration, warnings on time-outs, false alarms', () => {
  const s = scoreInFlight([
    // 10 s migration: nothing known by 2.5 s; at 5 s it said 11 s (10 %); at 7.5 s 10.5 s (5 %).
    rec('completed', 10, 60, [
      { elapsedSec: 2, totalTimeSec: 4, rateKnown: false },
      { elapsedSec: 3, totalTimeSec: 12, rateKnown: true },
      { elapsedSec: 5, totalTimeSec: 11, rateKnown: true },
      { elapsedSec: 7.5, totalTimeSec: 10.5, rateKnown: true },
    ]),
    // 20 s migration: 25 % (5 s) said 30 s (50 %), 50 % said 22 s (10 %), 75 % said 19 s (5 %); once it said
    // 70 s, past its 60 s time-out: a false alarm.
    rec('completed', 20, 60, [
      { elapsedSec: 4, totalTimeSec: 30, rateKnown: true },
      { elapsedSec: 6, totalTimeSec: 70, rateKnown: true },
      { elapsedSec: 10, totalTimeSec: 22, rateKnown: true },
      { elapsedSec: 15, totalTimeSec: 19, rateKnown: true },
    ]),
    // timed out at 30 s; warned at 5 s (no convergence): 25 s ahead.
    rec('cancelled', 30, 30, [
      { elapsedSec: 1, totalTimeSec: 3, rateKnown: false },
      { elapsedSec: 5, totalTimeSec: null, rateKnown: true },
    ]),
    // timed out, never warned
    rec('cancelled', 30, 30, [{ elapsedSec: 5, totalTimeSec: 12, rateKnown: true }]),
    // no re-predictions: not scored
    rec('completed', 5, 60, undefined),
  ]);
  assert.equal(s.completed, 2);
  assert.deepEqual(s.at.map((a) => a.n), [1, 2, 2]);
  assert.equal(s.at[0].medianPct, 50);
  assert.equal(s.at[1].medianPct, 10); // 10 % and 10 %
  assert.equal(s.at[2].medianPct, 5);
  assert.equal(s.falseAlarms, 1);
  assert.equal(s.timedOut, 2);
  assert.equal(s.warned, 1);
  assert.deepEqual(s.warningLeadSec, [25]);
});

test("where watch's warning was recorded, it is what counts (its tracker held back a first-pass alarm)", () => {
  const s = scoreInFlight([
    // Said 70 s (past the 60 s time-out) right after the first pass, but the tracker waited for a second pass: no alarm.
    rec('completed', 20, 60, [
      { elapsedSec: 4, totalTimeSec: 70, rateKnown: true, warning: false },
      { elapsedSec: 10, totalTimeSec: 22, rateKnown: true, warning: false },
    ]),
    // Warned at 8 s of a run cancelled at 30 s (the 3 s prediction came before the warning was given).
    rec('cancelled', 30, 30, [
      { elapsedSec: 3, totalTimeSec: null, rateKnown: true, warning: false },
      { elapsedSec: 8, totalTimeSec: null, rateKnown: true, warning: true },
    ]),
  ]);
  assert.equal(s.falseAlarms, 0);
  assert.deepEqual(s.warningLeadSec, [22]);
});
