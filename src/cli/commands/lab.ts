import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { labMatrix, MATRIX_PRESETS, workloadLabel, type MatrixPreset } from '../../lab/matrix.js';
import { buildLabReport, METRICS } from '../../evaluate/report.js';
import { renderLabReport } from '../render/lab-report.js';
import { predictedVsMeasuredSpec } from '../render/plot-specs.js';
import { hostKey, WORKLOADS, type MigrationConfig, type MigrationRecord, type Workload } from '../../record/record.js';
import { VARIANTS } from '../../model/from-sample.js';
import { loadPlatform } from '../../lab/platform-file.js';
import { crossValidate, crossValidateRefined, fitPlatformFromRecords, recordsForHost, repredict } from '../../evaluate/cross-validate.js';
import { labHost } from '../../lab/host.js';
import { evaluateIntervals } from '../../evaluate/interval-eval.js';
import { decisionSet, decisionReport, DECISION_WORKLOADS, DENG_POLICIES, type TaggedRecord, type DecisionReport } from '../../evaluate/decide.js';
import { defaultDbLocation } from '../../store/location.js';
import type { Store } from '../../store/store.js';
import type { LabRunOptions } from '../../lab/run.js';

// The heavy edges (QEMU driver, database drivers, the plotting library) load only for the commands that use them.
const openStore = async (db: string) => (await import('../../store/store.js')).openStore(db);
const renderSvg = async (...a: Parameters<typeof import('../../plot/svg.js').renderSvg>) => (await import('../../plot/svg.js')).renderSvg(...a);
const runLabConfig = async (c: MigrationConfig, o: LabRunOptions) => (await import('../../lab/run.js')).runLabConfig(c, o);
import { InputError, parseDuration, parseRate, parseSize, formatBytes, formatSeconds } from '../../units.js';
import { LIU_ADAPTIVE_DELTA_BYTES_PER_SEC } from '../../model/index.js';
import { exitWithError } from '../errors.js';
import { progressReporter } from '../progress.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const labDir = () => process.env.MIGCOST_LAB_DIR ?? join(REPO, '.lab');

type Flags = Record<string, unknown>;

/** Lab records from JSON Lines files when named (comma-separated, read in order), else from the store. */
export async function loadRecords(o: { results?: unknown; db?: unknown }): Promise<MigrationRecord[]> {
  if (o.results !== undefined) return String(o.results).split(',').filter((f) => f.trim()).flatMap((f) => readRecords(f.trim()));
  const store = await openStore(o.db === undefined ? defaultDbLocation() : String(o.db));
  try {
    return await store.listMigrations();
  } finally {
    await store.close();
  }
}

export function readRecords(path: string): MigrationRecord[] {
  if (!existsSync(path)) throw new InputError('--results', path, 'does not exist (run `migcost lab run` or `migcost lab matrix` first)');
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as MigrationRecord;
    } catch {
      throw new InputError('--results', `${path}:${i + 1}`, 'is not a JSON line');
    }
  });
}

