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
import { runSweep, defaultWorkers, type SweepRunResult } from '../../../sweep/sweep.js';
import { enqueueSweep, waitForSweep } from '../../../sweep/queue.js';
import { runKey, type SweepRun } from '../../../sweep/grid.js';
import type { SimulationResult } from '../../../sim/types.js';
import { InputError } from '../../../units.js';
import { sweepRows } from '../../../sweep/rows.js';
import { SweepRunStore } from '../../../store/sweep-runs.js';
import { defaultDbLocation } from '../../../store/location.js';
import { renderSvg } from '../../../plot/svg.js';
import { durationArg, listArg, numberArg, parsedOption } from '../../options.js';
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
  queue?: string;
  wait?: true;
  jobTimeout: number;
  quiet?: true;
  json?: true;
}

/** The grid's results as stored (after `--queue ... --wait`), in grid order. */
async function storedResults(store: SweepRunStore, runs: readonly SweepRun[], before: Set<string>): Promise<SweepRunResult[]> {
  const keyed = new Map(runs.map((r) => [runKey(r), r]));
  const got = await store.get<SweepRun, SimulationResult>([...keyed.keys()]);
  return [...keyed].map(([key, run]) => ({ run, key, result: got.get(key)!.result, wallSec: got.get(key)!.wallSec, cached: before.has(key) }));
}

/** `--queue`: enqueue the runs not stored; with `--wait`, follow the store until all are and give the results. */
async function queued(o: SweepFlags & { queue: string }, runs: SweepRun[], store: SweepRunStore): Promise<{ results: SweepRunResult[]; computed: number } | undefined> {
  const before = await store.has(runs.map(runKey));
  const { enqueued, stored } = await enqueueSweep(o.queue, runs, store, { jobTimeoutSec: o.jobTimeout });
  process.stderr.write(`sweep: ${enqueued} runs enqueued on ${store.location} (${stored} stored already); start workers with: migcost worker --queue <the same URL>\n`);
  if (!o.wait) {
    if (o.json) process.stdout.write(`${JSON.stringify({ runs: new Set(runs.map(runKey)).size, enqueued, stored: stored, queue: store.location })}\n`);
    return undefined;
  }
  const progress = progressReporter('runs', o.quiet !== true);
  await waitForSweep(store, runs, (done, total) => progress.update(done, total));
  progress.done(`sweep: every run stored`);
  const results = await storedResults(store, runs, before);
  return { results, computed: results.length - before.size };
}

async function sweep(o: SweepFlags): Promise<void> {
  const runs = sweepGrid({ ...o, days: o.days, memorySources: o.memorySource });
  if (o.wait && !o.queue) throw new InputError('--wait', undefined, 'follows a queued sweep: give --queue postgres://... too');
  if (o.queue && !/^postgres(ql)?:\/\//.test(o.queue)) throw new InputError('--queue', o.queue, 'must be a postgres:// URL (the database the jobs and the results go to)');
  const store = o.queue ? await SweepRunStore.open(o.queue) : o.store ? await SweepRunStore.open(o.db ?? defaultDbLocation()) : undefined;
  const progress = progressReporter('runs', o.quiet !== true && !o.queue);
  let computed = 0;
  try {
    let results: SweepRunResult[];
    if (o.queue) {
      const q = await queued({ ...o, queue: o.queue }, runs, store!);
      if (!q) return;
      ({ results, computed } = q);
    } else {
      results = await runSweep(runs, {
        workers: o.workers,
        ...(store ? { store } : {}),
        onProgress: (done, total, c) => {
          computed = c;
          progress.update(done, total);
        },
      });
      progress.done(`sweep: ${results.length} runs (${computed} run now, ${results.length - computed} from the store)`);
    }
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
    .option('--queue <postgres-url>', 'enqueue the runs not stored on this PostgreSQL database (pg-boss) for `migcost worker --queue` on any machine; results land in its sweep_runs')
    .option('--wait', 'with --queue: follow the stored runs with a bar until all are, then print the comparison')
    .addOption(parsedOption('--job-timeout <time>', 'with --queue: a job running longer (or whose worker died) is retried', durationArg('--job-timeout'), '15min'))
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
