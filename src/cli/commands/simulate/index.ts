/** `migcost simulate`: a data centre over a day of traces (CloudSim 3.0.3's power-aware consolidation), or a policy comparison. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { simulateCluster } from '../../../sim/engine.js';
import { MEMORY_SOURCES, PRESETS, type MemorySource } from '../../../sim/presets.js';
import { SIM_DETECTORS, SIM_DETECTOR_DEFAULTS, type SimDetector } from '../../../sim/detectors.js';
import { SIM_SELECTIONS, type SimSelection } from '../../../sim/selection.js';
import { predictPricer, workloadClassPricer, DEFAULT_PREDICT_PRICER } from '../../../sim/pricer.js';
import { DEFAULT_PLANETLAB_ARCHIVE, FILE_ORDERS, type FileOrder } from '../../../sim/planetlab-loader.js';
import { DEFAULT_BITBRAINS_DIR } from '../../../sim/bitbrains-loader.js';
import { DEFAULT_COMPARE_POLICIES, type CompareRow } from '../../../sim/compare.js';
import { sweepGrid } from '../../../sweep/inputs.js';
import { runSweep, defaultWorkers } from '../../../sweep/sweep.js';
import { sweepRows } from '../../../sweep/rows.js';
import { timelinePlotSpec } from '../../../sim/timeline-plot.js';
import { renderSvg } from '../../../plot/svg.js';
import { CONSOLIDATION_ORDERS, COST_OBJECTIVES, MIGRATION_MODELS, type ConsolidationOrder, type CostObjective, type MigrationModel, type SimulationResult } from '../../../sim/types.js';
import { listArg, numberArg, parsedOption, rateArg } from '../../options.js';
import { renderCompareTable, renderSimulation } from '../../render/simulation.js';
import { exitWithError } from '../../errors.js';
import { progressReporter } from '../../progress.js';
import { loadCluster } from '../../../sweep/cluster.js';
import { policiesArg } from './policies.js';

export interface SimulateFlags {
  preset: string;
  day: string;
  days?: string[];
  traces: string;
  traceDir?: string;
  fileOrder: FileOrder;
  detector: SimDetector;
  param?: number;
  selection: SimSelection;
  objective: CostObjective;
  consolidation: ConsolidationOrder;
  migrationModel: MigrationModel;
  memorySource: MemorySource;
  bitbrains: string;
  scale: number;
  seed: number;
  dirtyRateAtFullCpu?: number;
  pricing: boolean;
  compare?: true;
  workers: number;
  policies?: string[];
  plot?: string;
  baseline?: 'npa' | 'dvfs';
  quiet?: true;
  json?: true;
}

/**
 * Every input a run used, echoed in its JSON so the run can be repeated from its output alone: the cluster
 * (preset, traces, file order, memory source, scale, seed), the detector, the selection and what it minimises,
 * the consolidation order, the migration model, how migrations were priced, the baseline.
 */
export function simulateInputs(o: SimulateFlags, detectorParam: number): Record<string, unknown> {
  return {
    preset: o.preset,
    ...(o.traceDir ? { traceDir: o.traceDir } : {}),
    ...(o.compare ? { days: o.days ?? listArg(o.day), policies: o.policies ?? DEFAULT_COMPARE_POLICIES } : { day: o.day }),
    traces: o.traces,
    fileOrder: o.fileOrder,
    memorySource: o.memorySource,
    ...(o.memorySource === 'bitbrains' ? { bitbrains: o.bitbrains } : {}),
    scale: o.scale,
    seed: o.seed,
    detector: o.detector,
    detectorParam,
    ...(o.compare ? {} : { selection: o.selection, objective: o.objective, consolidation: o.consolidation }),
    migrationModel: o.migrationModel,
    pricing: o.dirtyRateAtFullCpu !== undefined ? { dirtyRateAtFullCpuBytesPerSec: o.dirtyRateAtFullCpu } : pricerFor(o) ? 'workload-class' : 'none',
    baseline: o.baseline ?? null,
  };
}

