/**
 * A simulated day (POST /v1/simulate, needs the token): the totals, and per scheduling step the migrations
 * and what migcost's model says they cost. (simulateCluster reports energy and active hosts as day totals
 * only, so those are shown as figures, not over the day.)
 */
import { post } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { bytes, esc, table } from '../format.js';

interface Sim {
  result: Record<string, number | string | Record<string, number>>;
  timeline: { step: number; timeSec: number; migrations: number; transferredBytes: number; downtimeSec: number; energyJoules: number }[];
  wallSec: number;
}

export function simulationPage(main: HTMLElement, params: URLSearchParams): void {
  main.innerHTML = `<h2>Simulation of a day</h2>
    <form id="sim-form">
      <label>day <input name="day" value="${esc(params.get('day') ?? '20110303')}" size="9" /></label>
      <label>detector <select name="detector">${['thr', 'iqr', 'mad', 'lr', 'lrr'].map((d) => `<option>${d}</option>`).join('')}</select></label>
      <label>selection <select name="selection">${['mmt', 'mc', 'mu', 'rs'].map((d) => `<option>${d}</option>`).join('')}</select></label>
      <label>VMs (first n traces; empty = all) <input name="vms" value="${esc(params.get('vms') ?? '200')}" size="6" /></label>
      <button type="submit">Simulate</button>
    </form><div id="sim-out"></div>`;
  const form = main.querySelector('#sim-form') as HTMLFormElement;
  const out = main.querySelector('#sim-out') as HTMLElement;
  const run = async () => {
    out.textContent = 'simulating (a few seconds)...';
    const fd = new FormData(form);
    const vms = String(fd.get('vms') ?? '').trim();
    try {
      const s = await post<Sim>('/v1/simulate', { day: fd.get('day'), detector: fd.get('detector'), selection: fd.get('selection'), ...(vms ? { vms: Number(vms) } : {}) });
      const r = s.result as Record<string, number> & { migrationCost?: { transferredBytes: number; energyJoules: number } };
      out.innerHTML = table(['metric', 'value'], [
        ['hosts / VMs', `${r.hosts} / ${r.vms}`],
        ['energy', `<span id="sim-energy">${r.energyKWh.toFixed(2)}</span> kWh`],
        ['migrations', `<span id="sim-migrations">${r.migrations}</span>`],
        ['SLAV', r.slav.toExponential(3)],
        ['host shutdowns', r.hostShutdowns],
        ['bytes moved (model)', r.migrationCost ? bytes(r.migrationCost.transferredBytes) : '-'],
        ['steps', r.steps],
        ['wall time', `${s.wallSec.toFixed(1)} s`],
      ], 'sim');
      const tl = s.timeline.map((t) => ({ hour: t.timeSec / 3600, migrations: t.migrations, 'sent (GiB)': t.transferredBytes / 2 ** 30, 'migration energy (kJ)': t.energyJoules / 1000 }));
      await chart(chartBox(out, 'chart-timeline', 'Per scheduling step: migrations, and what they cost by the model'), {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: tl },
        transform: [{ fold: ['migrations', 'sent (GiB)', 'migration energy (kJ)'], as: ['series', 'value'] }],
        facet: { row: { field: 'series', type: 'nominal', title: null } },
        resolve: { scale: { y: 'independent' } },
        spec: { width: 640, height: 110, mark: { type: 'area', line: true, opacity: 0.4 }, encoding: { x: { field: 'hour', type: 'quantitative', title: 'hour of the day' }, y: { field: 'value', type: 'quantitative', title: null } } },
      });
    } catch (e) {
      out.innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  if (params.get('run') === '1') void run();
}
