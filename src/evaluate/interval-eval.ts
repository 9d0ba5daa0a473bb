/**
 * Coverage of prediction intervals on the lab's migrations: for every migration, a 10th-90th percentile
 * interval built only from what was known before it — the rates seen for the same VM earlier (samples and
 * realised rates) and the relative errors of the deng-bitmap model (deng-curve where a sample has no bitmap counts) on *other* VMs — then whether the measured
 * value fell inside. Pure.
 */
import { predictInterval, coverage, type PredictionInterval, type IntervalMetric } from '../calibrate/interval.js';
import type { Platform } from '../model/types.js';
import { fitPlatformFromRecords, recordsForHost } from './cross-validate.js';
import { realisedRate, vmKey } from './refined-eval.js';
import { hostKey, type MigrationRecord } from '../record/record.js';
import { predictVariant, sampleAt, variantInput } from '../model/from-sample.js';

export interface IntervalEval {
  n: number;
  coverage: Partial<Record<IntervalMetric, number>>;
  /** Median relative width (hi - lo) / point, per metric. */
  medianWidth: Partial<Record<IntervalMetric, number>>;
}

export function evaluateIntervals(records: readonly MigrationRecord[], lowQ = 0.1, highQ = 0.9): IntervalEval {
  const done = records.filter((r) => r.measured.status === 'completed');
  const pairs: { interval: PredictionInterval; measured: Partial<Record<IntervalMetric, number>> }[] = [];
  const widths: Record<string, number[]> = { totalTimeSec: [], transferredBytes: [], downtimeSec: [] };
  const keys = [...new Set(done.map(vmKey))];
  for (const key of keys) {
    const others = done.filter((r) => vmKey(r) !== key);
    // The machine's own constants when it has enough records (cross-validate.ts), else every machine's.
    const platform: Partial<Platform> = fitPlatformFromRecords(recordsForHost(others, hostKey(done.find((r) => vmKey(r) === key)!)).records);
    // the model's relative errors (measured / predicted - 1) on the other VMs
    const rel: Record<'totalTimeSec' | 'transferredBytes' | 'downtimeSec', number[]> = { totalTimeSec: [], transferredBytes: [], downtimeSec: [] };
    for (const o of others) {
      const p = predictVariant('deng-bitmap', sampleAt(o.sample, o.migrationStartedAt), o.config, platform);
      if (!p.converged) continue;
      for (const m of ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const) if (p[m] > 0) rel[m].push(o.measured[m] / p[m] - 1);
    }
    const mine = done.filter((r) => vmKey(r) === key).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const seen: number[] = [];
    for (const r of mine) {
      const input = variantInput('deng-bitmap', sampleAt(r.sample, r.migrationStartedAt), r.config, platform);
      const interval = predictInterval(input, { lowQ, highQ, observedRates: [...seen, r.sample.dirtyRateBytesPerSec], relativeErrors: rel });
      if (interval.point.converged) {
        pairs.push({ interval, measured: { totalTimeSec: r.measured.totalTimeSec, transferredBytes: r.measured.transferredBytes, downtimeSec: r.measured.downtimeSec } });
        for (const m of ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const) widths[m].push((interval.hi[m] - interval.lo[m]) / Math.max(1e-12, interval.point[m]));
      }
      seen.push(r.sample.dirtyRateBytesPerSec);
      const real = realisedRate(r);
      if (real !== undefined) seen.push(real);
    }
  }
  const med = (a: number[]) => (a.length ? [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] : 0);
  return { n: pairs.length, coverage: coverage(pairs), medianWidth: { totalTimeSec: med(widths.totalTimeSec), transferredBytes: med(widths.transferredBytes), downtimeSec: med(widths.downtimeSec) } };
}
