/** The VM list, and one VM's migrations: predicted against measured, and the per-round trace. */
import { ApiError, get, type MigrationRecord, type Prediction } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { bytes, emptyState, esc, secs, table } from '../format.js';

export async function vmsPage(main: HTMLElement): Promise<void> {
  const { vms } = await get<{ vms: { id: string; migrations: number }[] }>('/v1/vms');
  if (vms.length === 0) {
    main.innerHTML = `<h2>VMs in the store</h2>${emptyState('VMs')}`;
    return;
  }
  main.innerHTML = `<h2>VMs in the store</h2>${table(['VM', 'migrations'], vms.map((v) => [`<a href="#/vms/${encodeURIComponent(v.id)}">${esc(v.id)}</a>`, v.migrations]), 'vms')}`;
}

/** The prediction to compare with: the plan's (from `execute`), else QEMU's stop rule, else the first variant. */
function pickPrediction(p: Record<string, Prediction>): [string, Prediction] | undefined {
  for (const k of ['plan', 'qemu', 'refined']) if (p[k]) return [k, p[k]];
  const first = Object.entries(p)[0];
  return first;
}

/** One page of a VM's migrations (oldest first) and the cursor of the next, when there is more. */
interface MigrationPage {
  migrations: MigrationRecord[];
  next?: string;
}

export async function vmPage(main: HTMLElement, vmId: string): Promise<void> {
  const pageUrl = (cursor?: string) => `/v1/vms/${encodeURIComponent(vmId)}/migrations${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
  const [first, { samples }] = await Promise.all([
    // a VM the store does not know (404) is shown as one without records
    get<MigrationPage>(pageUrl()).catch((e): MigrationPage => {
      if (e instanceof ApiError && e.status === 404) return { migrations: [] };
      throw e;
    }),
    get<{ samples: { id: string; source: string; sampledAt: string; dirtyRateBytesPerSec: number }[] }>(`/v1/vms/${encodeURIComponent(vmId)}/samples?limit=500`),
  ]);
  if (first.migrations.length === 0 && samples.length === 0) {
    main.innerHTML = `<h2>VM <span id="vm-id">${esc(vmId)}</span>: no migrations</h2>${emptyState(`migrations or samples of ${vmId}`)}`;
    return;
  }
  // The route answers a page at a time: "more" reads the next one and draws the page again with every one read.
  const migrations = [...first.migrations];
  let next = first.next;
  const hash = location.hash;
  const more = async (button: HTMLButtonElement) => {
    button.disabled = true;
    main.dataset.ready = 'false';
    try {
      const p = await get<MigrationPage>(pageUrl(next));
      if (location.hash !== hash) return; // the user went elsewhere meanwhile: that page is drawn instead
      migrations.push(...p.migrations);
      next = p.next;
      await draw(main, vmId, migrations, next, samples, more);
    } catch (e) {
      if (location.hash !== hash) return;
      button.disabled = false;
      button.insertAdjacentHTML('afterend', ` <span class="error">${esc((e as Error).message)}</span>`);
    }
    main.dataset.ready = 'true';
  };
  await draw(main, vmId, migrations, next, samples, more);
}

async function draw(
  main: HTMLElement,
  vmId: string,
  migrations: MigrationRecord[],
  next: string | undefined,
  samples: { sampledAt: string; dirtyRateBytesPerSec: number; source: string }[],
  more: (button: HTMLButtonElement) => Promise<void>,
): Promise<void> {
  const rows = migrations.map((m, i) => {
    const [variant, p] = pickPrediction(m.predicted) ?? ['-', undefined];
    return { i: i + 1, m, variant, p };
  });
  main.innerHTML = `<h2>VM <span id="vm-id">${esc(vmId)}</span>: ${migrations.length}${next ? ' (of more)' : ''} migrations</h2>${table(
    ['#', 'started', 'status', 'predicted by', 'time pred / meas', 'downtime pred / meas', 'sent pred / meas', 'rounds'],
    rows.map(({ i, m, variant, p }) => [i, esc(m.startedAt), esc(m.measured.status), esc(variant), `${p ? secs(p.totalTimeSec) : '-'} / ${secs(m.measured.totalTimeSec)}`, `${p ? secs(p.downtimeSec) : '-'} / ${secs(m.measured.downtimeSec)}`, `${p ? bytes(p.transferredBytes) : '-'} / ${bytes(m.measured.transferredBytes)}`, m.trace.length]),
    'migrations',
  )}${next ? '<p><button id="more-migrations">More migrations</button></p>' : ''}`;
  const button = main.querySelector<HTMLButtonElement>('#more-migrations');
  button?.addEventListener('click', () => void more(button));
  if (samples.length > 0) {
    await chart(chartBox(main, 'chart-samples', `Dirty-rate samples (${samples.length}, by source)`), {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: samples.map((x) => ({ time: x.sampledAt, 'MiB/s': x.dirtyRateBytesPerSec / 2 ** 20, source: x.source })) },
      width: 520,
      height: 160,
      mark: { type: 'line', point: true },
      encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'MiB/s', type: 'quantitative' }, color: { field: 'source', type: 'nominal' } },
    });
  }
  if (migrations.length === 0) return;
  const pm = rows.filter((r) => r.p).flatMap(({ i, p, m }) => [
    { migration: i, quantity: 'total time (s)', predicted: p!.totalTimeSec, measured: m.measured.totalTimeSec },
    { migration: i, quantity: 'downtime (s)', predicted: p!.downtimeSec, measured: m.measured.downtimeSec },
    { migration: i, quantity: 'sent (MiB)', predicted: p!.transferredBytes / 2 ** 20, measured: m.measured.transferredBytes / 2 ** 20 },
  ]);
  await chart(chartBox(main, 'chart-predicted', 'Predicted against measured (the line is y = x)'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: pm },
    facet: { column: { field: 'quantity', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 220,
      height: 200,
      layer: [
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: 'measured', type: 'quantitative' }, y: { field: 'predicted', type: 'quantitative', title: 'predicted' }, tooltip: [{ field: 'migration' }, { field: 'predicted' }, { field: 'measured' }] } },
        { mark: { type: 'line', color: '#999', strokeDash: [4, 4] }, encoding: { x: { field: 'measured', type: 'quantitative' }, y: { field: 'measured', type: 'quantitative', title: 'predicted' } } },
      ],
    },
  });
  const trace = rows.flatMap(({ i, m }) => m.trace.map((t) => ({ migration: `#${i}`, round: t.round, kind: t.kind, sentMiB: t.sentBytes / 2 ** 20, dirtiedMiB: t.dirtiedBytes / 2 ** 20, remainingMiB: t.remainingBytes / 2 ** 20, durationSec: t.durationSec })));
  await chart(chartBox(main, 'chart-trace', 'Per-round trace: bytes sent and dirtied in each round'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: trace },
    transform: [{ fold: ['sentMiB', 'dirtiedMiB'], as: ['series', 'MiB'] }],
    width: 520,
    height: 240,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'round', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'MiB', type: 'quantitative', title: 'MiB' },
      color: { field: 'migration', type: 'nominal' },
      strokeDash: { field: 'series', type: 'nominal' },
      tooltip: [{ field: 'migration' }, { field: 'round' }, { field: 'kind' }, { field: 'series' }, { field: 'MiB', format: '.2f' }, { field: 'durationSec' }],
    },
  });
}
