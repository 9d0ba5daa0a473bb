/**
 * A sweep's results for people: the comparison table (the columns of `simulate --compare`, plus the detector,
 * parameter, seed and memory when the grid varies them) and a Vega-Lite plot of energy against SLA violation per
 * run with each policy's mean ESV (render it with src/plot/svg.ts).
 */
import Table from 'cli-table3';
import type { TopLevelSpec } from 'vega-lite';
import type { SweepRow } from '../../sweep/rows.js';
import { formatBytes, formatSeconds } from '../../units.js';

const pct = (x: number, digits = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(digits)} %` : '-');
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : '-');

/** The inputs that differ between rows (besides day and policy), as columns. */
function varied(rows: readonly SweepRow[]): Array<{ head: string; cell: (r: SweepRow) => string }> {
  const cols: Array<{ head: string; cell: (r: SweepRow) => string }> = [
    { head: 'detector', cell: (r) => r.detector },
    { head: 'param', cell: (r) => String(r.detectorParam) },
    { head: 'seed', cell: (r) => String(r.seed) },
    { head: 'memory', cell: (r) => r.memorySource },
  ];
  return cols.filter((c) => new Set(rows.map(c.cell)).size > 1);
}

export function renderSweepTable(rows: readonly SweepRow[], label: string): string {
  const extra = varied(rows);
  const t = new Table({ head: ['day', ...extra.map((c) => c.head), 'policy', 'kWh', 'migr.', 'SLATAH', 'PDM', 'ESV', 'ESV vs MMT', 'traffic', 'vs MMT', 'downtime', 'vs MMT'], style: { head: [], border: [] } });
  for (const r of rows) {
    t.push([
      r.day, ...extra.map((c) => c.cell(r)), r.policy, r.energyKWh.toFixed(2), String(r.migrations), pct(r.slatah), pct(r.pdm, 3), r.esv.toExponential(3), signed(r.esvVsMmt),
      Number.isFinite(r.transferredBytes) ? formatBytes(r.transferredBytes) : '-', signed(r.bytesVsMmt),
      Number.isFinite(r.downtimeSec) ? formatSeconds(r.downtimeSec) : '-', signed(r.downtimeVsMmt),
    ]);
  }
  const cached = rows.filter((r) => r.cached).length;
  return `${label}\n${t.toString()}\n${rows.length} runs${cached > 0 ? ` (${cached} read from the store, ${rows.length - cached} run now)` : ''}\n`;
}

/** Energy against SLAV, one point per run coloured by policy; beside it each policy's mean ESV over the grid. */
export function sweepPlotSpec(rows: readonly SweepRow[], title: string): TopLevelSpec {
  const values = rows.map((r) => ({ policy: r.policy, day: r.day, detector: `${r.detector} ${r.detectorParam}`, seed: r.seed, memory: r.memorySource, energyKWh: r.energyKWh, slavPct: r.slav * 100, esv: r.esv }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    hconcat: [
      {
        width: 420,
        height: 300,
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x: { field: 'energyKWh', type: 'quantitative', title: 'energy (kWh)', scale: { zero: false } },
          y: { field: 'slavPct', type: 'quantitative', title: 'SLAV (%)', scale: { zero: false } },
          color: { field: 'policy', type: 'nominal', title: 'policy' },
          shape: { field: 'day', type: 'nominal', title: 'day' },
        },
      },
      {
        width: 260,
        height: 300,
        mark: 'bar',
        encoding: {
          y: { field: 'policy', type: 'nominal', title: 'policy', sort: 'x' },
          x: { aggregate: 'mean', field: 'esv', type: 'quantitative', title: 'mean ESV (kWh x SLAV)' },
          color: { field: 'policy', type: 'nominal', legend: null },
        },
      },
    ],
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}
