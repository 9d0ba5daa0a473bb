import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { simulateCluster } from '../../sim/engine.js';
import { cloudsimPlanetLabPreset, PRESETS } from '../../sim/presets.js';
import { SIM_DETECTORS, SIM_DETECTOR_DEFAULTS, type SimDetector } from '../../sim/detectors.js';
import { SIM_SELECTIONS, type SimSelection } from '../../sim/selection.js';
import { predictPricer, DEFAULT_PREDICT_PRICER } from '../../sim/pricer.js';
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE, FILE_ORDERS, type FileOrder } from '../../sim/planetlab-loader.js';
import type { SimulationResult } from '../../sim/types.js';
import { InputError, parseNumber, parseRate, formatBytes, formatSeconds } from '../../units.js';
import { exitWithError } from '../errors.js';

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

function pct(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)} %`;
}

function render(r: SimulationResult, label: string): string {
  const t = new Table({ head: ['metric', 'value'], style: { head: [], border: [] } });
  t.push(
    ['run', label],
    ['hosts / VMs', `${r.hosts} / ${r.vms} (${r.vmsFinished} finished during the day)`],
    ['energy', `${r.energyKWh.toFixed(2)} kWh`],
    ['migrations', String(r.migrations)],
    ['SLATAH', pct(r.slatah)],
    ['PDM', pct(r.pdm)],
    ['SLAV', pct(r.slav, 5)],
    ['ESV', r.esv.toFixed(5)],
    ['overall SLA violation', pct(r.overallSlaViolation)],
    ['average SLA violation', pct(r.averageSlaViolation)],
    ['host shutdowns', `${r.hostShutdowns} (mean on-time before ${formatSeconds(r.meanTimeBeforeShutdownSec)}, sd ${formatSeconds(r.stdevTimeBeforeShutdownSec)})`],
    ['mean migration time', formatSeconds(r.meanMigrationTimeSec)],
  );
  if (r.migrationCost) {
    const c = r.migrationCost;
    t.push(
      ['bytes moved (model)', formatBytes(c.transferredBytes)],
      ['total downtime (model)', formatSeconds(c.downtimeSec)],
      ['would not converge', String(c.nonConverged)],
      ['migration energy (Liu)', `${(c.energyJoules / 3.6e6).toFixed(3)} kWh (${c.energyJoules.toFixed(0)} J)`],
    );
  }
  const ref = CLOUDSIM_REFERENCE_20110303[`${r.detector}-${r.selection}`];
  let note = '';
  if (ref && label.includes('20110303') && label.includes('tar')) {
    const d = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(2)} %`;
    note = `CloudSim 3.0.3: ${ref.energyKWh} kWh (${d(r.energyKWh, ref.energyKWh)}), ${ref.migrations} migrations (${d(r.migrations, ref.migrations)}), SLAV ${pct(ref.slav, 5)} (${d(r.slav, ref.slav)})\n`;
  }
  return `${t.toString()}\n${note}`;
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description("simulate a data centre over a day of traces: CloudSim 3.0.3's power-aware consolidation, plus what the migrations cost by migcost's model")
    .addOption(new Option('--preset <name>', 'cluster and workload').choices(PRESETS as unknown as string[]).default('cloudsim-planetlab'))
    .option('--day <yyyymmdd>', 'PlanetLab day', '20110303')
    .option('--traces <path>', 'PlanetLab archive (.tar.gz, read in place) or a folder holding <day>/', DEFAULT_PLANETLAB_ARCHIVE)
    .addOption(new Option('--file-order <order>', "VM i gets the i-th trace: archive order (CloudSim's published runs) or sorted by name").choices(FILE_ORDERS as unknown as string[]).default('tar'))
    .addOption(new Option('--detector <name>', 'overload detector').choices(SIM_DETECTORS as unknown as string[]).default('thr'))
    .option('--param <x>', 'detector parameter (thr 0.8, iqr 1.5, mad 2.5, lr/lrr 1.2 by default)')
    .addOption(new Option('--selection <name>', 'VM selection').choices(SIM_SELECTIONS as unknown as string[]).default('mmt'))
    .option('--seed <n>', 'seed of the random selection (rs)', '1')
    .option('--dirty-rate-at-full-cpu <rate>', "placeholder dirty rate of a VM at 100 % CPU for migcost's pricing", `${DEFAULT_PREDICT_PRICER.dirtyRateAtFullCpuBytesPerSec}B/s`)
    .option('--no-pricing', "skip pricing migrations with migcost's model")
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print JSON')
    .action((o: Record<string, unknown>) => {
      try {
        const detector = o.detector as SimDetector;
        const selection = o.selection as SimSelection;
        const day = String(o.day);
        if (!/^\d{8}$/.test(day)) throw new InputError('--day', o.day, 'must be a date as yyyymmdd, e.g. 20110303');
        const detectorParam = o.param === undefined ? SIM_DETECTOR_DEFAULTS[detector] : parseNumber('--param', o.param, { min: 0 });
        const seed = parseNumber('--seed', o.seed, { integer: true });
        const order = o.fileOrder as FileOrder;
        let traces;
        try {
          traces = loadPlanetLabDay(String(o.traces), day, order);
        } catch (e) {
          throw new InputError('--traces', o.traces, `must hold the traces of day ${day} (${(e as Error).message})`);
        }
        const pricer = o.pricing === false ? undefined : predictPricer({ ...DEFAULT_PREDICT_PRICER, dirtyRateAtFullCpuBytesPerSec: parseRate('--dirty-rate-at-full-cpu', o.dirtyRateAtFullCpu) });
        const progress = o.quiet !== true;
        const started = Date.now();
        let lastLine = started;
        const result = simulateCluster({
          ...cloudsimPlanetLabPreset(traces),
          detector,
          detectorParam,
          selection,
          seed,
          pricer,
          onStep: (done, total) => {
            const now = Date.now();
            if (progress && now - lastLine >= 2000) {
              lastLine = now;
              process.stderr.write(`simulate: step ${done}/${total} (${((now - started) / 1000).toFixed(1)} s)\n`);
            }
          },
        });
        const wallSec = (Date.now() - started) / 1000;
        if (progress) process.stderr.write(`simulate: ${result.steps} steps in ${wallSec.toFixed(1)} s\n`);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ preset: o.preset, day, fileOrder: order, ...result, wallSec })}\n`);
          return;
        }
        process.stdout.write(render(result, `${o.preset} ${day} (${order} order), ${detector} ${detectorParam} / ${selection}`));
      } catch (e) {
        exitWithError(e);
      }
    });
}
