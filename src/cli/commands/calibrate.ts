import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import Table from 'cli-table3';
import { fitWiredEnergy, fitWws, observedGamma, migrationEnergyFromPower, type FitReport, type PowerSample } from '../../calibrate/fits.js';
import { defaultDbLocation } from '../../store/location.js';

const openStore = async (db: string) => (await import('../../store/store.js')).openStore(db);
import { InputError, parseNumber } from '../../units.js';
import { loadRecords } from './lab.js';
import { exitWithError } from '../errors.js';

/** Reads a small CSV with a header naming `columns` (comma-separated, no quoting): the named cells per row. */
function readCsvColumns(field: string, path: string, columns: string[]): { row: number; cells: Record<string, string> }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(field, path, `cannot be read (${(e as Error).message})`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const at = columns.map((c) => header.indexOf(c));
  if (at.some((i) => i < 0)) throw new InputError(`${field} header`, header.join(','), `must name the columns ${columns.join(' and ')}`);
  return lines.map((l, i) => {
    const cells = l.split(',');
    if (cells.length !== header.length) throw new InputError(`${field} row ${i + 1}`, l, `has ${cells.length} fields, the header has ${header.length}`);
    return { row: i + 1, cells: Object.fromEntries(columns.map((c, k) => [c, cells[at[k]].trim()])) };
  });
}

/** Reads `transferredBytes,energyJoules` pairs (header required). */
export function readEnergyCsv(path: string): { transferredBytes: number; energyJoules: number }[] {
  return readCsvColumns('--energy', path, ['transferredBytes', 'energyJoules']).map(({ row, cells }) => ({
    transferredBytes: parseNumber(`row ${row} transferredBytes`, cells.transferredBytes, { min: 0 }),
    energyJoules: parseNumber(`row ${row} energyJoules`, cells.energyJoules),
  }));
}

/** Reads `timestamp,watts` power samples (timestamp in Unix seconds or ISO 8601), header required. */
export function readPowerCsv(path: string): PowerSample[] {
  return readCsvColumns('power file', path, ['timestamp', 'watts']).map(({ row, cells }) => {
    const raw = cells.timestamp;
    const t = /^[\d.]+$/.test(raw) ? Number(raw) : Date.parse(raw) / 1000;
    if (!Number.isFinite(t)) throw new InputError(`power row ${row} timestamp`, raw, 'must be Unix seconds or an ISO 8601 time');
    return { timestampSec: t, watts: parseNumber(`power row ${row} watts`, cells.watts, { min: 0 }) };
  });
}

function fitTable(name: string, f: FitReport<object>): string {
  const t = new Table({ head: [name, 'value', 'std. error'], style: { head: [], border: [] } });
  for (const [k, v] of Object.entries(f.params)) if (typeof v === 'number') t.push([k, v.toPrecision(6), (f.standardErrors[k] ?? NaN).toPrecision(3)]);
  t.push(['R^2', f.r2.toFixed(4), ''], ['n', String(f.n), '']);
  return t.toString();
}