function saveRecord(path: string, r: MigrationRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(r)}\n`);
}

function configFromFlags(o: Flags): MigrationConfig {
  const workload = String(o.workload ?? 'idle');
  if (!(WORKLOADS as readonly string[]).includes(workload)) throw new InputError('workload', workload, `must be one of ${WORKLOADS.join(', ')}`);
  const params: Record<string, string | number> = {};
  if (o.wss !== undefined) params.wss = `${Math.round(parseSize('wss', o.wss) / 2 ** 20)}M`;
  if (o.rate !== undefined) params.rate = Number(o.rate);
  if (o.pattern !== undefined) params.pattern = String(o.pattern);
  if (o.clients !== undefined) params.clients = Number(o.clients);
  if (params.rate !== undefined && !(Number.isFinite(params.rate) && (params.rate as number) >= 0)) throw new InputError('rate', o.rate, 'must be pages per second >= 0');
  if (params.pattern !== undefined && !['seq', 'random'].includes(params.pattern as string)) throw new InputError('pattern', o.pattern, 'must be seq or random');
  const memoryBytes = parseSize('memory', o.memory ?? '256MiB');
  if (memoryBytes < 64 * 2 ** 20) throw new InputError('memory', o.memory, 'must be at least 64MiB for the lab guest');
  return {
    memoryBytes,
    workload: workload as Workload,
    params,
    bandwidthBytesPerSec: parseRate('bandwidth', o.bandwidth ?? '100MiB/s'),
    downtimeLimitSec: parseDuration('downtimeLimit', o.downtimeLimit ?? '300ms'),
    autoConverge: o.autoConverge === true,
    timeoutSec: parseDuration('timeout', o.timeout ?? '30s'),
  };
}

const FIELDS = ['totalTimeSec', 'downtimeSec', 'transferredBytes', 'rounds', 'converged'] as const;

function comparisonTable(r: MigrationRecord, variant: string): string {
  const t = new Table({ head: ['', `predicted (${variant})`, 'measured'], style: { head: [], border: [] } });
  const p = r.predicted[variant];
  const m = r.measured;
  t.push(
    ['total time', formatSeconds(p.totalTimeSec), formatSeconds(m.totalTimeSec)],
    ['downtime', formatSeconds(p.downtimeSec), m.status === 'completed' ? formatSeconds(m.downtimeSec) : '-'],
    ['sent', formatBytes(p.transferredBytes), formatBytes(m.transferredBytes)],
    ['rounds', String(p.rounds), String(m.rounds)],
    ['converged', p.converged ? 'yes' : 'no', m.status === 'completed' ? 'yes' : `no (${m.status})`],
  );
  return t.toString();
}

function pick(o: object): Record<string, unknown> {
  const src = o as Record<string, unknown>;
  return Object.fromEntries(FIELDS.map((k) => [k, src[k]]).concat([['energyJoules', src.energyJoules ?? null], ['reason', src.reason ?? null]]));
}

export function labCommand(): Command {
  const lab = new Command('lab').description('real QEMU live migrations on this machine, held against the predictions');

  lab
    .command('run')
    .description('run one configuration: sample, predict, migrate for real, compare')
    .option('--memory <size>', 'guest memory', '256MiB')
    .addOption(new Option('--workload <name>', 'guest workload').choices(WORKLOADS as unknown as string[]).default('idle'))
    .option('--wss <size>', 'workload working set (dirtier, memtester, stress-ng)')
    .option('--rate <pages/s>', 'dirtier: pages dirtied per second')
    .addOption(new Option('--pattern <p>', 'dirtier: page order').choices(['seq', 'random']))
    .option('--clients <n>', 'dbench / redis clients')
    .option('--bandwidth <rate>', 'max-bandwidth', '100MiB/s')
    .option('--downtime-limit <time>', 'downtime-limit', '300ms')
    .option('--auto-converge', 'enable auto-converge')
    .option('--timeout <time>', 'cancel after', '30s')
    .option('--adaptive-rate', "Liu's adaptive rate: max-bandwidth = dirty rate + delta each round")
    .option('--delta <rate>', 'adaptive rate delta', '100Mbit/s')
    .option('--pin', "give the source's vCPU core 0 and put everything else on the other cores (taskset; a separate platform in the records)")
    .option('--platform <file>', 'platform constants (from `migcost lab calibrate`); default: the lab dir\'s platform.json if present')
    .addOption(new Option('--variant <name>', 'variant shown in the table').choices(VARIANTS as unknown as string[]).default('deng-bitmap'))
    .option('--db <file|url>', 'history store: a SQLite file or postgres:// URL', defaultDbLocation())
    .option('--results <file>', 'also append the record to this JSON Lines file')
    .option('--no-save', 'record nothing')
    .option('--json', 'print {predicted, measured, ...} as JSON')
    .action(async (o: Flags) => {
      try {
        const cfg = configFromFlags(o);
        const platform = loadPlatform(o.platform as string | undefined, labDir());
        const adaptiveRate = o.adaptiveRate ? { deltaBytesPerSec: o.delta ? parseRate('delta', o.delta) : LIU_ADAPTIVE_DELTA_BYTES_PER_SEC, minBytesPerSec: 1 << 20, maxBytesPerSec: cfg.bandwidthBytesPerSec } : undefined;
        const store = o.save !== false ? await openStore(String(o.db)) : undefined;
        let r: MigrationRecord;
        try {
          r = await runLabConfig(cfg, { platform, adaptiveRate, pin: o.pin === true, log: (l) => process.stderr.write(`lab: ${l}\n`) });
          if (store) await store.recordMigration(r);
        } finally {
          await store?.close();
        }
        if (o.save !== false && o.results !== undefined) saveRecord(o.results as string, r);
        const variant = o.variant as string;
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ id: r.id, config: r.config, sample: r.sample, predicted: pick(r.predicted[variant]), measured: pick(r.measured), variants: Object.fromEntries(Object.entries(r.predicted).map(([k, v]) => [k, pick(v)])), trace: r.trace })}\n`);
        } else {
          process.stdout.write(`${workloadLabel(cfg)}, ${formatBytes(cfg.memoryBytes)}, ${formatBytes(cfg.bandwidthBytesPerSec)}/s, limit ${formatSeconds(cfg.downtimeLimitSec)}${cfg.autoConverge ? ', auto-converge' : ''}\n`);
          process.stdout.write(`${comparisonTable(r, variant)}\n`);
          if (r.measured.error) process.stdout.write(`note: ${r.measured.error}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });

  lab
    .command('matrix')
    .description('run a matrix of configurations one at a time, appending every record')
    .addOption(new Option('--preset <name>', 'which matrix').choices(MATRIX_PRESETS as unknown as string[]).default('standard'))
    .option('--repeats <n>', 'repeats of the noise-floor configurations', '3')
    .option('--timeout <time>', 'cancel each migration after', '30s')
    .option('--limit <n>', 'run only the first n configurations')
    .option('--skip <n>', 'skip the first n configurations (resume an interrupted matrix)', '0')
    .option('--platform <file>', 'platform constants file')
    .option('--db <file|url>', 'history store: a SQLite file or postgres:// URL', defaultDbLocation())
    .option('--results <file>', 'also append every record to this JSON Lines file')
    .option('--pin', "give the source's vCPU core 0 and put everything else on the other cores (taskset; a separate platform in the records)")
    .action(async (o: Flags) => {
      try {
        let configs = labMatrix(o.preset as MatrixPreset, { timeoutSec: parseDuration('timeout', o.timeout), repeats: Number(o.repeats) });
        const skip = Number(o.skip);
        configs = configs.slice(skip, o.limit !== undefined ? skip + Number(o.limit) : undefined);
        const platform = loadPlatform(o.platform as string | undefined, labDir());
        const store: Store = await openStore(String(o.db));
        const progress = progressReporter('migrations');
        let failed = 0;
        for (let i = 0; i < configs.length; i++) {
          const c = configs[i];
          progress.update(i, configs.length);
          try {
            const r = await runLabConfig(c, { platform, pin: o.pin === true });
            await store.recordMigration(r);
            if (o.results !== undefined) saveRecord(o.results as string, r);
            if (!process.stderr.isTTY) process.stderr.write(`lab: ${i + 1}/${configs.length} ${workloadLabel(c)} ${formatBytes(c.memoryBytes)} -> ${r.measured.status} in ${formatSeconds(r.measured.totalTimeSec)}\n`);
          } catch (e) {
            failed++;
            process.stderr.write(`lab: ${i + 1}/${configs.length} ${workloadLabel(c)}: ${(e as Error).message}\n`);
          }
        }
        await store.close();
        progress.done(`${configs.length - failed} migrations recorded in ${store.location}${failed ? `, ${failed} runs failed to start` : ''}`);
        if (failed) process.exitCode = 1;
      } catch (e) {
        exitWithError(e);
      }
    });

  lab
    .command('report')
    .description('every model variant against the measured migrations: median and p90 error, per workload')
    .option('--db <file|url>', 'history store to read', defaultDbLocation())
    .option('--results <files>', 'read JSON Lines files of records (comma-separated) instead of the store')
    .option('--variant <names>', 'comma-separated variants (default: all)')
    .option('--overall', 'one row per variant, no per-workload rows')
    .option('--svg <file>', 'write a predicted-against-measured plot (deng-bitmap, or the first --variant)')
    .option('--as-recorded', 'use the predictions made before each migration, not re-predictions out of fold')
    .option('--folds <k>', 'cross-validation folds for the platform constants', '5')
    .option('--platform <file>', 'score with these platform constants (a `lab calibrate` file, e.g. fitted on another pass or machine) instead of fitting them out of fold')
    .option('--refined', "history against none: migrations with earlier ones of the same VM, predicted from the fresh sample (base:) and from Liu's refined rate (refined:)")
    .option('--intervals', 'coverage of 10th-90th percentile prediction intervals built from what was known before each run')
    .option('--json', 'print the report as JSON')
    .action(async (o: Flags) => {
      try {
        const raw = await loadRecords(o);
        if (o.platform !== undefined && (o.intervals || o.refined || o.asRecorded)) throw new InputError('--platform', o.platform, 'applies to the plain report, not with --intervals, --refined or --as-recorded');
        if (o.intervals) {
          const ev = evaluateIntervals(raw);
          if (o.json) process.stdout.write(`${JSON.stringify(ev)}\n`);
          else {
            const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)} %`);
            process.stdout.write(`10th-90th percentile intervals on ${ev.n} completed migrations (nominal coverage 80 %):\n`);
            for (const m of ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const) process.stdout.write(`  ${m}: coverage ${pct(ev.coverage[m])}, median width ${pct(ev.medianWidth[m])} of the point\n`);
          }
          return;
        }
        const variants = o.variant ? String(o.variant).split(',') : undefined;
        // By default every record is re-predicted from its own sample with the current models and with
        // platform constants fitted only on other configurations (k-fold), so no constant saw its migration.
        const records = o.refined
          ? crossValidateRefined(raw, variants ?? ['qemu+zero', 'deng-curve', 'deng-bitmap'], Number(o.folds))
          : o.asRecorded
            ? raw
            : o.platform !== undefined
              ? repredict(raw, loadPlatform(String(o.platform), labDir()))
              : crossValidate(raw, Number(o.folds));
        const rep = buildLabReport(records, o.refined ? undefined : variants);
        if (o.json) process.stdout.write(`${JSON.stringify(rep)}\n`);
        else process.stdout.write(`${renderLabReport(rep, { overallOnly: o.overall === true })}\n`);
        if (o.svg) {
          const svg = await renderSvg(predictedVsMeasuredSpec(records, variants?.[0] ?? 'deng-bitmap', METRICS));
          writeFileSync(o.svg as string, svg);
          process.stderr.write(`plot written to ${o.svg}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });

  lab
    .command('calibrate')
    .description("fit the platform constants (setup, resume, stop-and-copy rate, line rate) on recorded migrations")
    .option('--db <file|url>', 'history store to read, and to keep the fitted model in', defaultDbLocation())
    .option('--results <files>', 'read JSON Lines files of records (comma-separated) instead of the store')
    .option('--out <file>', 'where to write them', join(labDir(), 'platform.json'))
    .option('--host <name>', "whose records: 'this' machine's (when it has >= 20 completed, else every machine's), 'all', or a host as records name it (e.g. \"AMD EPYC x2\")", 'this')
    .option('--json', 'print them as JSON')
    .action(async (o: Flags) => {
      try {
        const all = await loadRecords(o);
        const wanted = o.host === 'this' ? hostKey({ host: labHost() }) : String(o.host);
        const { records, scope } = wanted === 'all' ? { records: all, scope: 'all' as const } : recordsForHost(all, wanted);
        if (o.host !== 'this' && o.host !== 'all' && scope === 'all') throw new InputError('host', o.host, `must name a host with >= 20 completed records (hosts: ${[...new Set(all.map(hostKey))].join(', ')})`);
        process.stderr.write(`fitting on ${records.length} records (${scope === 'host' ? `host ${wanted}` : 'every host'})\n`);
        const platform = fitPlatformFromRecords(records);
        const store = await openStore(String(o.db));
        const saved = await store.saveModel('qemu-platform', platform, null);
        await store.close();
        process.stderr.write(`stored as model qemu-platform v${saved.version}\n`);
        writeFileSync(o.out as string, `${JSON.stringify({ fittedAt: new Date().toISOString(), migrations: records.length, host: scope === 'host' ? wanted : 'all', platform }, null, 2)}\n`);
        if (o.json) process.stdout.write(`${JSON.stringify(platform)}\n`);
        else {
          const t = new Table({ head: ['constant', 'value'], style: { head: [], border: [] } });
          if (platform.setupSec !== undefined) t.push(['setup', formatSeconds(platform.setupSec)]);
          if (platform.resumeSec !== undefined) t.push(['resume (fixed part of downtime)', formatSeconds(platform.resumeSec)]);
          if (platform.firstTouchRateBytesPerSec !== undefined) t.push(['stop-and-copy rate, pages never sent', `${formatBytes(platform.firstTouchRateBytesPerSec)}/s`]);
          if (platform.stopCopyRateBytesPerSec !== undefined) t.push(['stop-and-copy rate', `${formatBytes(platform.stopCopyRateBytesPerSec)}/s`]);
          if (platform.lineRateBytesPerSec !== undefined) t.push(['pre-copy line rate', `${formatBytes(platform.lineRateBytesPerSec)}/s`]);
          process.stdout.write(`${t.toString()}\nwritten to ${o.out}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });

  lab
    .command('decide')
    .description("the papers' decision experiments on real migrations: Liu's model-guided against random choice, Deng's MOA against RA and MIA, with the regret against the best choice in hindsight")
    .option('--repeats <n>', 'groups to run (each: 8 VMs, two each of 4 workloads, every one migrated for real)', '3')
    .option('--from <files>', 'evaluate recorded groups from these JSON Lines files (comma-separated) instead of running new ones')
    .option('--results <file>', 'JSON Lines file the records are appended to (and read from)', join(labDir(), 'decide.jsonl'))
    .option('--timeout <time>', 'cancel each migration after', '60s')
    .option('--capacity-share <x>', "Deng: the hot host's CPU capacity as a share of its VMs' demand", '0.7')
    .option('--platform <file>', 'platform constants file (default: the lab dir\'s platform.json if present)')
    .option('--platform-from <files>', "re-predict every VM from its own pre-migration sample with the current model and platform constants fitted on these records (comma-separated JSON Lines, e.g. the standard matrix); default: the predictions recorded before each migration")
    .option('--db <file|url>', 'history store the migrations are also recorded in', defaultDbLocation())
    .option('--no-save', 'record nothing in the store')
    .option('--json', 'print the report as JSON')
    .action(async (o: Flags) => {
      try {
        let platform = loadPlatform(o.platform as string | undefined, labDir());
        let refit: ((rs: TaggedRecord[]) => TaggedRecord[]) | undefined;
        if (o.platformFrom !== undefined) {
          const basis = await loadRecords({ results: o.platformFrom });
          if (basis.length === 0) throw new InputError('--platform-from', o.platformFrom, 'holds no records');
          const fitted = fitPlatformFromRecords(basis);
          platform = { ...platform, ...fitted };
          refit = (rs) => repredict(rs, fitted);
        }
        const share = Number(o.capacityShare);
        if (!(share > 0 && share < 1)) throw new InputError('--capacity-share', o.capacityShare, 'must be a number in (0, 1)');
        let records: TaggedRecord[];
        if (o.from !== undefined) records = (await loadRecords({ results: o.from })) as TaggedRecord[];
        else {
          const repeats = Number(o.repeats);
          if (!(Number.isInteger(repeats) && repeats >= 1)) throw new InputError('--repeats', o.repeats, 'must be an integer >= 1');
          const set = decisionSet({ timeoutSec: parseDuration('timeout', o.timeout) });
          const names = DECISION_WORKLOADS.flatMap((w) => [`${w.name}-256M`, `${w.name}-512M`]);
          const store = o.save !== false ? await openStore(String(o.db)) : undefined;
          const progress = progressReporter('migrations');
          const total = repeats * set.length;
          let failed = 0;
          try {
            for (let g = 0; g < repeats; g++) {
              const group = `${new Date().toISOString()}#${g + 1}`;
              for (let i = 0; i < set.length; i++) {
                progress.update(g * set.length + i, total);
                try {
                  const r: TaggedRecord = { ...(await runLabConfig(set[i], { platform })), experiment: { name: 'decide', group, vm: names[i] } };
                  await store?.recordMigration(r);
                  saveRecord(String(o.results), r);
                  if (!process.stderr.isTTY) process.stderr.write(`decide: group ${g + 1}/${repeats} ${names[i]} -> ${r.measured.status} in ${formatSeconds(r.measured.totalTimeSec)}, ${formatBytes(r.measured.transferredBytes)}\n`);
                } catch (e) {
                  failed++;
                  process.stderr.write(`decide: group ${g + 1} ${names[i]}: ${(e as Error).message}\n`);
                }
              }
            }
          } finally {
            await store?.close();
          }
          progress.done(`${total - failed} migrations recorded in ${o.results}`);
          records = readRecords(String(o.results)) as TaggedRecord[];
        }
        if (refit) records = refit(records);
        const rep = decisionReport(records, { platform, capacityShare: share });
        if (rep.groups === 0) throw new InputError('--from', o.from ?? o.results, 'holds no complete decision group (8 tagged records)');
        if (o.json) process.stdout.write(`${JSON.stringify(rep)}\n`);
        else process.stdout.write(renderDecision(rep));
      } catch (e) {
        exitWithError(e);
      }
    });

  return lab;
}

