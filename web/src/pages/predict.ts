/**
 * What if: one migration predicted by POST /v1/predict with its per-round trace. Units are typed as on the
 * command line (`4GiB`, `50MiB/s`, `300ms`); a plain number for a time or a rate is refused here with a hint
 * (the API would read it as seconds or bytes per second).
 */
import { ApiError, post, type RoundTrace } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { bytes, esc, joules, pct, secs, table } from '../format.js';

interface FullPrediction {
  totalTimeSec: number;
  downtimeSec: number;
  transferredBytes: number;
  rounds: number;
  converged: boolean;
  reason: string;
  /** Why it stopped, in words: a downtime over the limit says by how much, a time-out that it is a forced switch-over. */
  verdict?: string;
  energyJoules: number;
  setupSec: number;
  precopySec: number;
  stopCopySec: number;
  stopCopyBytes: number;
  resumeSec: number;
  maxThrottle: number;
  trace: (RoundTrace & { rateBytesPerSec: number; skippedBytes: number; throttle: number })[];
}

/** The form's text fields: name (the API's), label, default, what kind of quantity, a hint. */
const FIELDS = [
  { name: 'memory', label: 'memory', value: '4GiB', kind: 'size', hint: 'e.g. 4GiB, 512MiB' },
  { name: 'dirtyRate', label: 'dirty rate', value: '50MiB/s', kind: 'rate', hint: 'e.g. 50MiB/s' },
  { name: 'bandwidth', label: 'bandwidth', value: '1Gbit/s', kind: 'rate', hint: 'e.g. 1Gbit/s, 100MiB/s' },
  { name: 'downtimeLimit', label: 'downtime limit', value: '300ms', kind: 'time', hint: 'default 300ms' },
  { name: 'timeout', label: 'timeout', value: '', kind: 'time', hint: 'default 600s' },
  { name: 'zeroPageFraction', label: 'zero-page fraction', value: '', kind: 'fraction', hint: '0..1 or 20%' },
] as const;

const PLAIN_NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;
const EXAMPLE = { time: '300ms or 2s', rate: '50MiB/s or 1Gbit/s' } as const;

/** The form's refusal of a value, or undefined: a plain number is no time and no rate. */
export function unitProblem(kind: string, value: string): string | undefined {
  if ((kind === 'time' || kind === 'rate') && PLAIN_NUMBER.test(value)) return `a plain number is not a ${kind === 'time' ? 'time' : 'rate'}: add the unit, e.g. ${EXAMPLE[kind]}`;
  return undefined;
}

