/** `migcost sweep`: a grid of simulated runs (days x detectors x parameters x policies x ...) on every core, each result stored. */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { DEFAULT_COMPARE_POLICIES } from '../../../sim/compare.js';
import { DEFAULT_PLANETLAB_ARCHIVE, FILE_ORDERS, type FileOrder } from '../../../sim/planetlab-loader.js';
import { DEFAULT_BITBRAINS_DIR } from '../../../sim/bitbrains-loader.js';
import type { SimDetector } from '../../../sim/detectors.js';
import type { MemorySource } from '../../../sim/presets.js';
import { MIGRATION_MODELS, type CostObjective, type MigrationModel } from '../../../sim/types.js';
import { sweepGrid } from '../../../sweep/inputs.js';
import { runSweep, defaultWorkers } from '../../../sweep/sweep.js';
import { sweepRows } from '../../../sweep/rows.js';
import { SweepRunStore } from '../../../store/sweep-runs.js';
import { defaultDbLocation } from '../../../store/location.js';
import { renderSvg } from '../../../plot/svg.js';
import { listArg, numberArg, parsedOption } from '../../options.js';
import { renderSweepTable, sweepPlotSpec } from '../../render/sweep.js';
import { exitWithError } from '../../errors.js';
import { progressReporter } from '../../progress.js';
import { detectorsArg, memorySourcesArg, objectivesArg, policiesArg, seedsArg } from '../simulate/policies.js';

export interface SweepFlags {
  days: string[];
  traces: string;
  traceDir?: string;
  fileOrder: FileOrder;
  scale: number;
  bitbrains: string;
  detectors: SimDetector[];
  params?: string[];
  policies: string[];
  objectives?: CostObjective[];
  seeds: number[];
  memorySource: MemorySource[];
  migrationModel: MigrationModel;
  workers: number;
  db?: string;
  store: boolean;
  svg?: string;
  quiet?: true;
  json?: true;
}

async function sweep(o: SweepFlags): Promise<void> {
  const runs = sweepGrid({ ...o, days: o.days, memorySources: o.memorySource });
  const store = o.store ? await SweepRunStore.open(o.db ?? defaultDbLocation()) : undefined;
  const progress = progressReporter('runs', o.quiet !== true);
  let computed = 0;
  try {
    const results = await runSweep(runs, {
      workers: o.workers,
      ...(store ? { store } : {}),
      onProgress: (done, total, c) => {
        computed = c;
        progress.update(done, total);
      },
    });
    progress.done(`sweep: ${results.length} runs (${computed} run now, ${results.length - computed} from the store)`);
    const rows = sweepRows(results);
    const label = `sweep of ${rows.length} runs, ${o.migrationModel} migrations${store ? `, stored in ${store.location}` : ''}`;
    if (o.svg) writeFileSync(o.svg, await renderSvg(sweepPlotSpec(rows, label)));
    if (o.json) process.stdout.write(`${JSON.stringify({ runs: rows.length, computed, stored: store?.location ?? null, rows })}\n`);
    else process.stdout.write(renderSweepTable(rows, label));
  } finally {
    progress.stop();
    await store?.close();
  }
}

export function sweepCommand(): Command {
  return new Command('sweep')
    .description('simulate a grid of days x detectors x parameters x policies x seeds x memory sources on every core; each run stored (keyed by its inputs) so a stopped sweep resumes')
    .addOption(parsedOption('--days <list>', 'PlanetLab days, comma-separated', listArg, '20110303'))
    .option('--traces <path>', 'PlanetLab archive (.tar.gz) or a folder holding <day>/', DEFAULT_PLANETLAB_ARCHIVE)
    .option('--trace-dir <dir>', 'your own cluster instead: a folder of vms.csv, utilisation.csv and maybe hosts.csv (docs/simulator.md)')
    .addOption(new Option('--file-order <order>', 'VM i gets the i-th trace: archive order or sorted by name').choices(FILE_ORDERS as unknown as string[]).default('tar'))
    .addOption(parsedOption('--scale <n>', 'n x the hosts and n x the VMs (PlanetLab)', numberArg('--scale', { integer: true, min: 1 }), '1'))
    .option('--bitbrains <dir>', 'folder of the Bitbrains Rnd <n>.csv.gz files', DEFAULT_BITBRAINS_DIR)
    .addOption(parsedOption('--detectors <list>', 'overload detectors (thr, iqr, mad, lr, lrr)', detectorsArg, 'thr'))
    .addOption(parsedOption('--params <list>', 'detector parameters: x for every detector or detector=x (default: each detector\'s own)', listArg))
    .addOption(parsedOption('--policies <list>', `selection policies, :objective and +co as simulate --policies (default: all ${DEFAULT_COMPARE_POLICIES.length})`, policiesArg, DEFAULT_COMPARE_POLICIES.join(',')))
    .addOption(parsedOption('--objectives <list>', 'crossed with each moa / optimal policy that names no objective', objectivesArg))
    .addOption(parsedOption('--seeds <list>', 'seeds (rs, Bitbrains draws, --scale jitter)', seedsArg, '1'))
    .addOption(parsedOption('--memory-source <list>', 'VM memory sources: vm-type, bitbrains', memorySourcesArg, 'vm-type'))
    .addOption(new Option('--migration-model <name>', "a migration's duration: CloudSim's or migcost's").choices(MIGRATION_MODELS as unknown as string[]).default('cloudsim'))
    .addOption(parsedOption('--workers <n>', 'worker threads (default: the cores)', numberArg('--workers', { integer: true, min: 1 }), String(defaultWorkers())))
    .option('--db <location>', 'store the runs go to: SQLite file or postgres:// URL (default $MIGCOST_DB or the user data folder)')
    .option('--no-store', 'keep nothing (no resume)')
    .option('--svg <file.svg>', 'write energy against SLAV per run and mean ESV per policy as an SVG')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print JSON')
    .action(async (o: SweepFlags) => {
      try {
        await sweep(o);
      } catch (e) {
        exitWithError(e);
      }
    });
}
