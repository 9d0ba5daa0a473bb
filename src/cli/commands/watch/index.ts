import { Command, Option } from 'commander';
import { InputError, formatBytes, formatSeconds } from '../../../units.js';
import { durationArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';
import { predictInFlight, InFlightTracker, platformTimeoutSec, PLATFORM_TIMEOUTS, type InFlight, type PlatformName } from '../../../model/in-flight.js';

/** The options of `migcost watch`. */
export interface WatchFlags {
  qmp?: string;
  libvirt?: string;
  domain?: string;
  completionTimeout?: number;
  platformTimeouts?: PlatformName;
  interval: number;
  wait: number;
  json?: true;
}

interface Reading {
  status: string;
  state?: InFlight;
  final?: { totalTimeSec: number; downtimeSec: number; transferredBytes: number };
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ACTIVE = new Set(['setup', 'active', 'pre-switchover', 'device', 'wait-unplug', 'postcopy-active', 'postcopy-paused', 'postcopy-recover', 'cancelling']);

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
    .option('--json', 'print one JSON line per interval')
    .action(async (o: WatchFlags) => {
      let close = () => {};
      try {
        if ((o.qmp === undefined) === (o.libvirt === undefined)) throw new InputError('--qmp', o.qmp ?? '', 'give exactly one of --qmp SOCKET or --libvirt URI --domain NAME');
        if (o.completionTimeout !== undefined && o.platformTimeouts !== undefined) throw new InputError('--completion-timeout', `${o.completionTimeout}s`, 'give either it or --platform-timeouts, not both');
        if (!(o.interval >= 0.1 && o.interval <= 60)) throw new InputError('--interval', `${o.interval}s`, 'must be between 100ms and 60s');
        let read: () => Promise<Reading>;
        if (o.libvirt !== undefined) {
          if (o.domain === undefined) throw new InputError('--domain', '', 'is required with --libvirt');
          const { Virsh, jobInfo, checkDomainName } = await import('../../../hypervisor/libvirt/virsh.js');
          const { inFlightFromJob } = await import('../../../hypervisor/libvirt/in-flight.js');
          const v = new Virsh(o.libvirt);
          const domain = checkDomainName('--domain', o.domain);
          read = async () => {
            const limit = Number((await v.run(['migrate-getmaxdowntime', '--domain', domain])).trim()) / 1000;
            return inFlightFromJob(await jobInfo(v, domain), limit);
          };
        } else {
          if (o.domain !== undefined) throw new InputError('--domain', o.domain, 'goes with --libvirt, not --qmp');
          const { QmpClient } = await import('../../../hypervisor/qemu/qmp.js');
          const { inFlightFromQuery, readInFlightSettings } = await import('../../../hypervisor/qemu/in-flight.js');
          const qmp = await QmpClient.connect(o.qmp!, { retry: false });
          close = () => qmp.close();
          read = async () => inFlightFromQuery(await qmp.queryMigrate(), await readInFlightSettings(qmp));
        }
        await follow(o, read);
      } catch (e) {
        exitWithError(e);
      } finally {
        close();
      }
    });
}

async function follow(o: WatchFlags, read: () => Promise<Reading>): Promise<void> {
  const out = (line: Record<string, unknown>, text: string) => process.stdout.write(o.json ? `${JSON.stringify(line)}\n` : `${text}\n`);
  const waitUntil = Date.now() + o.wait * 1000;
  let r = await read();
  while (!ACTIVE.has(r.status) && r.state === undefined) {
    if (Date.now() > waitUntil) throw new InputError('--wait', `${o.wait}s`, `no migration started on the VM within it (status ${r.status})`);
    await sleep(200);
    r = await read();
  }
  let tracker: InFlightTracker | undefined;
  let last: ReturnType<typeof predictInFlight> | undefined;
  for (;;) {
    if (r.state) {
      const s = r.state;
      const timeout = o.completionTimeout ?? (o.platformTimeouts ? platformTimeoutSec(o.platformTimeouts, s.memoryBytes) : undefined);
      tracker ??= new InFlightTracker(timeout);
      const p = predictInFlight(s);
      last = p;
      const shown = tracker.update(p);
      const line = {
        status: r.status,
        elapsedSec: round(s.elapsedSec, 3),
        progress: round(shown.progress, 4),
        etaSec: Number.isFinite(p.etaSec) ? round(p.etaSec, 3) : null,
        totalTimeSec: Number.isFinite(p.totalTimeSec) ? round(p.totalTimeSec, 3) : null,
        downtimeSec: Number.isFinite(p.downtimeSec) ? round(p.downtimeSec, 4) : null,
        converges: p.converges,
        rateKnown: p.rateKnown,
        transferredBytes: s.transferredBytes,
        remainingBytes: s.remainingBytes,
        throttle: s.throttle,
        ...(timeout !== undefined ? { completionTimeoutSec: round(timeout, 1) } : {}),
        ...(shown.warning ? { warning: shown.warning } : {}),
      };
      const eta = !p.rateKnown ? 'ETA after the first pass' : p.converges ? `ETA ${formatSeconds(p.etaSec)} (total ${formatSeconds(p.totalTimeSec)}), downtime ${formatSeconds(p.downtimeSec)}` : 'will not converge';
      out(line, `${formatSeconds(s.elapsedSec).padStart(9)}  ${(shown.progress * 100).toFixed(0).padStart(3)} %  sent ${formatBytes(s.transferredBytes)}  ${eta}${shown.warning ? `\nWARNING: ${shown.warning}` : ''}`);
    }
    await sleep(o.interval * 1000);
    try {
      r = await read();
    } catch (e) {
      // A libvirt domain leaves the source host when the migration completes.
      r = { status: /failed to get domain|Domain not found/.test((e as Error).message) ? 'left-source' : 'unreadable', error: (e as Error).message };
    }
    if (!ACTIVE.has(r.status) && r.state === undefined) break;
  }
  const end = { status: r.status, ...(r.final ?? {}), ...(r.error && r.status !== 'left-source' ? { error: r.error } : {}), lastPrediction: last ? { totalTimeSec: Number.isFinite(last.totalTimeSec) ? round(last.totalTimeSec, 3) : null } : null, warned: tracker?.warningGiven ?? false };
  out(end, r.final ? `migration ${r.status}: ${formatSeconds(r.final.totalTimeSec)}, downtime ${formatSeconds(r.final.downtimeSec)}, ${formatBytes(r.final.transferredBytes)} sent` : `migration ended (${r.status})`);
  if (r.status === 'failed' || r.status === 'cancelled' || r.status === 'unreadable') process.exitCode = 1;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
