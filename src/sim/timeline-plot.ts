/**
 * A Vega-Lite spec of a simulated day: cumulative energy, active hosts and migrations per step over time,
 * one panel each (render it with src/plot/svg.ts). Pure.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TimelinePoint } from './types.js';

/** Several runs may share the plot, told apart by `run`. */
export function timelinePlotSpec(runs: ReadonlyArray<{ run: string; timeline: readonly TimelinePoint[] }>, title: string): TopLevelSpec {
  const values = runs.flatMap(({ run, timeline }) =>
    timeline.map((p) => ({ run, hour: p.timeSec / 3600, energyKWh: p.energyKWhCumulative, activeHosts: p.activeHosts, migrations: p.migrations })),
  );
  const panel = (field: string, label: string, mark: 'line' | 'bar' = 'line') => ({
    width: 640,
    height: 140,
    mark: mark === 'line' ? { type: 'line' as const, strokeWidth: 1.5 } : { type: 'line' as const, strokeWidth: 1, interpolate: 'step-after' as const },
    encoding: {
      x: { field: 'hour', type: 'quantitative' as const, title: 'hour of the day', scale: { domain: [0, 24] } },
      y: { field, type: 'quantitative' as const, title: label },
      color: { field: 'run', type: 'nominal' as const, title: 'run' },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    vconcat: [panel('energyKWh', 'energy since 0 h (kWh)'), panel('activeHosts', 'active hosts'), panel('migrations', 'migrations started per step', 'bar')],
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}
