/** `migcost calibrate`: the papers' models fitted by least squares on stored or given data, kept in the store. */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { fitWiredEnergy, fitWws, observedGamma, migrationEnergyFromPower } from '../../../calibrate/fits.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError } from '../../../units.js';
import { numberArg, parsedOption } from '../../options.js';
import { fitTable } from '../../render/fit.js';
import { exitWithError } from '../../errors.js';
import { readEnergyCsv, readPowerCsv } from './csv.js';

export interface CalibrateFlags {
  energy?: string;
  wws?: true;
  learn?: true;
  power?: string;
  host: string;
  idleWatts?: number;
  energyFromPower?: true;
  db: string;
  svg?: string;
  json?: true;
}

export function calibrateCommand(): Command {
  return new Command('calibrate')
    .description("fit the papers' models by least squares and keep them in the store")
    .option('--energy <csv>', 'fit E = alpha V + beta from transferredBytes,energyJoules pairs')
    .option('--wws', "fit Liu's working-set coefficients from the stored per-round traces")
    .option('--learn', "fit a learned correction of the analytic model's error on the stored migrations (lab, execute, imported)")
    .option('--power <csv>', 'import 1 Hz power samples (timestamp,watts) for --host into the store first')
    .option('--host <name>', 'the host the power samples belong to', 'default')
    .addOption(parsedOption('--idle-watts <W>', "with --energy-from-power: the host's idle power P0 (Liu eq. 16)", numberArg('--idle-watts', { min: 0 })))
    .option('--energy-from-power', "fit E = alpha V + beta from the stored migrations and the host's power samples (eq. 16)")
    .option('--db <file|url>', 'history store', defaultDbLocation())
    .option('--svg <file>', 'write a residual plot of the fits made')
    .option('--json', 'print the fits as JSON')
    .action(async (o: CalibrateFlags) => {
      try {
        const plotted: { name: string; fitted: number[]; residuals: number[] }[] = [];
        if (!o.energy && !o.wws && !o.power && !o.energyFromPower && !o.learn) throw new InputError('calibrate', '', 'needs --energy FILE, --energy-from-power, --power FILE, --wws and/or --learn (see `migcost lab calibrate` for the platform constants)');
        const out: Record<string, unknown> = {};
        const store = await (await import('../../../store/store.js')).openStore(o.db);
        try {
          if (o.power) {
            const n = await store.addPowerSamples(o.host, readPowerCsv(o.power));
            out.powerSamples = n;
            if (!o.json) process.stdout.write(`imported ${n} power samples for host ${o.host}\n`);
          }
          if (o.energyFromPower) {
            if (o.idleWatts === undefined) throw new InputError('--idle-watts', undefined, 'is required with --energy-from-power (P0 of eq. 16)');
            const idle = o.idleWatts;
            const pairs: { transferredBytes: number; energyJoules: number }[] = [];
            for (const r of await store.listMigrations()) {
              if (r.measured.status !== 'completed') continue;
              const start = Date.parse(r.startedAt) / 1000;
              const samples = await store.powerSamples(o.host, start - 1, start + r.measured.totalTimeSec + 2);
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
            const f = fitWiredEnergy(readEnergyCsv(o.energy));
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
          if (o.learn) {
            const { learnFromStore, learnSummaryText } = await import('./learn.js');
            const s = await learnFromStore(store);
            out.learned = s;
            if (!o.json) process.stdout.write(`${learnSummaryText(s)}\n`);
          }
        } finally {
          await store.close();
        }
        if (o.svg && plotted.length > 0) {
          const { renderSvg } = await import('../../../plot/svg.js');
          const { residualSpec } = await import('../../render/plot-specs.js');
          writeFileSync(o.svg, await renderSvg(residualSpec(plotted)));
          process.stderr.write(`residual plot written to ${o.svg}\n`);
        }
        if (o.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      } catch (e) {
        exitWithError(e);
      }
    });
}
