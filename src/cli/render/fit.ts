/** A least-squares fit for people: each parameter, its standard error, R^2 and n. */
import Table from 'cli-table3';
import type { FitReport } from '../../calibrate/fits.js';

export function fitTable(name: string, f: FitReport<object>): string {
  const t = new Table({ head: [name, 'value', 'std. error'], style: { head: [], border: [] } });
  for (const [k, v] of Object.entries(f.params)) if (typeof v === 'number') t.push([k, v.toPrecision(6), (f.standardErrors[k] ?? NaN).toPrecision(3)]);
  t.push(['R^2', f.r2.toFixed(4), ''], ['n', String(f.n), '']);
  return t.toString();
}
