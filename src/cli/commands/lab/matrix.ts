/** `migcost lab matrix`: a preset matrix of configurations run one at a time, every record kept. */
import { Command, Option } from 'commander';
import { HELDOUT_HORIZON_SEC, labMatrix, MATRIX_PRESETS, workloadLabel, type MatrixPreset } from '../../../lab/matrix.js';
import { loadPlatform } from '../../../lab/platform-file.js';
import { labDir } from '../../../lab/lab-dir.js';
import { runAndRecord } from '../../../lab/run-many.js';
import { techniqueKey } from '../../../record/record.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError } from '../../../units.js';
import { formatBytes, formatSeconds } from '../../render/format.js';
import { durationArg, numberArg, parsedOption, throttleProbeArg, THROTTLE_PROBE_HELP } from '../../options.js';
import { exitWithError } from '../../errors.js';
import { progressReporter } from '../../progress.js';

export interface LabMatrixFlags {
  preset: MatrixPreset;
  repeats?: number;
  timeout: number;
  limit?: number;
  skip: number;
  platform?: string;
  db: string;
  results?: string;
  pin?: true;
  horizon?: number;
  throttleProbe: string | boolean;
  driver: 'qmp' | 'libvirt';
}

export function labMatrixCommand(): Command {
  return new Command('matrix')
    .description('run a matrix of configurations one at a time, appending every record')
    .addOption(new Option('--preset <name>', 'which matrix').choices(MATRIX_PRESETS as unknown as string[]).default('standard'))
    .addOption(parsedOption('--repeats <n>', 'standard: runs of each noise-floor configuration (default 3); heldout: runs of every configuration (default 2, at least 2); techniques-groups: rounds of every group (default 2); postcopy: rounds of every configuration (default 2)', numberArg('--repeats', { min: 0, integer: true })))
    .addOption(parsedOption('--timeout <time>', 'cancel each migration after (a post-copy migration that has switched cannot be cancelled: it runs to its end)', durationArg('--timeout'), '30s'))
    .addOption(parsedOption('--limit <n>', 'run only the first n configurations', numberArg('--limit', { min: 0, integer: true })))
    .addOption(parsedOption('--skip <n>', 'skip the first n configurations (resume an interrupted matrix)', numberArg('--skip', { min: 0, integer: true }), '0'))
    .addOption(parsedOption('--horizon <time>', `also sample each VM this long for phases, as \`sample --horizon\` (default ${HELDOUT_HORIZON_SEC}s for heldout and techniques-groups, none otherwise; 0s: none)`, durationArg('--horizon')))
    .option('--throttle-probe [percent]', THROTTLE_PROBE_HELP, false)
    .option('--platform <file>', 'platform constants file')
    .option('--db <file|url>', 'history store: a SQLite file or postgres:// URL', defaultDbLocation())
    .option('--results <file>', 'also append every record to this JSON Lines file')
    .addOption(new Option('--driver <name>', "qmp: migcost's own QEMU processes; libvirt: lab domains on two libvirt daemons (MIGCOST_LIBVIRT_SRC/DST/STATE, else scripts/libvirt-test-daemons.sh)").choices(['qmp', 'libvirt']).default('qmp'))
    .option('--pin', "give the source's vCPU core 0 and put everything else on the other cores (taskset; a separate platform in the records)")
    .action(async (o: LabMatrixFlags) => {
      try {
        if (o.driver === 'libvirt' && (o.preset.startsWith('techniques') || o.preset === 'postcopy')) throw new InputError('--driver', 'libvirt', `does not take --preset ${o.preset} (libvirt sets its own migration flags: use --driver qmp)`);
        if ((o.preset === 'techniques-groups' || o.preset === 'postcopy') && o.repeats === 0) throw new InputError('--repeats', '0', `must be at least 1 with --preset ${o.preset} (rounds of every ${o.preset === 'postcopy' ? 'configuration' : 'group'})`);
        const throttleProbe = throttleProbeArg(o.throttleProbe);
        if (throttleProbe && o.driver === 'libvirt') throw new InputError('--throttle-probe', String(o.throttleProbe), 'goes with --driver qmp (the libvirt lab driver samples through libvirt)');
        const configs = labMatrix(o.preset, { timeoutSec: o.timeout, repeats: o.repeats }).slice(o.skip, o.limit !== undefined ? o.skip + o.limit : undefined);
        const platform = loadPlatform(o.platform, labDir(), o.driver);
        const store = await (await import('../../../store/store.js')).openStore(o.db);
        const progress = progressReporter('migrations');
        const label = (i: number) => `${i + 1}/${configs.length} ${workloadLabel(configs[i])}${configs[i].technique ? ` [${techniqueKey(configs[i].technique!)}]` : ''}${configs[i].group ? ` (group ${configs[i].group})` : ''}`;
        const { recorded, failed } = await runAndRecord(configs, {
          run: { platform, pin: o.pin === true, horizonSec: o.horizon ?? (o.preset === 'heldout' || o.preset === 'techniques-groups' ? HELDOUT_HORIZON_SEC : undefined), throttleProbe, libvirt: o.driver === 'libvirt' ? (await import('../../../lab/run-libvirt.js')).labLibvirt() : undefined },
          store,
          results: o.results,
          onStart: (i, total) => progress.update(i, total),
          onRecord: (i, r) => {
            if (!process.stderr.isTTY) process.stderr.write(`lab: ${label(i)} ${formatBytes(configs[i].memoryBytes)} -> ${r.measured.status} in ${formatSeconds(r.measured.totalTimeSec)}\n`);
          },
          onFailure: (i, e) => process.stderr.write(`lab: ${label(i)}: ${e.message}\n`),
        });
        await store.close();
        progress.done(`${recorded} migrations recorded in ${store.location}${failed ? `, ${failed} runs failed to start` : ''}`);
        if (failed) process.exitCode = 1;
      } catch (e) {
        exitWithError(e);
      }
    });
}
