/** Calibration: the fits on the stored history with their residuals, the saved models, and a button to save new ones. */
import { get, post, token } from '../api.js';
import { chart, chartBox } from '../chart.js';
import { emptyState, esc, table } from '../format.js';

interface Fit {
  kind: string;
  params: Record<string, unknown>;
  r2: number | null;
  n: number;
  quantity: string;
  points: { measured: number; fitted: number; residual: number }[];
  version?: number;
}
interface Fits {
  migrations: number;
  fits: Fit[];
  skipped: { kind: string; reason: string }[];
}

export async function calibrationPage(main: HTMLElement): Promise<void> {
  const [fits, { models }] = await Promise.all([get<Fits>('/v1/fits'), get<{ models: { kind: string; version: number; r2: number | null; createdAt: string; params: unknown }[] }>('/v1/models')]);
  if (fits.migrations === 0) {
    main.innerHTML = `<h2>Calibration</h2><p>The fits (platform constants, dirty-rate models) are made on recorded migrations.</p>${emptyState('migrations')}`;
    return;
  }
  main.innerHTML = `<h2>Calibration over ${fits.migrations} stored migrations</h2>
    ${table(['fit', 'n', 'R²', 'parameters'], fits.fits.map((f) => [esc(f.kind), f.n, f.r2 === null ? '-' : f.r2.toFixed(4), `<code>${esc(JSON.stringify(f.params))}</code>`]), 'fits')}
    ${fits.skipped.length ? `<p>skipped: ${fits.skipped.map((s) => `${esc(s.kind)} (${esc(s.reason)})`).join('; ')}</p>` : ''}
    <p><button id="calibrate" ${token() ? '' : 'title="set the token first"'}>Calibrate and save</button> <span id="calibrate-out"></span></p>
    <h3>Saved models</h3>${table(['kind', 'version', 'R²', 'created'], models.map((m) => [esc(m.kind), m.version, m.r2 === null ? '-' : m.r2.toFixed(4), esc(m.createdAt)]), 'models')}`;
  (main.querySelector('#calibrate') as HTMLButtonElement).addEventListener('click', async () => {
    const o = main.querySelector('#calibrate-out') as HTMLElement;
    try {
      const r = await post<Fits>('/v1/calibrate', {});
      o.textContent = `saved ${r.fits.map((f) => `${f.kind} v${f.version}`).join(', ')}`;
    } catch (e) {
      o.innerHTML = `<span class="error">${esc((e as Error).message)}</span>`;
    }
  });
  const points = fits.fits.flatMap((f) => f.points.map((p) => ({ fit: `${f.kind}: ${f.quantity}`, ...p })));
  if (points.length === 0) return;
  await chart(chartBox(main, 'chart-residuals', 'Residuals (measured − fitted) against fitted'), {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: points },
    facet: { column: { field: 'fit', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 260,
      height: 200,
      layer: [
        { mark: { type: 'point', filled: true }, encoding: { x: { field: 'fitted', type: 'quantitative', scale: { zero: false } }, y: { field: 'residual', type: 'quantitative', axis: { format: '.2~e' } }, tooltip: [{ field: 'measured' }, { field: 'fitted' }, { field: 'residual' }] } },
        { mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
      ],
    },
  });
}
