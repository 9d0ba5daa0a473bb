/**
 * Which technique for this VM: POST /v1/advise over a grid of bandwidths and downtime limits, under the operator's
 * constraints and a platform's completion timeout; the options ranked by the stated cost, the pick first, and why
 * each other option loses (docs/techniques.md). Units as on the command line (`migcost advise`).
 */
import { ApiError, post } from '../api.js';
import { bytes, esc, secs, table } from '../format.js';
import { unitProblem } from './predict.js';

interface AdviseOption {
  label: string;
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  prediction: { totalTimeSec: number; downtimeSec: number; transferredBytes: number; converged: boolean; postcopyBlockedSec?: number; convergenceProbability?: number };
  cost: number;
  feasible: boolean;
  why?: string;
}
interface Advice {
  options: AdviseOption[];
  best: number | null;
  platformTimeoutSec?: number;
  platformOnPrecopy?: string;
  costRule: string;
}

const FIELDS = [
  { name: 'memory', label: 'memory', value: '4GiB', kind: 'size' },
  { name: 'dirtyRate', label: 'dirty rate', value: '200MiB/s', kind: 'rate' },
  { name: 'bandwidths', label: 'bandwidths', value: '1Gbit/s,10Gbit/s', kind: 'rates' },
  { name: 'downtimeLimits', label: 'downtime limits', value: '300ms', kind: 'times' },
  { name: 'maxDowntime', label: 'max downtime', value: '', kind: 'time' },
  { name: 'maxTime', label: 'max time', value: '', kind: 'time' },
] as const;

export function advisePage(main: HTMLElement, params: URLSearchParams): void {
  main.innerHTML = `<h2>Advise a technique</h2>
    <p class="note">Every QEMU technique for one VM over the bandwidths and downtime limits (comma-separated), ranked by cost (<code>migcost advise</code>).</p>
    <form id="advise-form" class="grid">
      ${FIELDS.map((f) => `<label>${esc(f.label)} <input name="${f.name}" value="${esc(params.get(f.name) ?? f.value)}" size="16" /><span class="field-error" data-for="${f.name}"></span></label>`).join('')}
      <label>platform timeouts <select name="platformTimeouts"><option value="">none</option>${['nova', 'kubevirt'].map((p) => `<option ${params.get('platformTimeouts') === p ? 'selected' : ''}>${p}</option>`).join('')}</select></label>
      <label><input type="checkbox" name="allowPostcopy" /> platform may switch to post-copy</label>
      <button type="submit">Advise</button>
    </form>
    <div id="advise-out"></div>`;
  const form = main.querySelector('#advise-form') as HTMLFormElement;
  const out = main.querySelector('#advise-out') as HTMLElement;
  const run = async () => {
    for (const e of main.querySelectorAll('.field-error')) e.textContent = '';
    const fd = new FormData(form);
    const body: Record<string, unknown> = {};
    let refused = false;
    for (const f of FIELDS) {
      const v = String(fd.get(f.name) ?? '').trim();
      if (v === '') continue;
      const kind = f.kind === 'rates' ? 'rate' : f.kind === 'times' ? 'time' : f.kind;
      const problem = v.split(',').map((x) => unitProblem(kind, x.trim())).find(Boolean);
      if (problem) {
        (main.querySelector(`.field-error[data-for="${f.name}"]`) as HTMLElement).textContent = problem;
        refused = true;
      }
      body[f.name] = v;
    }
    const platform = String(fd.get('platformTimeouts') ?? '');
    if (platform) body.platformTimeouts = platform;
    if (fd.get('allowPostcopy') === 'on') body.allowPostcopy = true;
    if (refused) {
      out.innerHTML = '';
      return;
    }
    out.textContent = 'advising...';
    try {
      show(out, await post<Advice>('/v1/advise', body));
    } catch (e) {
      if (e instanceof ApiError && e.body.field) {
        const at = main.querySelector(`.field-error[data-for="${e.body.field.replace(/\[\d+\]$/, '')}"]`);
        if (at) at.textContent = e.body.message ?? e.message;
        out.innerHTML = '';
      } else out.innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  void run();
}

function show(out: HTMLElement, a: Advice): void {
  const best = a.best === null ? undefined : a.options[a.best];
  const rows = a.options.map((o, i) => [
    String(i + 1),
    esc(o.label),
    `${bytes(o.bandwidthBytesPerSec)}/s`,
    secs(o.downtimeLimitSec),
    secs(o.prediction.totalTimeSec),
    o.prediction.convergenceProbability === undefined ? '' : `${(o.prediction.convergenceProbability * 100).toFixed(1)} %`,
    secs(o.prediction.downtimeSec),
    bytes(o.prediction.transferredBytes),
    o.cost.toFixed(1),
    esc(i === a.best ? 'the pick' : (o.why ?? '')),
  ]);
  out.innerHTML = `<p id="advise-best">${best ? `Pick: <strong>${esc(best.label)}</strong> at ${bytes(best.bandwidthBytesPerSec)}/s, limit ${secs(best.downtimeLimitSec)}: ${secs(best.prediction.totalTimeSec)}, downtime ${secs(best.prediction.downtimeSec)}` : 'No option meets the constraints: the cheapest are listed first.'}</p>
    ${a.platformOnPrecopy ? `<p id="advise-platform">${esc(a.platformOnPrecopy)}</p>` : ''}
    <p class="note">${esc(a.costRule)}</p>
    ${table(['#', 'technique', 'bandwidth', 'limit', 'total', 'P(converges)', 'downtime', 'sent', 'cost', 'verdict'], rows, 'advise')}`;
}
