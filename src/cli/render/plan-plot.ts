/**
 * `migcost plan --svg`: the hosts before and after the plan (CPU and memory demand as a share of capacity, the
 * hot threshold as a line, switched-off hosts marked), and every move, mitigation and consolidation, with its
 * predicted time, bytes sent and downtime. A Vega-Lite spec (pure data in, spec out); `plot/svg.ts` renders it.
 */
import type { TopLevelSpec } from 'vega-lite';
import { applyMoves, type Cluster } from '../../plan/cluster.js';
import type { Plan } from '../../plan/planner.js';
import type { ConsolidationDecision } from '../../plan/consolidate.js';
import { loads, type HotRule } from '../../plan/hot.js';
import { formatBytes, formatSeconds } from '../../units.js';

const COLUMNS = ['#', 'vm', 'move', 'kind', 'time', 'sent', 'downtime'] as const;

/** The hot threshold drawn on each panel (%), and what it is. */
function thresholds(rule: HotRule): { cpu: number; memory: number; label: string } {
  if (rule.detector === 'deng') return { cpu: rule.cpuThreshold * 100, memory: rule.memoryThreshold * 100, label: 'hot threshold' };
  if (rule.detector === 'thr') return { cpu: rule.detectorParam * 100, memory: 100, label: `thr ${rule.detectorParam}` };
  return { cpu: 100, memory: 100, label: `capacity (${rule.detector} also tests each host's history)` };
}

export function planPlotSpec(c: Cluster, plan: Plan, consolidation: readonly ConsolidationDecision[] | undefined, rule: HotRule): TopLevelSpec {
  const performed = (consolidation ?? []).filter((d) => d.switchOff);
  const off = new Set(performed.map((d) => d.host));
  const hot = new Set(plan.hotBefore);
  const before = loads(c);
  const after = loads(applyMoves(applyMoves(c, plan.moves), performed.flatMap((d) => d.moves)));
  const label = (id: string) => `${id}${hot.has(id) ? ' (hot)' : ''}${off.has(id) ? ' (switched off)' : ''}`;
  const bars = c.hosts.flatMap((h) => [
    ['before', before.get(h.id)!],
    [off.has(h.id) ? 'after: switched off' : 'after', after.get(h.id)!],
  ] as const).map(([when, l], i) => {
    const h = c.hosts[Math.floor(i / 2)];
    return { host: label(h.id), when, cpu: (l.cpu / h.cpu) * 100, memory: (l.mem / h.memoryBytes) * 100 };
  });
  const t = thresholds(rule);
  const panel = (metric: 'cpu' | 'memory', at: number) => ({
    width: Math.max(240, 70 * c.hosts.length),
    height: 200,
    layer: [
      {
        data: { values: bars },
        mark: 'bar',
        encoding: {
          x: { field: 'host', type: 'nominal', sort: null, title: null, axis: { labelAngle: 0 } },
          xOffset: { field: 'when', type: 'nominal', sort: ['before', 'after', 'after: switched off'] },
          y: { field: metric, type: 'quantitative', title: `${metric} demand (% of capacity)` },
          color: { field: 'when', type: 'nominal', sort: ['before', 'after', 'after: switched off'], scale: { domain: ['before', 'after', 'after: switched off'], range: ['#9ecae1', '#3182bd', '#bbbbbb'] }, title: null },
        },
      },
      {
        data: { values: bars.filter((b) => b.when === 'after: switched off') },
        mark: { type: 'text', baseline: 'bottom', dy: -2, color: '#555' },
        encoding: { x: { field: 'host', type: 'nominal', sort: null }, xOffset: { field: 'when', type: 'nominal', sort: ['before', 'after', 'after: switched off'] }, y: { datum: 0 }, text: { value: 'off' } },
      },
      { data: { values: [{ y: at, label: `${t.label}: ${Number(at.toFixed(1))} %` }] }, mark: { type: 'rule', color: '#d62728', strokeDash: [6, 3] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      { data: { values: [{ y: at, label: `${t.label}: ${Number(at.toFixed(1))} %` }] }, mark: { type: 'text', color: '#d62728', align: 'left', dx: 4, dy: -6, x: 0 }, encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  });
  const moves = [
    ...plan.moves.map((m) => ({ ...m, kind: `off hot ${m.from}` })),
    ...performed.flatMap((d) => d.moves.map((m) => ({ ...m, kind: `empties ${d.host}` }))),
  ];
  const cells = moves.flatMap((m, i) => {
    const row: Record<(typeof COLUMNS)[number], string> = { '#': String(i + 1), vm: m.vm, move: `${m.from} → ${m.to}`, kind: m.kind, time: formatSeconds(m.predicted.totalTimeSec), sent: formatBytes(m.predicted.transferredBytes), downtime: formatSeconds(m.predicted.downtimeSec) };
    return COLUMNS.map((col) => ({ row: i + 1, col, value: row[col] }));
  });
  const table = {
    title: { text: moves.length > 0 ? 'moves, predicted' : 'no moves', anchor: 'start' as const, fontSize: 13 },
    width: 620,
    height: Math.max(20, 20 * moves.length),
    data: { values: cells },
    mark: { type: 'text', align: 'left', dx: -40 },
    encoding: {
      x: { field: 'col', type: 'ordinal', sort: [...COLUMNS], title: null, axis: { orient: 'top', ticks: false, domain: false, labelAngle: 0, labelAlign: 'left', labelPadding: 4, labelFontWeight: 'bold', labelOffset: -40 } },
      y: { field: 'row', type: 'ordinal', axis: null },
      text: { field: 'value' },
    },
  };
  const subtitle = [
    ...plan.hot.map((h) => `hot before: ${h.host}, ${h.reason}`),
    ...plan.stillHot.map((h) => `still hot after: ${h.host}, ${h.reason}`),
    ...(off.size > 0 ? [`switched off after consolidation: ${[...off].join(', ')}`] : []),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${plan.policy} (${plan.objective}): ${moves.length} moves, ${formatBytes(moves.reduce((s, m) => s + m.predicted.transferredBytes, 0))} predicted`, subtitle: subtitle.length > 0 ? subtitle : 'no hot hosts', anchor: 'start' },
    vconcat: [{ hconcat: [panel('cpu', t.cpu), panel('memory', t.memory)] }, table],
    config: { view: { stroke: null } },
  } as TopLevelSpec;
}