/** How migrations are priced: one dirty rate at full CPU when given, else by workload class when anything needs a price. */
function pricerFor(o: SimulateFlags) {
  if (o.dirtyRateAtFullCpu !== undefined) return predictPricer({ ...DEFAULT_PREDICT_PRICER, dirtyRateAtFullCpuBytesPerSec: o.dirtyRateAtFullCpu });
  if (o.pricing || o.migrationModel === 'migcost' || o.selection === 'moa' || o.selection === 'optimal' || o.consolidation === 'cost') return workloadClassPricer();
  return undefined;
}

/** `--compare`: a sweep of one detector and parameter over the days and policies, not stored; its output as it always was. */
async function compare(o: SimulateFlags, detectorParam: number): Promise<void> {
  const { detector, migrationModel, seed } = o;
  const progress = progressReporter('runs', o.quiet !== true);
  const days = o.days ?? listArg(o.day);
  const policies = o.policies ?? DEFAULT_COMPARE_POLICIES;
  const runs = sweepGrid({ ...o, days, detectors: [detector], params: [String(detectorParam)], policies, seeds: [seed], memorySources: [o.memorySource] });
  const results = await runSweep(runs, { workers: o.workers, onProgress: (done, total) => progress.update(done, total) });
  progress.done(`simulate --compare: ${results.length} runs`);
  const rows: CompareRow[] = sweepRows(results).map(({ detector: _d, detectorParam: _p, seed: _s, memorySource: _m, migrationModel: _mm, key: _k, cached: _c, ...row }) => row);
  const firstDay = results.filter((r) => r.run.day === results[0].run.day).map((r) => ({ run: r.run.policy, timeline: r.result.timeline }));
  if (o.plot) writeFileSync(o.plot, await renderSvg(timelinePlotSpec(firstDay, `${results[0].run.day}, ${detector} ${detectorParam}, ${migrationModel} migrations`)));
  if (o.json) process.stdout.write(`${JSON.stringify({ inputs: simulateInputs(o, detectorParam), preset: o.preset, detector, detectorParam, migrationModel, rows })}\n`);
  else process.stdout.write(renderCompareTable(rows, `${o.traceDir ? `own cluster ${o.traceDir}` : o.preset}, ${detector} ${detectorParam}, migration model ${migrationModel}`));
}

