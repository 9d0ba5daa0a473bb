/** `migcost evaluate` for people: the cross-validated errors as a Markdown table, and the predicted-against-measured plot. */
import type { TopLevelSpec } from 'vega-lite';
import type { ErrorSummary } from '../../calibrate/errors.js';
import type { LogErrors, LogEvaluation, ScoredRow } from '../../evaluate/log-eval.js';

const pct = (e: ErrorSummary, q: 'median' | 'p90') => (e.n === 0 ? 'n/a' : `${(e[q] * 100).toFixed(1)} %`);
const ms = (e: ErrorSummary) => (e.n === 0 ? 'n/a' : `${(e.medianAbs * 1000).toFixed(0)} ms`);

function row(model: string, group: string, name: string, e: LogErrors): string {
  return `| ${model} | ${group} | ${name} | ${e.n} | ${pct(e.time, 'median')} | ${pct(e.time, 'p90')} | ${pct(e.bytes, 'median')} | ${pct(e.bytes, 'p90')} | ${ms(e.downtime)} |`;
}

/** One table: per model, the overall errors, then per technique and per workload. */
export function renderLogEvaluation(ev: LogEvaluation, input: string): string {
  const lines = [
    `${input}: ${ev.rows} migrations, ${ev.configurations} configurations, ${ev.folds}-fold cross-validation by configuration.`,
    '',
    '| model | by | group | n | time: median APE | time: p90 APE | bytes: median APE | bytes: p90 APE | downtime: median abs error |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [model, m] of Object.entries(ev.models)) {
    lines.push(row(model, 'all', 'all', m.overall));
    for (const [t, e] of Object.entries(m.byTechnique)) lines.push(row(model, 'technique', t, e));
    for (const [w, e] of Object.entries(m.byWorkload)) lines.push(row(model, 'workload', w, e));
  }
  return lines.join('\n');
}

/** Points drawn at most (every n-th row beyond): an SVG of a million points helps nobody. */
export const MAX_PLOTTED = 5000;

/** Predicted against measured time and bytes (log scales), one colour per technique, with the y = x line. */
export function logPredictedVsMeasuredSpec(scored: readonly ScoredRow[], model: string): TopLevelSpec {
  const step = Math.max(1, Math.ceil(scored.length / MAX_PLOTTED));
  const values = scored
    .filter((_, i) => i % step === 0)
    .flatMap((s) => {
      const p = s.predicted[model];
      const technique = s.row.technique ?? '(none)';
      return [
        { metric: 'total time (s)', technique, measured: s.row.totalTimeSec, predicted: p.totalTimeSec },
        { metric: 'sent (MiB)', technique, measured: s.row.transferredBytes / 2 ** 20, predicted: p.transferredBytes / 2 ** 20 },
      ];
    })
    .filter((v) => v.measured > 0 && v.predicted > 0);
  const shown = step > 1 ? `, every ${step}th shown` : '';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${model}: predicted against measured, out of fold (${scored.length} migrations${shown})`,
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 280,
      height: 280,
      layer: [
        { mark: { type: 'point', filled: true, opacity: 0.6 }, encoding: { x: { field: 'measured', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'predicted', type: 'quantitative', scale: { type: 'log' } }, color: { field: 'technique', type: 'nominal' } } },
        { mark: { type: 'line', color: '#888', strokeDash: [4, 4] }, encoding: { x: { field: 'measured', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'measured', type: 'quantitative', scale: { type: 'log' } } } },
      ],
    },
  } as TopLevelSpec;
}
