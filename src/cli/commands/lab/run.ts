/** `migcost lab run`: one configuration sampled, predicted, migrated for real and compared. */
import { Command, Option } from 'commander';
import { workloadLabel, workloadParams } from '../../../lab/matrix.js';
import { loadPlatform } from '../../../lab/platform-file.js';
import { labDir } from '../../../lab/lab-dir.js';
import { appendRecord } from '../../../record/load.js';
import { WORKLOADS, techniqueKey, type MigrationConfig, type MigrationRecord, type Workload } from '../../../record/record.js';
import { MULTIFD_COMPRESSIONS, TECHNIQUES, type TechniqueOptions } from '../../../model/types.js';
import { parseTechnique } from '../../../technique-input.js';
import { VARIANTS } from '../../../model/from-sample.js';
import { LIU_ADAPTIVE_DELTA_BYTES_PER_SEC } from '../../../model/index.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError, parseSize } from '../../../units.js';
import { formatBytes, formatSeconds } from '../../render/format.js';
import { checkedNumberArg, durationArg, numberArg, parsedOption, rateArg, sizeArg, throttleProbeArg, THROTTLE_PROBE_HELP } from '../../options.js';
import { comparisonTable, labRunJson } from '../../render/lab-run.js';
import { exitWithError } from '../../errors.js';

export interface LabRunFlags {
  memory: number;
  workload: Workload;
  wss?: number;
  rate?: number;
  pattern?: 'seq' | 'random';
  clients?: number;
  pace?: 'capped' | 'clock';
  phases?: string;
  load?: 'sine' | 'steps';
  period?: number;
  keys?: number;
  horizon?: number;
  throttleProbe: string | boolean;
  bandwidth: number;
  downtimeLimit: number;
  autoConverge?: true;
  timeout: number;
  adaptiveRate?: true;
  delta: number;
  pin?: true;
  driver: 'qmp' | 'libvirt';
  platform?: string;
  variant: string;
  db: string;
  results?: string;
  save: boolean;
  json?: true;
  technique?: string;
  postcopyAfter?: string;
  maxPostcopyBandwidth?: string;
  xbzrleCache?: string;
  multifdChannels?: string;
  multifdCompression?: string;
}

/** The technique settings `lab run` takes: what QEMU is set to (a delta or compression ratio is the model's, not QEMU's). */
export const LAB_TECHNIQUE_FLAGS = ['technique', 'postcopyAfter', 'maxPostcopyBandwidth', 'xbzrleCache', 'multifdChannels', 'multifdCompression'] as const;

