import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { simulateCluster } from '../../sim/engine.js';
import { cloudsimPlanetLabPreset, scalePlanetLabTraces, withBitbrainsMemory, CLOUDSIM_HOSTS, MEMORY_SOURCES, PRESETS, type MemorySource, type PlanetLabTrace } from '../../sim/presets.js';
import { SIM_DETECTORS, SIM_DETECTOR_DEFAULTS, type SimDetector } from '../../sim/detectors.js';
import { SIM_SELECTIONS, type SimSelection } from '../../sim/selection.js';
import { predictPricer, workloadClassPricer, DEFAULT_PREDICT_PRICER } from '../../sim/pricer.js';
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE, FILE_ORDERS, type FileOrder } from '../../sim/planetlab-loader.js';
import { loadBitbrainsMemoryMb, DEFAULT_BITBRAINS_DIR } from '../../sim/bitbrains-loader.js';
import { comparePolicies, DEFAULT_COMPARE_POLICIES, type CompareRow } from '../../sim/compare.js';
import { timelinePlotSpec } from '../../sim/timeline-plot.js';
import { renderSvg } from '../../plot/svg.js';
import { CONSOLIDATION_ORDERS, COST_OBJECTIVES, MIGRATION_MODELS, type ConsolidationOrder, type CostObjective, type MigrationModel, type SimulationResult } from '../../sim/types.js';
import { InputError, parseNumber, parseRate, formatBytes, formatSeconds } from '../../units.js';
import { exitWithError } from '../errors.js';
import { progressReporter } from '../progress.js';

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

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : '-');

