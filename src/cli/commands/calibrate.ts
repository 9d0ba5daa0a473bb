import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import Table from 'cli-table3';
import { fitWiredEnergy, fitWws, observedGamma, type FitReport } from '../../calibrate/fits.js';
import { openStore, defaultDbLocation } from '../../store/store.js';
import { InputError, parseNumber } from '../../units.js';
import { loadRecords } from './lab.js';
import { exitWithError } from '../errors.js';

/** Reads `transferredBytes,energyJoules` pairs (header required). */
export function readEnergyCsv(path: string): { transferredBytes: number; energyJoules: number }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError('--energy', path, `cannot be read (${(e as Error).message})`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const iv = header.indexOf('transferredBytes');
  const ie = header.indexOf('energyJoules');
  if (iv < 0 || ie < 0) throw new InputError('--energy header', header.join(','), 'must name the columns transferredBytes and energyJoules');
  return lines.map((l, i) => {
    const cells = l.split(',');
    if (cells.length !== header.length) throw new InputError(`--energy row ${i + 1}`, l, `has ${cells.length} fields, the header has ${header.length}`);
    return { transferredBytes: parseNumber(`row ${i + 1} transferredBytes`, cells[iv], { min: 0 }), energyJoules: parseNumber(`row ${i + 1} energyJoules`, cells[ie]) };
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
    .option('--db <file|url>', 'history store', defaultDbLocation())
    .option('--json', 'print the fits as JSON')
    .action(async (o: Record<string, unknown>) => {
      try {
        if (!o.energy && !o.wws) throw new InputError('calibrate', '', 'needs --energy FILE and/or --wws (see `migcost lab calibrate` for the platform constants)');
        const out: Record<string, unknown> = {};
        const store = await openStore(String(o.db));
        try {
          if (o.energy) {
            const f = fitWiredEnergy(readEnergyCsv(String(o.energy)));
            const saved = await store.saveModel('wired-energy', f.params, f.r2);
            out.energy = { ...f, residuals: undefined, fitted: undefined, version: saved.version };
            if (!o.json) process.stdout.write(`${fitTable('wired energy (J per MiB, J)', f)}\nstored as wired-energy v${saved.version}\n`);
          }
          if (o.wws) {
            const records = await store.listLabRecords();
            const obs = records.flatMap((r) =>
              r.trace.filter((t) => t.kind === 'pre-copy' && t.durationSec > 0).map((t) => ({ roundSec: t.durationSec, dirtyRateBytesPerSec: r.sample.dirtyRateBytesPerSec, gamma: observedGamma(t.dirtiedBytes, r.sample.dirtyRateBytesPerSec, t.durationSec) })),
            );
            if (obs.length < 3) throw new InputError('--wws', obs.length, 'needs at least 3 recorded pre-copy rounds (run `migcost lab matrix` first)');
            const f = fitWws(obs);
            const saved = await store.saveModel('wws', f.params, f.r2);
            out.wws = { ...f, residuals: undefined, fitted: undefined, version: saved.version };
            if (!o.json) process.stdout.write(`${fitTable('working set: gamma = aT + bD + c', f)}\nstored as wws v${saved.version}\n`);
          }
        } finally {
          await store.close();
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