export function calibrateCommand(): Command {
  return new Command('calibrate')
    .description("fit the papers' models by least squares and keep them in the store")
    .option('--energy <csv>', 'fit E = alpha V + beta from transferredBytes,energyJoules pairs')
    .option('--wws', "fit Liu's working-set coefficients from the stored per-round traces")
    .option('--power <csv>', 'import 1 Hz power samples (timestamp,watts) for --host into the store first')
    .option('--host <name>', 'the host the power samples belong to', 'default')
    .option('--idle-watts <W>', "with --energy-from-power: the host's idle power P0 (Liu eq. 16)")
    .option('--energy-from-power', "fit E = alpha V + beta from the stored migrations and the host's power samples (eq. 16)")
    .option('--db <file|url>', 'history store', defaultDbLocation())
    .option('--svg <file>', 'write a residual plot of the fits made')
    .option('--json', 'print the fits as JSON')
    .action(async (o: Record<string, unknown>) => {
      try {
        const plotted: { name: string; fitted: number[]; residuals: number[] }[] = [];
        if (!o.energy && !o.wws && !o.power && !o.energyFromPower) throw new InputError('calibrate', '', 'needs --energy FILE, --energy-from-power, --power FILE and/or --wws (see `migcost lab calibrate` for the platform constants)');
        const out: Record<string, unknown> = {};
        const store = await openStore(String(o.db));
        try {
          if (o.power) {
            const n = await store.addPowerSamples(String(o.host), readPowerCsv(String(o.power)));
            out.powerSamples = n;
            if (!o.json) process.stdout.write(`imported ${n} power samples for host ${o.host}\n`);
          }
          if (o.energyFromPower) {
            if (o.idleWatts === undefined) throw new InputError('--idle-watts', undefined, 'is required with --energy-from-power (P0 of eq. 16)');
            const idle = parseNumber('--idle-watts', o.idleWatts, { min: 0 });
            const pairs: { transferredBytes: number; energyJoules: number }[] = [];
            for (const r of await store.listMigrations()) {
              if (r.measured.status !== 'completed') continue;
              const start = Date.parse(r.startedAt) / 1000;
              const samples = await store.powerSamples(String(o.host), start - 1, start + r.measured.totalTimeSec + 2);
              try {
                pairs.push({ transferredBytes: r.measured.transferredBytes, energyJoules: migrationEnergyFromPower(samples, start, r.measured.totalTimeSec, idle) });
              } catch {
                /* no power samples cover this migration */
              }
            }
            if (pairs.length < 2) throw new InputError('--energy-from-power', pairs.length, `needs power samples covering at least 2 recorded migrations of host ${o.host}`);
            const f = fitWiredEnergy(pairs);
            const saved = await store.saveModel('wired-energy', f.params, f.r2);
            out.energyFromPower = { ...f, residuals: undefined, fitted: undefined, version: saved.version };
            plotted.push({ name: 'wired energy from power (J)', fitted: f.fitted, residuals: f.residuals });
            if (!o.json) process.stdout.write(`${fitTable(`wired energy from power (${pairs.length} migrations)`, f)}\nstored as wired-energy v${saved.version}\n`);
          }
          if (o.energy) {
            const f = fitWiredEnergy(readEnergyCsv(String(o.energy)));
            const saved = await store.saveModel('wired-energy', f.params, f.r2);
            out.energy = { ...f, residuals: undefined, fitted: undefined, version: saved.version };
            plotted.push({ name: 'wired energy (J)', fitted: f.fitted, residuals: f.residuals });
            if (!o.json) process.stdout.write(`${fitTable('wired energy (J per MiB, J)', f)}\nstored as wired-energy v${saved.version}\n`);
          }
          if (o.wws) {
            const records = await store.listMigrations();
            const obs = records.flatMap((r) =>
              r.trace.filter((t) => t.kind === 'pre-copy' && t.durationSec > 0).map((t) => ({ roundSec: t.durationSec, dirtyRateBytesPerSec: r.sample.dirtyRateBytesPerSec, gamma: observedGamma(t.dirtiedBytes, r.sample.dirtyRateBytesPerSec, t.durationSec) })),
            );
            if (obs.length < 3) throw new InputError('--wws', obs.length, 'needs at least 3 recorded pre-copy rounds (run `migcost lab matrix` first)');
            const f = fitWws(obs);
            const saved = await store.saveModel('wws', f.params, f.r2);
            out.wws = { ...f, residuals: undefined, fitted: undefined, version: saved.version };
            plotted.push({ name: 'working set gamma', fitted: f.fitted, residuals: f.residuals });
            if (!o.json) process.stdout.write(`${fitTable('working set: gamma = aT + bD + c', f)}\nstored as wws v${saved.version}\n`);
          }
        } finally {
          await store.close();
        }
        if (o.svg && plotted.length > 0) {
          const { renderSvg } = await import('../../plot/svg.js');
          const { residualSpec } = await import('../render/plot-specs.js');
          writeFileSync(String(o.svg), await renderSvg(residualSpec(plotted)));
          process.stderr.write(`residual plot written to ${o.svg}\n`);
        }
        if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      } catch (e) {
        exitWithError(e);
      }
    });
}

export function modelsCommand(): Command {
  return new Command('models')
    .description('list the fitted models in the store')
    .option('--db <file|url>', 'history store', defaultDbLocation())
    .option('--json', 'print JSON')
    .action(async (o: Record<string, unknown>) => {
      try {
        const store = await openStore(String(o.db));
        const models = await store.listModels();
        await store.close();
        if (o.json) process.stdout.write(`${JSON.stringify(models)}\n`);
        else {
          const t = new Table({ head: ['kind', 'version', 'R^2', 'created', 'parameters'], style: { head: [], border: [] } });
          for (const m of models) t.push([m.kind, String(m.version), m.r2 === null ? '' : m.r2.toFixed(4), m.createdAt, JSON.stringify(m.params).slice(0, 80)]);
          process.stdout.write(`${t.toString()}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });
}
