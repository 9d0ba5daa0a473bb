/**
 * A simulated day (POST /v1/simulate, needs the token) with every option `migcost simulate` has: detector and
 * its parameter, selection, objective, consolidation order, migration model, memory source, file order, scale,
 * baseline and pricing. The totals read as the CLI prints them (SLATAH, PDM, SLAV as percentages), with the
 * day over time and the migrations' modelled cost per step; and a side-by-side comparison of policies
 * (simulation-compare.ts). The option lists come from src/sim, the same the CLI offers.
 */
import { post } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { bytes, esc, int, num, pct, secs, table } from '../format.js';
import { SIM_DETECTORS, SIM_DETECTOR_DEFAULTS } from '../../../src/sim/detectors.js';
import { SIM_SELECTIONS } from '../../../src/sim/selection.js';
import { COST_OBJECTIVES, CONSOLIDATION_ORDERS, MIGRATION_MODELS, type SimulationResult } from '../../../src/sim/types.js';
import { MEMORY_SOURCES } from '../../../src/sim/presets.js';
import { timelinePlotSpec } from '../../../src/sim/timeline-plot.js';
import { comparePanel } from './simulation-compare.js';

export interface Sim {
  result: SimulationResult;
  timeline: { step: number; timeSec: number; migrations: number; transferredBytes: number; downtimeSec: number; energyJoules: number }[];
  wallSec: number;
}

/** src/sim/planetlab-loader.ts's FILE_ORDERS (that module reads files, so it stays out of the bundle). */
const FILE_ORDERS = ['tar', 'sorted'] as const;

const select = (name: string, options: readonly string[], params: URLSearchParams, title = '') =>
  `<label title="${esc(title)}">${esc(name.replace(/([A-Z])/g, ' $1').toLowerCase())} <select name="${name}">${options.map((o) => `<option ${params.get(name) === o ? 'selected' : ''}>${esc(o)}</option>`).join('')}</select></label>`;
const input = (name: string, label: string, params: URLSearchParams, value = '', placeholder = '', size = 8) =>
  `<label>${esc(label)} <input name="${name}" value="${esc(params.get(name) ?? value)}" placeholder="${esc(placeholder)}" size="${size}" /></label>`;

/** The request body the form describes (CLI defaults where a field is left empty). */
export function simulateBody(form: HTMLFormElement): Record<string, unknown> {
  const fd = new FormData(form);
  const s = (k: string) => String(fd.get(k) ?? '').trim();
  const body: Record<string, unknown> = {};
  for (const k of ['day', 'detector', 'selection', 'objective', 'consolidation', 'migrationModel', 'memorySource', 'fileOrder']) if (s(k)) body[k] = s(k);
  if (s('param')) body.param = Number(s('param'));
  if (s('seed')) body.seed = Number(s('seed'));
  if (s('vms')) body.vms = Number(s('vms'));
  if (s('scale') && s('scale') !== '1') body.scale = Number(s('scale'));
  if (s('baseline') && s('baseline') !== 'none') body.baseline = s('baseline');
  // the CLI's pricing: each VM's workload class, or one dirty rate at full CPU for every VM
  if (s('dirtyRateAtFullCpu')) Object.assign(body, { pricer: 'one-rate', dirtyRateAtFullCpu: s('dirtyRateAtFullCpu') });
  else body.pricer = 'workload-class';
  return body;
}