/** The policy comparison as a table: one row per (day, policy), deltas against that day's MMT. */
export function renderCompareTable(rows: readonly CompareRow[], label: string): string {
  const t = new Table({ head: ['day', 'policy', 'kWh', 'migr.', 'SLATAH', 'PDM', 'ESV', 'ESV vs MMT', 'traffic', 'vs MMT', 'downtime', 'vs MMT'], style: { head: [], border: [] } });
  for (const r of rows) {
    t.push([
      r.day, r.policy, r.energyKWh.toFixed(2), String(r.migrations), pct(r.slatah), pct(r.pdm, 3), r.esv.toExponential(3), signed(r.esvVsMmt),
      Number.isFinite(r.transferredBytes) ? formatBytes(r.transferredBytes) : '-', signed(r.bytesVsMmt),
      Number.isFinite(r.downtimeSec) ? formatSeconds(r.downtimeSec) : '-', signed(r.downtimeVsMmt),
    ]);
  }
  return `${label}\n${t.toString()}\n`;
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
    ['mean migration time', `${formatSeconds(r.meanMigrationTimeSec)} (${r.migrationModel === 'migcost' ? "migcost's predicted time" : "CloudSim's RAM / (bw / 2)"})`],
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

interface Loaded {
  day: string;
  cluster: ReturnType<typeof cloudsimPlanetLabPreset>;
}

function loadCluster(o: Record<string, unknown>, day: string): Loaded {
  if (!/^\d{8}$/.test(day)) throw new InputError('--day', day, 'must be a date as yyyymmdd, e.g. 20110303');
  const order = o.fileOrder as FileOrder;
  let traces: PlanetLabTrace[];
  try {
    traces = loadPlanetLabDay(String(o.traces), day, order);
  } catch (e) {
    throw new InputError('--traces', o.traces, `must hold the traces of day ${day} (${(e as Error).message})`);
  }
  const scale = parseNumber('--scale', o.scale, { integer: true, min: 1 });
  const seed = parseNumber('--seed', o.seed, { integer: true });
  if (scale > 1) traces = scalePlanetLabTraces(traces, scale, seed);
  const cluster = cloudsimPlanetLabPreset(traces, CLOUDSIM_HOSTS * scale);
  if ((o.memorySource as MemorySource) === 'bitbrains') {
    let mem: number[];
    try {
      mem = loadBitbrainsMemoryMb(String(o.bitbrains));
    } catch (e) {
      throw new InputError('--bitbrains', o.bitbrains, `must hold the Bitbrains Rnd <n>.csv.gz files (${(e as Error).message})`);
    }
    cluster.vms = withBitbrainsMemory(cluster.vms, mem, seed);
  }
  return { day, cluster };
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description("simulate a data centre over a day of traces: CloudSim 3.0.3's power-aware consolidation, plus what the migrations cost by migcost's model")
    .addOption(new Option('--preset <name>', 'cluster and workload').choices(PRESETS as unknown as string[]).default('cloudsim-planetlab'))
    .option('--day <yyyymmdd>', 'PlanetLab day', '20110303')
    .option('--days <list>', 'with --compare: PlanetLab days, comma-separated (e.g. 20110303,20110306,20110309,20110322)')
    .option('--traces <path>', 'PlanetLab archive (.tar.gz, read in place) or a folder holding <day>/', DEFAULT_PLANETLAB_ARCHIVE)
    .addOption(new Option('--file-order <order>', "VM i gets the i-th trace: archive order (CloudSim's published runs) or sorted by name").choices(FILE_ORDERS as unknown as string[]).default('tar'))
    .addOption(new Option('--detector <name>', 'overload detector').choices(SIM_DETECTORS as unknown as string[]).default('thr'))
    .option('--param <x>', 'detector parameter (thr 0.8, iqr 1.5, mad 2.5, lr/lrr 1.2 by default)')
    .addOption(new Option('--selection <name>', 'VM selection (moa, optimal: by predicted cost)').choices(SIM_SELECTIONS as unknown as string[]).default('mmt'))
    .addOption(new Option('--objective <name>', 'what moa / optimal minimise per VM').choices(COST_OBJECTIVES as unknown as string[]).default('sla'))
    .addOption(new Option('--consolidation <order>', "which under-loaded hosts are emptied first: CloudSim's least utilised, or the least predicted SLA cost of their migrations per watt (cost)").choices(CONSOLIDATION_ORDERS as unknown as string[]).default('utilisation'))
    .addOption(new Option('--migration-model <name>', "a migration's duration: CloudSim's RAM / (bw / 2), or migcost's prediction (its downtime also counts in PDM)").choices(MIGRATION_MODELS as unknown as string[]).default('cloudsim'))
    .addOption(new Option('--memory-source <src>', "VM memory: CloudSim's VM type, or a Bitbrains VM's mean memory use (drawn by --seed)").choices(MEMORY_SOURCES as unknown as string[]).default('vm-type'))
    .option('--bitbrains <dir>', 'folder of the Bitbrains Rnd <n>.csv.gz files', DEFAULT_BITBRAINS_DIR)
    .option('--scale <n>', 'n x the hosts and n x the VMs (the day replicated with deterministic ±10 % jitter)', '1')
    .option('--seed <n>', 'seed of the random selection (rs), of Bitbrains draws and of --scale jitter', '1')
    .option('--dirty-rate-at-full-cpu <rate>', 'one dirty rate at 100 % CPU for every VM instead of workload classes (cloudsim model only)')
    .option('--no-pricing', "skip pricing migrations with migcost's model (cloudsim model, CloudSim selections only)")
    .option('--compare', 'run every selection policy (mmt, mc, rs, mu, moa and optimal under each objective) and print the table')
    .option('--policies <list>', `with --compare: policies to run, a +co suffix for cost-ordered consolidation (default ${DEFAULT_COMPARE_POLICIES.join(',')})`)
    .option('--plot <file.svg>', 'write energy, active hosts and migrations over the day as an SVG')
    .addOption(new Option('--baseline <name>', 'no migrations: npa (every host at full power) or dvfs (power follows utilisation)').choices(['npa', 'dvfs']))
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, unknown>) => {
      try {
        const detector = o.detector as SimDetector;
        const selection = o.selection as SimSelection;
        const migrationModel = o.migrationModel as MigrationModel;
        const costObjective = o.objective as CostObjective;
        const detectorParam = o.param === undefined ? SIM_DETECTOR_DEFAULTS[detector] : parseNumber('--param', o.param, { min: 0 });
        const seed = parseNumber('--seed', o.seed, { integer: true });
        const progress = progressReporter('steps', o.quiet !== true);
        if (o.compare) {
          const days = String(o.days ?? o.day).split(',').map((d) => d.trim()).filter(Boolean);
          const policies = o.policies === undefined ? DEFAULT_COMPARE_POLICIES : String(o.policies).split(',');
          const rows: CompareRow[] = [];
          const runs: Array<{ run: string; timeline: SimulationResult['timeline'] }> = [];
          let done = 0;
          for (const day of days) {
            const { cluster } = loadCluster(o, day);
            rows.push(
              ...comparePolicies({
                day, cluster, detector, detectorParam, migrationModel, policies, seed,
                onRun: (p, r) => {
                  progress.update(++done, days.length * policies.length);
                  if (day === days[0]) runs.push({ run: p, timeline: r.timeline });
                },
              }),
            );
          }
          progress.done(`simulate --compare: ${done} runs`);
          if (o.plot) writeFileSync(String(o.plot), await renderSvg(timelinePlotSpec(runs, `${days[0]}, ${detector} ${detectorParam}, ${migrationModel} migrations`)));
          if (o.json) process.stdout.write(`${JSON.stringify({ preset: o.preset, detector, detectorParam, migrationModel, rows })}\n`);
          else process.stdout.write(renderCompareTable(rows, `${o.preset}, ${detector} ${detectorParam}, migration model ${migrationModel}`));
          return;
        }
        const day = String(o.day);
        const { cluster } = loadCluster(o, day);
        const order = o.fileOrder as FileOrder;
        let pricer;
        if (o.dirtyRateAtFullCpu !== undefined) pricer = predictPricer({ ...DEFAULT_PREDICT_PRICER, dirtyRateAtFullCpuBytesPerSec: parseRate('--dirty-rate-at-full-cpu', o.dirtyRateAtFullCpu) });
        else if (o.pricing !== false || migrationModel === 'migcost' || selection === 'moa' || selection === 'optimal' || o.consolidation === 'cost') pricer = workloadClassPricer();
        const started = Date.now();
        const result = simulateCluster({
          ...cluster,
          detector,
          detectorParam,
          selection,
          seed,
          pricer,
          migrationModel,
          costObjective,
          consolidationOrder: o.consolidation as ConsolidationOrder,
          ...(o.baseline ? { baseline: o.baseline as 'npa' | 'dvfs' } : {}),
          onStep: (done, total) => progress.update(done, total),
        });
        const wallSec = (Date.now() - started) / 1000;
        progress.done(`simulate: ${result.steps} steps`);
        const label = `${o.preset} ${day} (${order} order${Number(o.scale) > 1 ? `, x${o.scale}` : ''}), ${detector} ${detectorParam} / ${selection}${selection === 'moa' || selection === 'optimal' ? ` (${costObjective})` : ''}, ${migrationModel} migrations${o.consolidation === 'cost' ? ', cost-ordered consolidation' : ''}${o.baseline ? `, baseline ${String(o.baseline)} (no migrations)` : ''}`;
        if (o.plot) writeFileSync(String(o.plot), await renderSvg(timelinePlotSpec([{ run: `${detector}-${selection}`, timeline: result.timeline }], label)));
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ preset: o.preset, day, fileOrder: order, memorySource: o.memorySource, scale: Number(o.scale), ...result, wallSec })}\n`);
          return;
        }
        process.stdout.write(render(result, label));
      } catch (e) {
        exitWithError(e);
      }
    });
}
