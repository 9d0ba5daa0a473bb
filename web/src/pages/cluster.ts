/**
 * A cluster (examples/cluster.json or pasted): each host's CPU and memory demand against its capacity and the
 * thresholds that make it hot, the hot hosts, and the proposed plan from POST /v1/plan.
 */
import example from '../../../examples/cluster.json';
import { post, type Prediction } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { bytes, esc, joules, pct, secs, table } from '../format.js';
import { parseSize } from '../../../src/units.js';

interface Plan {
  moves: { vm: string; from: string; to: string; predicted: Prediction }[];
  total: { transferredBytes: number; downtimeSec: number; totalTimeSec: number; energyJoules: number };
  hotBefore: string[];
  hotAfter: string[];
  /** The thresholds the plan used, when the API reports them (Deng's rule at 100 % otherwise). */
  cpuThreshold?: number;
  memoryThreshold?: number;
}
interface ClusterDoc {
  hosts: { id: string; cpu: number; memory: string | number }[];
  vms: { id: string; host: string; cpu: number; memory: string | number }[];
}

/** One row per host: CPU and memory demand before and after the moves, against capacity x threshold. */
function hostRows(cluster: ClusterDoc, plan: Plan): string {
  const cpuT = plan.cpuThreshold ?? 1;
  const memT = plan.memoryThreshold ?? 1;
  const after = new Map(cluster.vms.map((v) => [v.id, v.host]));
  for (const m of plan.moves) after.set(m.vm, m.to);
  const sum = (h: string, on: (v: ClusterDoc['vms'][number]) => string | undefined, f: (v: ClusterDoc['vms'][number]) => number) => cluster.vms.filter((v) => on(v) === h).reduce((s, v) => s + f(v), 0);
  const mem = (v: ClusterDoc['vms'][number]) => parseSize('memory', v.memory);
  const flag = (over: boolean, text: string) => (over ? `<span class="over">${text}</span>` : text);
  return table(
    ['host', 'CPU demand / capacity (before)', 'memory demand / capacity (before)', 'CPU after', 'memory after', 'hot'],
    cluster.hosts.map((h) => {
      const hMem = parseSize('memory', h.memory);
      const cpu0 = sum(h.id, (v) => v.host, (v) => v.cpu);
      const mem0 = sum(h.id, (v) => v.host, mem);
      const cpu1 = sum(h.id, (v) => after.get(v.id), (v) => v.cpu);
      const mem1 = sum(h.id, (v) => after.get(v.id), mem);
      const hot = plan.hotBefore.includes(h.id) ? (plan.hotAfter.includes(h.id) ? 'yes, still after' : 'yes, before the plan') : 'no';
      return [
        esc(h.id),
        flag(cpu0 > h.cpu * cpuT, `${cpu0} / ${h.cpu} (${pct(cpu0 / h.cpu, 0)})`),
        flag(mem0 > hMem * memT, `${bytes(mem0)} / ${bytes(hMem)} (${pct(mem0 / hMem, 0)})`),
        `${cpu1} (${pct(cpu1 / h.cpu, 0)})`,
        `${bytes(mem1)} (${pct(mem1 / hMem, 0)})`,
        hot,
      ];
    }),
    'hosts',
  );
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
      const hot = plan.hotBefore.length
        ? `<p id="hot-hosts">hot before the plan: <span class="hot">${plan.hotBefore.map(esc).join(', ')}</span>; after it: ${plan.hotAfter.length ? `<span class="hot">${plan.hotAfter.map(esc).join(', ')}</span>` : '<span class="calm">none</span>'}</p>`
        : '<p id="hot-hosts" class="calm">No hot hosts: every host\'s demand is within its thresholds, so nothing needs to move.</p>';
      out.innerHTML = `<h3>Hosts</h3><p id="thresholds">A host is hot when its VMs' CPU demand exceeds <strong>${pct(plan.cpuThreshold ?? 1, 0)}</strong> of its cores or their memory exceeds <strong>${pct(plan.memoryThreshold ?? 1, 0)}</strong> of its memory (Deng's rule).</p>
        ${hostRows(cluster, plan)}${hot}
        <h3>Moves</h3>${plan.moves.length === 0 ? '<p class="calm">No moves needed.</p>' : table(['VM', 'from', 'to', 'time', 'downtime', 'sent', 'converges'], plan.moves.map((m) => [esc(m.vm), esc(m.from), esc(m.to), secs(m.predicted.totalTimeSec), secs(m.predicted.downtimeSec), bytes(m.predicted.transferredBytes), m.predicted.converged ? 'yes' : 'no']), 'moves')}
        ${plan.moves.length ? `<p>total: ${bytes(plan.total.transferredBytes)} sent, ${secs(plan.total.downtimeSec)} downtime, ${joules(plan.total.energyJoules)}</p>` : ''}`;
      const after = new Map(cluster.vms.map((v) => [v.id, v.host]));
      for (const m of plan.moves) after.set(m.vm, m.to);
      const share = (h: ClusterDoc['hosts'][number], on: (v: ClusterDoc['vms'][number]) => string | undefined) => ({
        CPU: cluster.vms.filter((v) => on(v) === h.id).reduce((s, v) => s + v.cpu, 0) / h.cpu,
        memory: cluster.vms.filter((v) => on(v) === h.id).reduce((s, v) => s + parseSize('memory', v.memory), 0) / parseSize('memory', h.memory),
      });
      const limits = { CPU: plan.cpuThreshold ?? 1, memory: plan.memoryThreshold ?? 1 };
      const load = cluster.hosts.flatMap((h) => {
        const b = share(h, (v) => v.host);
        const a = share(h, (v) => after.get(v.id));
        return (['CPU', 'memory'] as const).flatMap((resource) => [
          { host: h.id, resource, when: 'before', share: b[resource], limit: limits[resource] },
          { host: h.id, resource, when: 'after', share: a[resource], limit: limits[resource] },
        ]);
      });
      await chart(chartBox(out, 'chart-hosts', 'Host CPU and memory demand before and after the plan (the line is the threshold)'), {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: load },
        facet: { column: { field: 'resource', type: 'nominal', title: null } },
        spec: {
          width: 300,
          height: 220,
          layer: [
            {
              mark: 'bar',
              encoding: {
                x: { field: 'host', type: 'nominal' },
                xOffset: { field: 'when', sort: ['before', 'after'] },
                y: { field: 'share', type: 'quantitative', title: 'demand / capacity', axis: { format: '%' } },
                color: { field: 'when', type: 'nominal', sort: ['before', 'after'] },
              },
            },
            {
              mark: { type: 'rule', color: '#555', strokeDash: [4, 3] },
              encoding: { y: { field: 'limit', aggregate: 'max', type: 'quantitative' } },
            },
          ],
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
