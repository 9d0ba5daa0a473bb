/**
 * How early and how right `watch` is, from what it would have said during recorded migrations (`record.inFlight`):
 * on completed runs, the error of its predicted total time at 25, 50 and 75 % of the real duration (the last
 * re-prediction made by then); on runs that did not complete (time-out), how long before the end it first said the
 * migration would not converge, or end after the time-out; and on completed runs, whether it ever wrongly said so
 * (a false alarm). Pure.
 */
import type { InFlightInput, InFlightPoint, MigrationRecord } from '../record/record.js';
import { quantileR7 } from '../stats/quantile.js';
import { InFlightTracker, RateWindow, predictInFlight, type InFlightDirt } from '../model/in-flight.js';
import { inFlightDirtFromSample, sampleAt } from '../model/from-sample.js';

export const WATCH_FRACTIONS = [0.25, 0.5, 0.75] as const;

export interface InFlightScore {
  /** Completed runs with re-predictions. */
  completed: number;
  /** Per fraction of the real duration: median and p90 absolute error of the predicted total time, and how many runs had a prediction by then. */
  at: { fraction: number; n: number; medianPct: number; p90Pct: number }[];
  /** Runs that did not complete: how many, how many were warned, and the warnings' lead (s before the run ended). */
  timedOut: number;
  warned: number;
  warningLeadSec: number[];
  /** Completed runs on which a re-prediction (after the first pass) said it would not end before its time-out. */
  falseAlarms: number;
}

/**
 * Whether a re-prediction warns: as recorded where watch's warning was kept (its tracker's rules), else no
 * convergence or an end after the time-out once the rate was known.
 */
const warns = (p: InFlightPoint, timeoutSec: number, recorded: boolean) => (recorded ? p.warning === true : p.rateKnown && (p.totalTimeSec === null || p.totalTimeSec > timeoutSec));

export function scoreInFlight(records: readonly MigrationRecord[]): InFlightScore {
  const errs: number[][] = WATCH_FRACTIONS.map(() => []);
  let completed = 0;
  let timedOut = 0;
  let warned = 0;
  let falseAlarms = 0;
  const leads: number[] = [];
  for (const r of records) {
    const pts = r.inFlight;
    if (!pts || pts.length === 0) continue;
    const timeout = r.config.timeoutSec;
    const recorded = pts.some((p) => p.warning !== undefined);
    if (r.measured.status === 'completed') {
      completed++;
      const T = r.measured.totalTimeSec;
      WATCH_FRACTIONS.forEach((f, i) => {
        let last: (typeof pts)[number] | undefined;
        for (const p of pts) if (p.elapsedSec <= f * T && p.rateKnown) last = p;
        if (last && last.totalTimeSec !== null) errs[i].push((Math.abs(last.totalTimeSec - T) / T) * 100);
        else if (last) errs[i].push(Infinity); // said it would never end
      });
      if (pts.some((p) => warns(p, timeout, recorded))) falseAlarms++;
    } else {
      timedOut++;
      const first = pts.find((p) => warns(p, timeout, recorded));
      if (first) {
        warned++;
        leads.push(r.measured.totalTimeSec - first.elapsedSec);
      }
    }
  }
  return {
    completed,
    at: WATCH_FRACTIONS.map((f, i) => ({ fraction: f, n: errs[i].length, medianPct: errs[i].length ? quantileR7(errs[i], 0.5) : NaN, p90Pct: errs[i].length ? quantileR7(errs[i], 0.9) : NaN })),
    timedOut,
    warned,
    warningLeadSec: leads,
    falseAlarms,
  };
}

/**
 * What watch would say with the current model at each recorded poll, re-predicted from the poll's recorded inputs
 * (`input`) with the run's downtime limit, auto-converge and time-out: with the record's sample's curve (`sample`)
 * or QEMU's rate alone (`qemu`). `inputs` stands in for the recorded ones (e.g. rebuilt from an older record's
 * trace). Undefined when the record has no inputs. Pure.
 */
export function replayInFlight(r: MigrationRecord, dirtFrom: 'sample' | 'qemu', inputs?: readonly { elapsedSec: number; input: InFlightInput }[]): InFlightPoint[] | undefined {
  const polls = inputs ?? (r.inFlight?.every((p) => p.input) ? r.inFlight.map((p) => ({ elapsedSec: p.elapsedSec, input: p.input! })) : undefined);
  if (!polls || polls.length === 0) return undefined;
  const dirt: InFlightDirt | undefined = dirtFrom === 'sample' ? inFlightDirtFromSample(sampleAt(r.sample, r.migrationStartedAt)) : undefined;
  const tracker = new InFlightTracker(r.config.timeoutSec);
  const rate = new RateWindow();
  return polls.map(({ elapsedSec, input }) => {
    // The rate over the last second of polls, as watch takes it (RateWindow), unless the input says it.
    const avg = rate.add(elapsedSec, input.transferredBytes);
    const averageRateBytesPerSec = input.averageRateBytesPerSec ?? avg;
    const s = { ...input, elapsedSec, downtimeLimitSec: r.config.downtimeLimitSec, autoConverge: r.config.autoConverge, ...(averageRateBytesPerSec !== undefined ? { averageRateBytesPerSec } : {}) };
    const p = predictInFlight(s, dirt);
    const shown = tracker.update(p, input.syncs, dirt ? predictInFlight(s) : undefined);
    return { elapsedSec, totalTimeSec: Number.isFinite(p.totalTimeSec) ? p.totalTimeSec : null, rateKnown: p.rateKnown, dirtFrom: p.dirtFrom, warning: shown.warning !== undefined, input };
  });
}