/** The technique of `lab run`'s flags (InputError naming the flag); dirty-limit is refused: TCG cannot run it. */
export function labTechnique(o: Partial<Record<(typeof LAB_TECHNIQUE_FLAGS)[number], string>>, autoConverge: boolean): TechniqueOptions | undefined {
  try {
    const t = parseTechnique(o, autoConverge);
    if (t?.name === 'dirty-limit') throw new InputError('--technique', 'dirty-limit', "cannot run in the lab: QEMU needs KVM's dirty ring, TCG has none (predict it instead)");
    return t;
  } catch (e) {
    if (e instanceof InputError && (LAB_TECHNIQUE_FLAGS as readonly string[]).includes(e.field)) {
      throw new InputError(`--${e.field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, e.value, e.rule);
    }
    throw e;
  }
}

/** `2s:write,3s:read`: durations with their phase, as the guest's dirtier reads them. */
const phasesArg = (v: string): string => {
  if (!/^\d+(\.\d+)?s?:(write|read)(,\d+(\.\d+)?s?:(write|read))*$/.test(v)) throw new InputError('--phases', v, 'must be a list of DURATION:write|read, e.g. 2s:write,3s:read');
  return v;
};

/** The lab guest needs at least 64 MiB. */
const guestMemory = (v: string): number => {
  const bytes = parseSize('--memory', v);
  if (bytes < 64 * 2 ** 20) throw new InputError('--memory', v, 'must be at least 64MiB for the lab guest');
  return bytes;
};

export function labRunCommand(): Command {
  return new Command('run')
    .description('run one configuration: sample, predict, migrate for real, compare')
    .addOption(parsedOption('--memory <size>', 'guest memory', guestMemory, '256MiB'))
    .addOption(new Option('--workload <name>', 'guest workload').choices(WORKLOADS as unknown as string[]).default('idle'))
    .addOption(parsedOption('--wss <size>', 'workload working set (dirtier, memtester, stress-ng)', sizeArg('--wss')))
    .addOption(parsedOption('--rate <pages/s>', 'dirtier: pages dirtied per second', checkedNumberArg('--rate', (n) => Number.isFinite(n) && n >= 0, 'must be pages per second >= 0')))
    .addOption(new Option('--pattern <p>', 'dirtier: page order').choices(['seq', 'random']))
    .addOption(parsedOption('--clients <n>', 'dbench / redis clients', numberArg('--clients')))
    .addOption(new Option('--pace <p>', 'dirtier: capped catch-up after a pause (100 ms worth), or paced by the clock (unbounded catch-up)').choices(['capped', 'clock']))
    .addOption(parsedOption('--phases <list>', 'dirtier: a cycle of write and read phases, e.g. 2s:write,3s:read', phasesArg))
    .addOption(new Option('--load <shape>', 'redis-load: the load follows a sine or steps over --period').choices(['sine', 'steps']))
    .addOption(parsedOption('--period <time>', 'redis-load: the period of the load', durationArg('--period')))
    .addOption(parsedOption('--keys <n>', 'redis-load: keys in the keyspace', numberArg('--keys', { min: 1, integer: true })))
    .addOption(parsedOption('--bandwidth <rate>', 'max-bandwidth', rateArg('--bandwidth'), '100MiB/s'))
    .addOption(parsedOption('--downtime-limit <time>', 'downtime-limit', durationArg('--downtime-limit'), '300ms'))
    .option('--auto-converge', 'enable auto-converge')
    .addOption(parsedOption('--timeout <time>', 'cancel after', durationArg('--timeout'), '30s'))
    .option('--adaptive-rate', "Liu's adaptive rate: max-bandwidth = dirty rate + delta each round")
    .addOption(parsedOption('--delta <rate>', 'adaptive rate delta', rateArg('--delta'), '100Mbit/s'))
    .addOption(new Option('--driver <name>', "qmp: migcost's own QEMU processes; libvirt: lab domains on two libvirt daemons (MIGCOST_LIBVIRT_SRC/DST/STATE, else scripts/libvirt-test-daemons.sh)").choices(['qmp', 'libvirt']).default('qmp'))
    .addOption(parsedOption('--horizon <time>', 'also sample the VM this long for phases, as `sample --horizon` (e.g. 10s)', durationArg('--horizon')))
    .option('--throttle-probe [percent]', THROTTLE_PROBE_HELP, false)
    .option('--pin', "give the source's vCPU core 0 and put everything else on the other cores (taskset; a separate platform in the records)")
    .option('--platform <file>', 'platform constants (from `migcost lab calibrate`); default: the lab dir\'s platform.json if present')
    .addOption(new Option('--variant <name>', 'variant shown in the table').choices(VARIANTS as unknown as string[]).default('deng-bitmap'))
    .option('--db <file|url>', 'history store: a SQLite file or postgres:// URL', defaultDbLocation())
    .option('--results <file>', 'also append the record to this JSON Lines file')
    .option('--no-save', 'record nothing')
    .option('--json', 'print {predicted, measured, ...} as JSON')
    .addOption(new Option('--technique <name>', 'QEMU technique the migration runs with (docs/techniques.md; dirty-limit cannot run under TCG)').choices(TECHNIQUES.filter((t) => t !== 'dirty-limit') as string[]))
    .option('--postcopy-after <passes|time>', 'postcopy: migrate-start-postcopy after this many passes or this long, e.g. 2 or 30s (default: 1)')
    .option('--max-postcopy-bandwidth <rate>', 'postcopy: max-postcopy-bandwidth (default: unlimited)')
    .option('--xbzrle-cache <size>', 'xbzrle: xbzrle-cache-size, a power of two (default: 64MiB)')
    .option('--multifd-channels <n>', 'multifd: multifd-channels, 1-255 (default: 2)')
    .addOption(new Option('--multifd-compression <name>', 'multifd: multifd-compression (default: none)').choices(MULTIFD_COMPRESSIONS as unknown as string[]))
    .action(async (o: LabRunFlags) => {
      try {
        const technique = labTechnique(o, o.autoConverge === true);
        const cfg: MigrationConfig = {
          memoryBytes: o.memory,
          workload: o.workload,
          params: workloadParams({ wssBytes: o.wss, rate: o.rate, pattern: o.pattern, clients: o.clients, pace: o.pace, phases: o.phases, load: o.load, period: o.period, keys: o.keys }),
          bandwidthBytesPerSec: o.bandwidth,
          downtimeLimitSec: o.downtimeLimit,
          autoConverge: o.autoConverge === true || technique?.name === 'auto-converge',
          timeoutSec: o.timeout,
        };
        if (technique) cfg.technique = technique;
        const platform = loadPlatform(o.platform, labDir(), o.driver);
        const throttleProbe = throttleProbeArg(o.throttleProbe);
        const adaptiveRate = o.adaptiveRate ? { deltaBytesPerSec: o.delta ?? LIU_ADAPTIVE_DELTA_BYTES_PER_SEC, minBytesPerSec: 1 << 20, maxBytesPerSec: cfg.bandwidthBytesPerSec } : undefined;
        // The QEMU driver and the database drivers load only when a run starts.
        const { runLabConfig } = await import('../../../lab/run.js');
        const store = o.save ? await (await import('../../../store/store.js')).openStore(o.db) : undefined;
        let r: MigrationRecord;
        try {
          const log = (l: string) => process.stderr.write(`lab: ${l}\n`);
          if (o.driver === 'libvirt') {
            if (adaptiveRate || o.pin) throw new InputError('--driver', 'libvirt', 'does not take --adaptive-rate or --pin (libvirt drives the migration)');
            if (throttleProbe) throw new InputError('--throttle-probe', String(o.throttleProbe), 'goes with --driver qmp (the libvirt lab driver samples through libvirt)');
            const { runLabConfigLibvirt, labLibvirt } = await import('../../../lab/run-libvirt.js');
            r = await runLabConfigLibvirt(cfg, labLibvirt(), { platform, log });
          } else r = await runLabConfig(cfg, { platform, adaptiveRate, pin: o.pin === true, horizonSec: o.horizon, throttleProbe, log });
          if (store) await store.recordMigration(r);
        } finally {
          await store?.close();
        }
        if (o.save && o.results !== undefined) appendRecord(o.results, r);
        if (o.json) process.stdout.write(`${labRunJson(r, o.variant)}\n`);
        else {
          process.stdout.write(`${workloadLabel(cfg)}, ${formatBytes(cfg.memoryBytes)}, ${formatBytes(cfg.bandwidthBytesPerSec)}/s, limit ${formatSeconds(cfg.downtimeLimitSec)}${cfg.technique ? `, ${techniqueKey(cfg.technique)}` : cfg.autoConverge ? ', auto-converge' : ''}\n`);
          process.stdout.write(`${comparisonTable(r, o.variant)}\n`);
          if (r.measured.error) process.stdout.write(`note: ${r.measured.error}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });
}