const pctOf = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The decision report as tables. */
export function renderDecision(rep: DecisionReport): string {
  const liu = new Table({ head: ['group', 'model picks', 'best in hindsight', 'latency', 'downtime', 'traffic', 'energy', 'regret (C)'], style: { head: [], border: [] } });
  for (const g of rep.liu.perGroup) {
    liu.push([g.group, g.modelChoice, g.bestChoice, pctOf(g.reduction.totalTimeSec), pctOf(g.reduction.downtimeSec), pctOf(g.reduction.transferredBytes), pctOf(g.reduction.energyJoules), pctOf(g.regret)]);
  }
  const m = rep.liu.meanReduction;
  liu.push(['mean', `${rep.liu.bestPicked}/${rep.groups} best`, '', pctOf(m.totalTimeSec), pctOf(m.downtimeSec), pctOf(m.transferredBytes), pctOf(m.energyJoules), pctOf(rep.liu.meanRegret)]);
  liu.push(['Liu 2011', '', '', '72.9 %', '93.5 %', '74.5 %', '73.6 %', '']);
  const r = rep.liu.meanRegretBy;
  const regretLine = `regret per figure alone (model's pick against the best pick for that figure, mean): latency ${pctOf(r.totalTimeSec)}, downtime ${pctOf(r.downtimeSec)}, traffic ${pctOf(r.transferredBytes)}, energy ${pctOf(r.energyJoules)}`;
  const deng = new Table({ head: ['group', 'hindsight best', ...DENG_POLICIES.map((p) => `${p} (x MIA, regret)`)], style: { head: [], border: [] } });
  for (const g of rep.deng.perGroup) {
    deng.push([g.group, `${formatBytes(g.best.transferredBytes)} [${g.best.moved.join(' ')}]`, ...DENG_POLICIES.map((p) => `${g.policies[p].normalisedToMia.toFixed(3)}, ${pctOf(g.policies[p].regret)}`)]);
  }
  deng.push(['mean', '', ...DENG_POLICIES.map((p) => `${rep.deng.meanNormalisedToMia[p].toFixed(3)}, ${pctOf(rep.deng.meanRegret[p])}`)]);
  deng.push(['Deng 2013', '', 'MOA 0.774', '', 'MIA 1', 'RA 1.264']);
  return `Liu: pick one VM of 8 to move; model-guided (least predicted C) against a random pick — reduction of the measured figures (energy: Liu's wired model of the measured bytes)\n${liu.toString()}\n${regretLine}\n${rep.liu.pooled ? `regret against the VM best on its mean measured outcome over the ${rep.groups} groups (${rep.liu.pooled.best}): ${pctOf(rep.liu.pooled.meanRegret)}; always picking that VM would score ${pctOf(rep.liu.pooled.bestFixedPerGroupRegret)} per group (the floor the groups' noise sets)\n` : ''}\nDeng: cool a hot host; measured traffic of each policy's VMs normalised to MIA, and regret against the best set in hindsight\n${deng.toString()}\n`;
}

