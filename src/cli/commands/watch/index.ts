import { Command, Option } from 'commander';
import { InputError, formatBytes, formatSeconds } from '../../../units.js';
import { durationArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';
import { PLATFORM_TIMEOUTS, type InFlightDirt, type PlatformName } from '../../../model/in-flight.js';
import { inFlightDirtFromSample, sampleAt } from '../../../model/from-sample.js';
import { readVmFile } from '../predict/index.js';
import { defaultDbLocation } from '../../../store/location.js';
import type { Reading, WatchLine } from '../../../hypervisor/watch.js';

/** The options of `migcost watch`. */
export interface WatchFlags {
  qmp?: string;
  libvirt?: string;
  domain?: string;
  completionTimeout?: number;
  platformTimeouts?: PlatformName;
  interval: number;
  wait: number;
  sample?: string;
  vmId?: string;
  db: string;
  json?: true;
}

/** The VM's dirt from `--sample FILE` or the store's latest sample of `--vm-id`; none without either. */
async function dirtFor(o: WatchFlags): Promise<InFlightDirt | undefined> {
  if (o.sample !== undefined && o.vmId !== undefined) throw new InputError('--sample', o.sample, 'give either it or --vm-id, not both');
  let sample;
  if (o.sample !== undefined) {
    try {
      sample = readVmFile(o.sample).sample;
    } catch (e) {
      if (e instanceof InputError) throw new InputError('--sample', o.sample, e.field === '--vm' ? e.rule : `holds a bad sample: ${e.message}`);
      throw e;
    }
  } else if (o.vmId !== undefined) {
    const store = await (await import('../../../store/store.js')).openStore(o.db);
    try {
      sample = (await store.latestSamples([o.vmId])).get(o.vmId);
    } finally {
      await store.close();
    }
    if (!sample) throw new InputError('--vm-id', o.vmId, `has no sample in the store ${o.db} (migcost sample --vm-id ... or the agent records one)`);
  } else return undefined;
  const dirt = inFlightDirtFromSample(sampleAt(sample, new Date().toISOString()));
  if (!dirt) throw new InputError(o.sample !== undefined ? '--sample' : '--vm-id', o.sample ?? o.vmId!, 'holds no dirty curve (sample the VM with migcost sample)');
  return dirt;
}

/**
 * `migcost watch`: follows a migration in flight (started by anyone: libvirt, Nova, a script) and re-predicts
 * what is left every interval from its statistics so far, with a progress figure that never runs backwards and a
 * warning as soon as it will not end before a completion time-out. Reads only; changes nothing.
 */
export function watchCommand(): Command {
  return new Command('watch')
    .description('follow a migration in flight: progress, ETA, predicted downtime, and an early warning before a completion time-out')
    .option('--qmp <socket>', "the source VM's QMP socket (a second monitor if a driver holds the first)")
    .option('--libvirt <uri>', 'a libvirt connection URI (with --domain): the source host')
    .option('--domain <name>', 'with --libvirt: the migrating domain')
    .addOption(parsedOption('--completion-timeout <time>', 'warn when the migration will not end within this (e.g. 800s)', durationArg('--completion-timeout')))
    .addOption(new Option('--platform-timeouts <platform>', `the platform's completion time-out, per GiB of RAM (nova ${PLATFORM_TIMEOUTS.nova.secPerGiB} s, kubevirt ${PLATFORM_TIMEOUTS.kubevirt.secPerGiB} s)`).choices(Object.keys(PLATFORM_TIMEOUTS)))
    .addOption(parsedOption('--interval <time>', 'between re-predictions', durationArg('--interval'), '1s'))
    .addOption(parsedOption('--wait <time>', 'how long to wait for a migration to start', durationArg('--wait'), '30s'))
    .option('--sample <file>', "the VM's pre-migration sample (`migcost sample --json`): re-predict with its dirty curve from the first second, not QEMU's one rate after the first pass")
    .option('--vm-id <id>', "as --sample, with the store's latest sample of this VM")
    .option('--db <file|url>', 'history store for --vm-id', defaultDbLocation())
    .option('--json', 'print one JSON line per interval')
    .action(async (o: WatchFlags) => {
      let close = () => {};
      try {
        if ((o.qmp === undefined) === (o.libvirt === undefined)) throw new InputError('--qmp', o.qmp ?? '', 'give exactly one of --qmp SOCKET or --libvirt URI --domain NAME');
        if (o.completionTimeout !== undefined && o.platformTimeouts !== undefined) throw new InputError('--completion-timeout', `${o.completionTimeout}s`, 'give either it or --platform-timeouts, not both');
        if (!(o.interval >= 0.1 && o.interval <= 60)) throw new InputError('--interval', `${o.interval}s`, 'must be between 100ms and 60s');
        const dirt = await dirtFor(o);
        const { libvirtReader, qmpReader } = await import('../../../hypervisor/watch.js');
        let reader: { read: () => Promise<Reading>; close: () => void };
        if (o.libvirt !== undefined) {
          if (o.domain === undefined) throw new InputError('--domain', '', 'is required with --libvirt');
          reader = await libvirtReader(o.libvirt, o.domain);
        } else {
          if (o.domain !== undefined) throw new InputError('--domain', o.domain, 'goes with --libvirt, not --qmp');
          reader = await qmpReader(o.qmp!);
        }
        close = reader.close;
        await follow(o, reader.read, dirt);
      } catch (e) {
        exitWithError(e);
      } finally {
        close();
      }
    });
}

async function follow(o: WatchFlags, read: () => Promise<Reading>, dirt: InFlightDirt | undefined): Promise<void> {
  const { followMigration, NoMigrationError } = await import('../../../hypervisor/watch.js');
  const out = (line: object, text: string) => process.stdout.write(o.json ? `${JSON.stringify(line)}\n` : `${text}\n`);
  const text = (l: WatchLine) => {
    const eta = !l.rateKnown ? 'ETA after the first pass (or give --sample)' : l.converges && l.etaSec !== null ? `ETA ${formatSeconds(l.etaSec)} (total ${formatSeconds(l.totalTimeSec ?? 0)}), downtime ${formatSeconds(l.downtimeSec ?? 0)}` : 'will not converge';
    return `${formatSeconds(l.elapsedSec).padStart(9)}  ${(l.progress * 100).toFixed(0).padStart(3)} %  sent ${formatBytes(l.transferredBytes)}  ${eta}${l.warning ? `\nWARNING: ${l.warning}` : ''}`;
  };
  let end;
  try {
    end = await followMigration(read, { intervalSec: o.interval, waitSec: o.wait, completionTimeoutSec: o.completionTimeout, platformTimeouts: o.platformTimeouts, dirt, onLine: (l) => out(l, text(l)) });
  } catch (e) {
    if (e instanceof NoMigrationError) throw new InputError('--wait', `${o.wait}s`, `no migration started on the VM within it (status ${e.lastStatus})`);
    throw e;
  }
  out(end, end.totalTimeSec !== undefined ? `migration ${end.status}: ${formatSeconds(end.totalTimeSec)}, downtime ${formatSeconds(end.downtimeSec ?? 0)}, ${formatBytes(end.transferredBytes ?? 0)} sent` : `migration ended (${end.status})`);
  if (end.status === 'failed' || end.status === 'cancelled' || end.status === 'unreadable') process.exitCode = 1;
}