export function predictPage(main: HTMLElement, params: URLSearchParams): void {
  main.innerHTML = `<h2>Predict one migration</h2>
    <p class="note">What if a VM were migrated now: QEMU's pre-copy, round by round. Units as on the command line (<code>migcost predict</code>).</p>
    <form id="predict-form" class="grid">
      ${FIELDS.map((f) => `<label>${esc(f.label)} <input name="${f.name}" value="${esc(params.get(f.name) ?? f.value)}" placeholder="${esc(f.hint)}" size="12" /><span class="field-error" data-for="${f.name}"></span></label>`).join('')}
      <label>policy <select name="policy">${['qemu', 'liu', 'xen'].map((p) => `<option ${params.get('policy') === p ? 'selected' : ''}>${p}</option>`).join('')}</select><span class="field-error" data-for="policy"></span></label>
      <label><input type="checkbox" name="autoConverge" ${params.get('autoConverge') === 'true' ? 'checked' : ''} /> auto-converge (qemu)</label>
      <button type="submit">Predict</button>
    </form>
    <div id="predict-out"></div>`;
  const form = main.querySelector('#predict-form') as HTMLFormElement;
  const out = main.querySelector('#predict-out') as HTMLElement;
  const qemuOnly = () => {
    const qemu = (form.elements.namedItem('policy') as HTMLSelectElement).value === 'qemu';
    for (const n of ['downtimeLimit', 'autoConverge']) (form.elements.namedItem(n) as HTMLInputElement).disabled = !qemu;
  };
  (form.elements.namedItem('policy') as HTMLSelectElement).addEventListener('change', qemuOnly);
  qemuOnly();
  const run = async () => {
    for (const e of main.querySelectorAll('.field-error')) e.textContent = '';
    const fd = new FormData(form);
    const body: Record<string, unknown> = { policy: fd.get('policy'), trace: true };
    let refused = false;
    for (const f of FIELDS) {
      const v = String(fd.get(f.name) ?? '').trim();
      if (v === '') continue;
      const problem = unitProblem(f.kind, v);
      if (problem) {
        (main.querySelector(`.field-error[data-for="${f.name}"]`) as HTMLElement).textContent = problem;
        refused = true;
      }
      body[f.name] = v;
    }
    if (fd.get('autoConverge') === 'on') body.autoConverge = true;
    if (refused) {
      out.innerHTML = '';
      return;
    }
    out.textContent = 'predicting...';
    try {
      const p = await post<FullPrediction>('/v1/predict', body);
      await show(out, p, body);
    } catch (e) {
      const field = e instanceof ApiError ? e.body.field : undefined;
      const slot = field ? main.querySelector(`.field-error[data-for="${field}"]`) : null;
      if (slot) {
        slot.textContent = (e as ApiError).body.message ?? (e as Error).message;
        out.innerHTML = '';
      } else out.innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  void run();
}

async function show(out: HTMLElement, p: FullPrediction, body: Record<string, unknown>): Promise<void> {
  const rows: (string | number)[][] = [
    ['policy', esc(`${body.policy}${body.autoConverge ? ' + auto-converge' : ''}`)],
    ['total time', `<span id="p-total">${secs(p.totalTimeSec)}</span>`],
    ['downtime', `<span id="p-downtime">${secs(p.downtimeSec)}</span>`],
    ['transferred', `<span id="p-sent">${bytes(p.transferredBytes)}</span>`],
    ['pre-copy rounds', `<span id="p-rounds">${p.rounds}</span>`],
    ['converged', p.converged ? 'yes' : '<strong>NO</strong>'],
    ['stopped because', esc(p.reason === 'fits-downtime-limit' && p.verdict?.startsWith('switched over when') ? 'switch-over, downtime over the limit' : p.reason === 'timeout' ? 'timeout: forced switch-over' : p.reason)],
    ['energy', joules(p.energyJoules)],
    ['&nbsp;&nbsp;setup', secs(p.setupSec)],
    ['&nbsp;&nbsp;pre-copy', secs(p.precopySec)],
    ['&nbsp;&nbsp;stop-and-copy', `${secs(p.stopCopySec)} (${bytes(p.stopCopyBytes)})`],
    ['&nbsp;&nbsp;resume', secs(p.resumeSec)],
  ];
  if (p.maxThrottle > 0) rows.push(['max throttle', pct(p.maxThrottle, 0)]);
  out.innerHTML = `<div class="side">${table(['metric', 'value'], rows, 'prediction')}<div id="trace-box"></div></div>${p.verdict ? `<p class="note" id="p-verdict">${esc(p.verdict)}</p>` : ''}
    <h3>Per-round trace</h3>${table(['round', 'kind', 'sent', 'duration', 'rate', 'dirtied', 'skipped', 'remaining', 'throttle'], p.trace.map((r) => [r.round, esc(r.kind), bytes(r.sentBytes), secs(r.durationSec), `${bytes(r.rateBytesPerSec)}/s`, bytes(r.dirtiedBytes), bytes(r.skippedBytes), bytes(r.remainingBytes), pct(r.throttle, 0)]), 'trace')}`;
  const values = p.trace.flatMap((r) => [
    { round: r.round, kind: r.kind, series: 'sent', MiB: r.sentBytes / 2 ** 20, sec: r.durationSec },
    { round: r.round, kind: r.kind, series: 'dirtied while sending', MiB: r.dirtiedBytes / 2 ** 20, sec: r.durationSec },
  ]);
  await chart(chartBox(out.querySelector('#trace-box') as HTMLElement, 'chart-predict-trace', 'Bytes sent and dirtied in each round'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values },
    width: 460,
    height: 240,
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'round', type: 'ordinal', title: 'round (the last is the stop-and-copy)' },
      xOffset: { field: 'series', sort: ['sent', 'dirtied while sending'] },
      y: { field: 'MiB', type: 'quantitative', title: 'MiB' },
      color: { field: 'series', type: 'nominal', sort: ['sent', 'dirtied while sending'], legend: { orient: 'top', title: null } },
      tooltip: [{ field: 'round' }, { field: 'kind' }, { field: 'series' }, { field: 'MiB', format: '.1f' }, { field: 'sec', title: 'duration (s)', format: '.3f' }],
    },
  });
}
