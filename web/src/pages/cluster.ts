/** A cluster (examples/cluster.json or pasted): hot hosts and the proposed plan from POST /v1/plan. */
import example from '../../../examples/cluster.json';
import { post, type Prediction } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { bytes, esc, secs, table } from '../format.js';

interface Plan {
  moves: { vm: string; from: string; to: string; predicted: Prediction }[];
  total: { transferredBytes: number; downtimeSec: number; totalTimeSec: number; energyJoules: number };
  hotBefore: string[];
  hotAfter: string[];
}
interface ClusterDoc {
  hosts: { id: string; cpu: number }[];
  vms: { id: string; host: string; cpu: number }[];
}

export function clusterPage(main: HTMLElement): void {
  main.innerHTML = `<h2>Cluster plan</h2>
    <form id="plan-form">
      <label>policy <select name="policy">${['moa', 'optimal', 'mia', 'ra', 'mmt', 'mu'].map((p) => `<option>${p}</option>`).join('')}</select></label>
      <label>objective <select name="objective">${['traffic', 'downtime', 'cost'].map((p) => `<option>${p}</option>`).join('')}</select></label>
      <button type="submit">Plan</button>
    </form>
    <p><textarea id="cluster-json" spellcheck="false"></textarea></p>
    <div id="plan-out"></div>`;
  const ta = main.querySelector('#cluster-json') as HTMLTextAreaElement;
  ta.value = JSON.stringify(example, null, 2);
  const form = main.querySelector('#plan-form') as HTMLFormElement;
  const out = main.querySelector('#plan-out') as HTMLElement;
  const run = async () => {
    out.innerHTML = 'planning...';
    try {
      const cluster = JSON.parse(ta.value) as ClusterDoc;
      const fd = new FormData(form);
      const plan = await post<Plan>('/v1/plan', { cluster, policy: fd.get('policy'), objective: fd.get('objective') });
      out.innerHTML = `<h3>Hot hosts</h3><p id="hot-hosts">before: <span class="hot">${plan.hotBefore.map(esc).join(', ') || 'none'}</span>; after the plan: ${plan.hotAfter.map(esc).join(', ') || 'none'}</p>
        <h3>Moves</h3>${table(['VM', 'from', 'to', 'time', 'downtime', 'sent', 'converges'], plan.moves.map((m) => [esc(m.vm), esc(m.from), esc(m.to), secs(m.predicted.totalTimeSec), secs(m.predicted.downtimeSec), bytes(m.predicted.transferredBytes), m.predicted.converged ? 'yes' : 'no']), 'moves')}
        <p>total: ${bytes(plan.total.transferredBytes)} sent, ${secs(plan.total.downtimeSec)} downtime, ${(plan.total.energyJoules / 1000).toFixed(1)} kJ</p>`;
      const after = new Map(cluster.vms.map((v) => [v.id, v.host]));
      for (const m of plan.moves) after.set(m.vm, m.to);
      const load = cluster.hosts.flatMap((h) => [
        { host: h.id, when: 'before', cpu: cluster.vms.filter((v) => v.host === h.id).reduce((s, v) => s + v.cpu, 0) / h.cpu },
        { host: h.id, when: 'after', cpu: cluster.vms.filter((v) => after.get(v.id) === h.id).reduce((s, v) => s + v.cpu, 0) / h.cpu },
      ]);
      await chart(chartBox(out, 'chart-hosts', 'Host CPU load before and after the plan'), {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: load },
        width: 360,
        height: 220,
        mark: 'bar',
        encoding: {
          x: { field: 'host', type: 'nominal' },
          xOffset: { field: 'when', sort: ['before', 'after'] },
          y: { field: 'cpu', type: 'quantitative', title: 'CPU demand / capacity', axis: { format: '%' } },
          color: { field: 'when', type: 'nominal', sort: ['before', 'after'] },
        },
      });
    } catch (e) {
      out.innerHTML = `<p class="error">${esc((e as Error).message)}</p>`;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  void run();
}
