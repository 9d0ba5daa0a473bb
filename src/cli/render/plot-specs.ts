/** Vega-Lite specs for the lab report (pure data in, spec out). */
import type { TopLevelSpec } from 'vega-lite';
import type { MigrationRecord } from '../../record/record.js';
import type { Metric } from '../../evaluate/report.js';

const LABELS: Record<Metric, string> = { totalTimeSec: 'total time (s)', transferredBytes: 'sent (MiB)', downtimeSec: 'downtime (ms)' };
const SCALE: Record<Metric, number> = { totalTimeSec: 1, transferredBytes: 1 / 2 ** 20, downtimeSec: 1000 };

/** Predicted against measured, one panel per metric, one colour per workload, with the y = x line. */
export function predictedVsMeasuredSpec(records: readonly MigrationRecord[], variant: string, metrics: readonly Metric[]): TopLevelSpec {
  const values = records
    .filter((r) => r.measured.status === 'completed' && r.predicted[variant])
    .flatMap((r) =>
      metrics.map((m) => ({ metric: LABELS[m], workload: r.config.workload, measured: r.measured[m] * SCALE[m], predicted: r.predicted[variant][m] * SCALE[m] })),
    );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${variant}: predicted against measured (${records.length} real QEMU migrations)`,
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 260,
      height: 260,
      layer: [
        { mark: { type: 'point', filled: true, opacity: 0.8 }, encoding: { x: { field: 'measured', type: 'quantitative', title: 'measured' }, y: { field: 'predicted', type: 'quantitative', title: 'predicted' }, color: { field: 'workload', type: 'nominal' } } },
        { mark: { type: 'line', color: '#888', strokeDash: [4, 4] }, encoding: { x: { field: 'measured', type: 'quantitative', title: 'measured' }, y: { field: 'measured', type: 'quantitative', title: 'predicted' } } },
      ],
    },
  } as TopLevelSpec;
}

/** Residuals against fitted values, one panel per fit (what `migcost calibrate --svg` draws). */
export function residualSpec(fits: readonly { name: string; fitted: readonly number[]; residuals: readonly number[] }[]): TopLevelSpec {
  const values = fits.flatMap((f) => f.fitted.map((x, i) => ({ fit: f.name, fitted: x, residual: f.residuals[i] })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'calibration: residuals against fitted values',
    data: { values },
    facet: { column: { field: 'fit', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 260,
      height: 220,
      layer: [
        { mark: { type: 'point', filled: true, opacity: 0.6 }, encoding: { x: { field: 'fitted', type: 'quantitative' }, y: { field: 'residual', type: 'quantitative' } } },
        { mark: { type: 'rule', color: '#888', strokeDash: [4, 4] }, encoding: { y: { datum: 0 } } },
      ],
    },
  } as TopLevelSpec;
}
