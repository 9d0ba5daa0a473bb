/**
 * Policies side by side, as `migcost simulate --compare` runs them: each chosen policy (`moa:traffic`, a `+co`
 * suffix for cost-ordered consolidation) on each chosen day, with the rest of the simulation form as it is,
 * one POST /v1/simulate each; energy, migrations and SLAV plotted per policy, and the table with the
 * differences against MMT.
 */
import { post } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { bytes, esc, int, num, pct, secs, table } from '../format.js';
import { DEFAULT_COMPARE_POLICIES, parsePolicy } from '../../../src/sim/compare.js';
import { simulateBody, type Sim } from './simulation.js';

interface Row {
  day: string;
  policy: string;
  energyKWh: number;
  migrations: number;
  slatah: number;
  pdm: number;
  slav: number;
  esv: number;
  transferredBytes: number;
  downtimeSec: number;
}

const PRESELECTED = ['mmt', 'mc', 'moa:sla-per-mips', 'optimal:sla-per-mips'];
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : '-');

export function comparePanel(box: HTMLElement, form: HTMLFormElement, params: URLSearchParams): void {
  const chosen = params.get('policies')?.split(',') ?? PRESELECTED;
  box.innerHTML = `<h2>Compare policies</h2>
    <p class="note">Each policy below on each day, with the detector, migration model, memory source and the rest of the form above (the selection and objective come from the policy): <code>migcost simulate --compare --policies ... --days ...</code></p>
    <form id="compare-form">
      <fieldset class="policies">${DEFAULT_COMPARE_POLICIES.map((p) => `<label><input type="checkbox" name="policy" value="${esc(p)}" ${chosen.includes(p) ? 'checked' : ''} /> ${esc(p)}</label>`).join('')}</fieldset>
      <label>days <input name="days" value="${esc(params.get('days') ?? '')}" placeholder="the day above; or 20110303,20110306" size="30" /></label>
      <button type="submit">Compare</button> <span id="compare-progress"></span>
    </form><div id="compare-out"></div>`;
  const cform = box.querySelector('#compare-form') as HTMLFormElement;
  const out = box.querySelector('#compare-out') as HTMLElement;
  const progress = box.querySelector('#compare-progress') as HTMLElement;
  const run = async () => {
    const fd = new FormData(cform);
    const policies = fd.getAll('policy').map(String);
    const base = simulateBody(form);
    const days = String(fd.get('days') ?? '').split(',').map((d) => d.trim()).filter(Boolean);
    if (days.length === 0) days.push(String(base.day));
    if (policies.length < 2) {
      out.innerHTML = '<p class="field-error">choose two policies or more</p>';
      return;
    }
    out.innerHTML = '';
    const rows: Row[] = [];
    try {
      for (const day of days) {
        for (const policy of policies) {
          progress.textContent = `running ${policy} on ${day} (${rows.length + 1} of ${days.length * policies.length})...`;
          const { selection, objective, consolidationOrder } = parsePolicy(policy);
          // --compare prices with the workload classes, as the CLI does
          const body = { ...base, day, selection, objective: objective ?? base.objective, consolidation: consolidationOrder ?? 'utilisation', pricer: 'workload-class' };
          delete (body as Record<string, unknown>).dirtyRateAtFullCpu;
          const { result: r } = await post<Sim>('/v1/simulate', body);
          rows.push({ day, policy, energyKWh: r.energyKWh, migrations: r.migrations, slatah: r.slatah, pdm: r.pdm, slav: r.slav, esv: r.esv, transferredBytes: r.migrationCost?.transferredBytes ?? NaN, downtimeSec: r.migrationCost?.downtimeSec ?? NaN });
        }
      }
    } catch (e) {
      progress.textContent = '';
      out.innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
      return;
    }
    progress.textContent = `${rows.length} runs`;
    await show(out, rows);
  };
  cform.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  if (params.get('compare') === '1') void run();
}

async function show(out: HTMLElement, rows: Row[]): Promise<void> {
  const mmt = new Map(rows.filter((r) => r.policy === 'mmt').map((r) => [r.day, r]));
  const vs = (r: Row, k: 'esv' | 'transferredBytes' | 'downtimeSec') => {
    const m = mmt.get(r.day);
    return m ? signed((r[k] - m[k]) / m[k]) : '-';
  };
  out.innerHTML = table(
    ['day', 'policy', 'energy', 'migrations', 'SLATAH', 'PDM', 'SLAV', 'ESV', 'ESV vs MMT', 'traffic', 'vs MMT', 'downtime', 'vs MMT'],
    rows.map((r) => [esc(r.day), esc(r.policy), `${num(r.energyKWh, 2)} kWh`, int(r.migrations), pct(r.slatah), pct(r.pdm, 3), pct(r.slav, 5), r.esv.toExponential(3), vs(r, 'esv'), Number.isFinite(r.transferredBytes) ? bytes(r.transferredBytes) : '-', vs(r, 'transferredBytes'), Number.isFinite(r.downtimeSec) ? secs(r.downtimeSec) : '-', vs(r, 'downtimeSec')]),
    'compare',
  );
  const values = rows.flatMap((r) => [
    { day: r.day, policy: r.policy, metric: 'energy (kWh)', value: r.energyKWh },
    { day: r.day, policy: r.policy, metric: 'migrations', value: r.migrations },
    { day: r.day, policy: r.policy, metric: 'SLAV (%)', value: r.slav * 100 },
  ]);
  const policies = [...new Set(rows.map((r) => r.policy))];
  await chart(chartBox(out, 'chart-compare', 'Policies side by side: energy, migrations, SLAV'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['energy (kWh)', 'migrations', 'SLAV (%)'] } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 240,
      height: 220,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'policy', type: 'nominal', sort: policies, title: null, axis: { labelAngle: -40 } },
        xOffset: { field: 'day', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'day', type: 'nominal', legend: { orient: 'top' } },
        tooltip: [{ field: 'day' }, { field: 'policy' }, { field: 'metric' }, { field: 'value', format: '.5~g' }],
      },
    },
  });
}