export function simulationPage(main: HTMLElement, params: URLSearchParams): void {
  main.innerHTML = `<h2>Simulation of a day</h2>
    <p class="note">CloudSim 3.0.3's power-aware consolidation over a PlanetLab day, as <code>migcost simulate</code> runs it; the full day (800 hosts, 1,052 VMs) takes a few seconds to a minute, <em>VMs</em> makes it smaller.</p>
    <form id="sim-form" class="grid">
      ${input('day', 'day', params, '20110303', 'yyyymmdd', 9)}
      ${select('detector', SIM_DETECTORS, params, 'overload detector')}
      ${input('param', 'param', params, '', `default ${SIM_DETECTOR_DEFAULTS[(params.get('detector') ?? 'thr') as 'thr']}`, 9)}
      ${select('selection', SIM_SELECTIONS, params, 'VM selection (moa, optimal: by predicted cost)')}
      ${select('objective', [...COST_OBJECTIVES.filter((o) => o === 'sla'), ...COST_OBJECTIVES.filter((o) => o !== 'sla')], params, 'what moa / optimal minimise per VM')}
      ${select('consolidation', CONSOLIDATION_ORDERS, params, 'which under-loaded hosts are emptied first')}
      ${select('migrationModel', MIGRATION_MODELS, params, "a migration's duration: CloudSim's RAM / (bw / 2), or migcost's prediction")}
      ${select('memorySource', MEMORY_SOURCES, params)}
      ${select('fileOrder', FILE_ORDERS, params)}
      ${select('baseline', ['none', 'npa', 'dvfs'], params, 'no migrations at all')}
      ${input('scale', 'scale', params, '1', '1..4', 3)}
      ${input('seed', 'seed', params, '1', '', 4)}
      ${input('vms', 'VMs', params, '', 'all', 6)}
      ${input('dirtyRateAtFullCpu', 'dirty rate at full CPU', params, '', 'workload classes', 12)}
      <button type="submit">Simulate</button>
    </form><div id="sim-out"></div>
    <div id="compare"></div>`;
  const form = main.querySelector('#sim-form') as HTMLFormElement;
  const out = main.querySelector('#sim-out') as HTMLElement;
  const detector = form.elements.namedItem('detector') as HTMLSelectElement;
  detector.addEventListener('change', () => ((form.elements.namedItem('param') as HTMLInputElement).placeholder = `default ${SIM_DETECTOR_DEFAULTS[detector.value as 'thr']}`));
  const costAware = () => ((form.elements.namedItem('objective') as HTMLSelectElement).disabled = !['moa', 'optimal'].includes((form.elements.namedItem('selection') as HTMLSelectElement).value));
  (form.elements.namedItem('selection') as HTMLSelectElement).addEventListener('change', costAware);
  costAware();
  const run = async () => {
    out.textContent = 'simulating...';
    const body = simulateBody(form);
    const rate = String(body.dirtyRateAtFullCpu ?? '');
    if (/^\s*[\d.]+\s*$/.test(rate)) {
      out.innerHTML = '<p class="field-error">dirty rate at full CPU: a plain number is not a rate: add the unit, e.g. 20MiB/s</p>';
      return;
    }
    try {
      const s = await post<Sim>('/v1/simulate', body);
      await showRun(out, s, body);
    } catch (e) {
      out.innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  comparePanel(main.querySelector('#compare') as HTMLElement, form, params);
  if (params.get('run') === '1') void run();
}

/** The label the CLI prints above its table. */
export function runLabel(b: Record<string, unknown>, r: SimulationResult): string {
  const cost = r.selection === 'moa' || r.selection === 'optimal' ? ` (${b.objective})` : '';
  return `${b.day} (${b.fileOrder} order${b.scale ? `, x${b.scale}` : ''}), ${r.detector} ${r.detectorParam} / ${r.selection}${cost}, ${r.migrationModel} migrations${b.consolidation === 'cost' ? ', cost-ordered consolidation' : ''}${b.memorySource === 'bitbrains' ? ', Bitbrains memory' : ''}${b.baseline ? `, baseline ${b.baseline} (no migrations)` : ''}`;
}

async function showRun(out: HTMLElement, s: Sim, body: Record<string, unknown>): Promise<void> {
  const r = s.result;
  const c = r.migrationCost;
  out.innerHTML = table(['metric', 'value'], [
    ['run', esc(runLabel(body, r))],
    ['hosts / VMs', `${int(r.hosts)} / ${int(r.vms)} (${int(r.vmsFinished)} finished during the day)`],
    ['energy', `<span id="sim-energy">${num(r.energyKWh, 2)}</span> kWh`],
    ['migrations', `<span id="sim-migrations">${int(r.migrations)}</span>`],
    ['SLATAH', pct(r.slatah)],
    ['PDM', pct(r.pdm)],
    ['SLAV', `<span id="sim-slav">${pct(r.slav, 5)}</span>`],
    ['ESV', r.esv.toFixed(5)],
    ['overall SLA violation', pct(r.overallSlaViolation)],
    ['average SLA violation', pct(r.averageSlaViolation)],
    ['host shutdowns', `${int(r.hostShutdowns)} (mean on-time before ${secs(r.meanTimeBeforeShutdownSec)})`],
    ['mean migration time', `${secs(r.meanMigrationTimeSec)} (${r.migrationModel === 'migcost' ? "migcost's predicted time" : "CloudSim's RAM / (bw / 2)"})`],
    ['bytes moved (model)', c ? bytes(c.transferredBytes) : '-'],
    ['total downtime (model)', c ? secs(c.downtimeSec) : '-'],
    ['would not converge', c ? int(c.nonConverged) : '-'],
    ['migration energy (Liu)', c ? `${num(c.energyJoules / 3.6e6, 3)} kWh` : '-'],
    ['wall time', `${s.wallSec.toFixed(1)} s`],
  ], 'sim');
  await chart(chartBox(out, 'chart-day', 'The day: energy, active hosts, migrations started'), timelinePlotSpec([{ run: `${r.detector}-${r.selection}`, timeline: r.timeline }], runLabel(body, r)));
  const tl = s.timeline.map((t) => ({ hour: t.timeSec / 3600, migrations: t.migrations, 'sent (GiB)': t.transferredBytes / 2 ** 30, 'migration energy (kJ)': t.energyJoules / 1000 }));
  await chart(chartBox(out, 'chart-timeline', 'Per scheduling step: migrations, and what they cost by the model'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: tl },
    transform: [{ fold: ['migrations', 'sent (GiB)', 'migration energy (kJ)'], as: ['series', 'value'] }],
    facet: { row: { field: 'series', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: { width: 640, height: 110, mark: { type: 'area', line: true, opacity: 0.4 }, encoding: { x: { field: 'hour', type: 'quantitative', title: 'hour of the day' }, y: { field: 'value', type: 'quantitative', title: null } } },
  });
}
