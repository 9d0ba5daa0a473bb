/** Simulator results for people: one run's metrics (against CloudSim's printed figures on its day) and the policy comparison. */
import Table from 'cli-table3';
import type { CompareRow } from '../../sim/compare.js';
import type { SimulationResult } from '../../sim/types.js';
import { formatBytes, formatCount, formatNumber, formatPercent, formatSeconds } from './format.js';

/** CloudSim 3.0.3's figures for 20110303 (CLOUDSIM-NOTES.md §7), tar order: kWh, migrations, SLAV (fraction). */
export const CLOUDSIM_REFERENCE_20110303: Readonly<Record<string, { energyKWh: number; migrations: number; slav: number }>> = Object.freeze({
  'thr-mmt': { energyKWh: 198.08, migrations: 27728, slav: 0.0000357 },
  'iqr-mmt': { energyKWh: 193.63, migrations: 27592, slav: 0.0000342 },
  'mad-mmt': { energyKWh: 189.79, migrations: 27781, slav: 0.0000357 },
  'lr-mmt': { energyKWh: 167.83, migrations: 27649, slav: 0.0000432 },
  'lrr-mmt': { energyKWh: 167.83, migrations: 27649, slav: 0.0000432 },
  'lr-mc': { energyKWh: 153.87, migrations: 23351, slav: 0.0000703 },
  'lr-mu': { energyKWh: 180.62, migrations: 30102, slav: 0.0000588 },
  'lr-rs': { energyKWh: 153.7, migrations: 23027, slav: 0.0000734 },
  'thr-mc': { energyKWh: 187.1, migrations: 24770, slav: 0.0000728 },
  'thr-mu': { energyKWh: 212.07, migrations: 31305, slav: 0.0000495 },
  'thr-rs': { energyKWh: 187.78, migrations: 24695, slav: 0.0000732 },
});

const pct = (x: number, digits = 2): string => formatPercent(x, digits);

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : '-');

/** The policy comparison as a table: one row per (day, policy), deltas against that day's MMT. */
export function renderCompareTable(rows: readonly CompareRow[], label: string): string {
  const t = new Table({ head: ['day', 'policy', 'kWh', 'migr.', 'SLATAH', 'PDM', 'ESV', 'ESV vs MMT', 'traffic', 'vs MMT', 'downtime', 'vs MMT'], style: { head: [], border: [] } });
  for (const r of rows) {
    t.push([
      r.day, r.policy, formatNumber(r.energyKWh, 2), formatCount(r.migrations), pct(r.slatah), pct(r.pdm, 3), r.esv.toExponential(3), signed(r.esvVsMmt),
      Number.isFinite(r.transferredBytes) ? formatBytes(r.transferredBytes) : '-', signed(r.bytesVsMmt),
      Number.isFinite(r.downtimeSec) ? formatSeconds(r.downtimeSec) : '-', signed(r.downtimeVsMmt),
    ]);
  }
  return `${label}\n${t.toString()}\n`;
}

/** One run's metrics as a table; on 20110303 in archive order, CloudSim 3.0.3's figures beside them. */
export function renderSimulation(r: SimulationResult, label: string): string {
  const t = new Table({ head: ['metric', 'value'], style: { head: [], border: [] } });
  t.push(
    ['run', label],
    ['hosts / VMs', `${formatCount(r.hosts)} / ${formatCount(r.vms)} (${formatCount(r.vmsFinished)} finished during the day)`],
    ['energy', `${formatNumber(r.energyKWh, 2)} kWh`],
    ['migrations', formatCount(r.migrations)],
    ['SLATAH', pct(r.slatah)],
    ['PDM', pct(r.pdm)],
    ['SLAV', pct(r.slav, 5)],
    ['ESV', r.esv.toFixed(5)],
    ['overall SLA violation', pct(r.overallSlaViolation)],
    ['average SLA violation', pct(r.averageSlaViolation)],
    ['host shutdowns', `${formatCount(r.hostShutdowns)} (mean on-time before ${formatSeconds(r.meanTimeBeforeShutdownSec)}, sd ${formatSeconds(r.stdevTimeBeforeShutdownSec)})`],
    ['mean migration time', `${formatSeconds(r.meanMigrationTimeSec)} (${r.migrationModel === 'migcost' ? "migcost's predicted time" : "CloudSim's RAM / (bw / 2)"})`],
  );
  if (r.migrationCost) {
    const c = r.migrationCost;
    t.push(
      ['bytes moved (model)', formatBytes(c.transferredBytes)],
      ['total downtime (model)', formatSeconds(c.downtimeSec)],
      ['would not converge', formatCount(c.nonConverged)],
      ['migration energy (Liu)', `${formatNumber(c.energyJoules / 3.6e6, 3)} kWh (${formatNumber(c.energyJoules)} J)`],
    );
  }
  const ref = CLOUDSIM_REFERENCE_20110303[`${r.detector}-${r.selection}`];
  let note = '';
  if (ref && label.includes('20110303') && label.includes('tar')) {
    const d = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(2)} %`;
    note = `CloudSim 3.0.3: ${formatNumber(ref.energyKWh, 2)} kWh (${d(r.energyKWh, ref.energyKWh)}), ${formatCount(ref.migrations)} migrations (${d(r.migrations, ref.migrations)}), SLAV ${pct(ref.slav, 5)} (${d(r.slav, ref.slav)})\n`;
  }
  return `${t.toString()}\n${note}`;
}
