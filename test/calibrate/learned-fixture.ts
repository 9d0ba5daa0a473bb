/**
 * Synthetic migrations for the learned correction: the measured figures are the scalar analytic model's times a
 * known factor, 1.6 where the dirty rate is between half and all of the bandwidth and 1 elsewhere, with a small
 * deterministic noise (+-2 %); downtime 10 ms over the model's.
 */
import type { LoggedMigration } from '../../src/record/logged.js';
import { scalarBase } from '../../src/calibrate/learned-scalar.js';

export const MIB = 2 ** 20;
export const GIB = 2 ** 30;
export const BW = 100 * MIB;

/** The factor the analytic model is off by, at a rate/bandwidth of r. */
export const factorAt = (r: number) => (r >= 0.5 && r < 1 ? 1.6 : 1);

export function syntheticRows(n = 240): LoggedMigration[] {
  const rows: LoggedMigration[] = [];
  for (let i = 0; i < n; i++) {
    const r = 0.04 + (0.92 * ((i * 37) % n)) / n; // 0.04 .. 0.96, spread over the rows
    const memoryBytes = [1, 2, 4][i % 3] * GIB;
    const known = { memoryBytes, dirtyRateBytesPerSec: r * BW, bandwidthBytesPerSec: BW, downtimeLimitSec: 0.3, technique: 'precopy' };
    const base = scalarBase(known);
    const noise = 1 + 0.02 * Math.sin(i * 1.7);
    const f = factorAt(r) * noise;
    rows.push({ id: `s${i}`, source: 'import', workload: i % 2 ? 'web' : 'db', ...known, totalTimeSec: base.totalTimeSec * f, transferredBytes: base.transferredBytes * f, downtimeSec: Math.min(base.downtimeSec + 0.01, base.totalTimeSec * f) });
  }
  return rows;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