async function simulateDay(o: SimulateFlags, detectorParam: number): Promise<void> {
  const { detector, selection, migrationModel, seed, day } = o;
  const progress = progressReporter('steps', o.quiet !== true);
  const cluster = loadCluster(o, day);
  const started = Date.now();
  const result = simulateCluster({
    ...cluster,
    detector,
    detectorParam,
    selection,
    seed,
    pricer: pricerFor(o),
    migrationModel,
    costObjective: o.objective,
    consolidationOrder: o.consolidation,
    ...(o.baseline ? { baseline: o.baseline } : {}),
    onStep: (done, total) => progress.update(done, total),
  });
  const wallSec = (Date.now() - started) / 1000;
  progress.done(`simulate: ${result.steps} steps`);
  const label = `${o.traceDir ? `own cluster ${o.traceDir}` : `${o.preset} ${day} (${o.fileOrder} order${o.scale > 1 ? `, x${o.scale}` : ''})`}, ${detector} ${detectorParam} / ${selection}${selection === 'moa' || selection === 'optimal' ? ` (${o.objective})` : ''}, ${migrationModel} migrations${o.consolidation === 'cost' ? ', cost-ordered consolidation' : ''}${o.baseline ? `, baseline ${o.baseline} (no migrations)` : ''}`;
  if (o.plot) writeFileSync(o.plot, await renderSvg(timelinePlotSpec([{ run: `${detector}-${selection}`, timeline: result.timeline }], label)));
  if (o.json) process.stdout.write(`${JSON.stringify({ inputs: simulateInputs(o, detectorParam), preset: o.preset, ...(o.traceDir ? { traceDir: o.traceDir } : {}), day, fileOrder: o.fileOrder, memorySource: o.memorySource, scale: o.scale, ...result, wallSec })}\n`);
  else process.stdout.write(renderSimulation(result, label));
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description("simulate a data centre over a day of traces: CloudSim 3.0.3's power-aware consolidation, plus what the migrations cost by migcost's model")
    .addOption(new Option('--preset <name>', 'cluster and workload').choices(PRESETS as unknown as string[]).default('cloudsim-planetlab'))
    .option('--day <yyyymmdd>', 'PlanetLab day', '20110303')
    .addOption(parsedOption('--days <list>', 'with --compare: PlanetLab days, comma-separated (e.g. 20110303,20110306,20110309,20110322)', listArg))
    .option('--traces <path>', 'PlanetLab archive (.tar.gz, read in place) or a folder holding <day>/', DEFAULT_PLANETLAB_ARCHIVE)
    .option('--trace-dir <dir>', 'your own cluster instead of PlanetLab: a folder of vms.csv, utilisation.csv and maybe hosts.csv (docs/simulator.md)')
    .addOption(new Option('--file-order <order>', "VM i gets the i-th trace: archive order (CloudSim's published runs) or sorted by name").choices(FILE_ORDERS as unknown as string[]).default('tar'))
    .addOption(new Option('--detector <name>', 'overload detector').choices(SIM_DETECTORS as unknown as string[]).default('thr'))
    .addOption(parsedOption('--param <x>', 'detector parameter (thr 0.8, iqr 1.5, mad 2.5, lr/lrr 1.2 by default)', numberArg('--param', { min: 0 })))
    .addOption(new Option('--selection <name>', 'VM selection (moa, optimal: by predicted cost)').choices(SIM_SELECTIONS as unknown as string[]).default('mmt'))
    .addOption(new Option('--objective <name>', 'what moa / optimal minimise per VM').choices(COST_OBJECTIVES as unknown as string[]).default('sla'))
    .addOption(new Option('--consolidation <order>', "which under-loaded hosts are emptied first: CloudSim's least utilised, or the least predicted SLA cost of their migrations per watt (cost)").choices(CONSOLIDATION_ORDERS as unknown as string[]).default('utilisation'))
    .addOption(new Option('--migration-model <name>', "a migration's duration: CloudSim's RAM / (bw / 2), or migcost's prediction (its downtime also counts in PDM)").choices(MIGRATION_MODELS as unknown as string[]).default('cloudsim'))
    .addOption(new Option('--memory-source <src>', "VM memory: CloudSim's VM type, or a Bitbrains VM's mean memory use (drawn by --seed)").choices(MEMORY_SOURCES as unknown as string[]).default('vm-type'))
    .option('--bitbrains <dir>', 'folder of the Bitbrains Rnd <n>.csv.gz files', DEFAULT_BITBRAINS_DIR)
    .addOption(parsedOption('--scale <n>', 'n x the hosts and n x the VMs (the day replicated with deterministic ±10 % jitter)', numberArg('--scale', { integer: true, min: 1 }), '1'))
    .addOption(parsedOption('--seed <n>', 'seed of the random selection (rs), of Bitbrains draws and of --scale jitter', numberArg('--seed', { integer: true }), '1'))
    .addOption(parsedOption('--dirty-rate-at-full-cpu <rate>', 'one dirty rate at 100 % CPU for every VM instead of workload classes (cloudsim model only)', rateArg('--dirty-rate-at-full-cpu')))
    .option('--no-pricing', "skip pricing migrations with migcost's model (cloudsim model, CloudSim selections only)")
    .option('--compare', 'run every selection policy (mmt, mc, rs, mu, moa and optimal under each objective) and print the table')
    .addOption(parsedOption('--workers <n>', 'with --compare: worker threads (default: the cores)', numberArg('--workers', { integer: true, min: 1 }), String(defaultWorkers())))
    .addOption(parsedOption('--policies <list>', `with --compare: policies to run, a +co suffix for cost-ordered consolidation (default ${DEFAULT_COMPARE_POLICIES.join(',')})`, policiesArg))
    .option('--plot <file.svg>', 'write energy, active hosts and migrations over the day as an SVG')
    .addOption(new Option('--baseline <name>', 'no migrations: npa (every host at full power) or dvfs (power follows utilisation)').choices(['npa', 'dvfs']))
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print JSON')
    .action(async (o: SimulateFlags) => {
      try {
        const detectorParam = o.param ?? SIM_DETECTOR_DEFAULTS[o.detector];
        await (o.compare ? compare(o, detectorParam) : simulateDay(o, detectorParam));
      } catch (e) {
        exitWithError(e);
      }
    });
}
