/**
 * `migcost advise`: for one VM (a sample file or plain flags), every technique over a grid of bandwidths and
 * downtime limits, the operator's constraints and a platform's completion timeout applied, ranked by a stated cost.
 */
import { Command } from 'commander';
import Table from 'cli-table3';
import { PLATFORM_TIMEOUTS, type Advice, type PlatformTimeoutName } from '../../../plan/advise.js';
import { adviseFrom, type RawAdviseFields } from '../../../advise-input.js';
import { InputError, formatBytes, formatSeconds } from '../../../units.js';
import { addPredictFlags, fieldsFromFlags, type PredictFieldFlags } from '../predict/flags.js';
import { readVmFile } from '../predict/index.js';
import { durationArg, listArg, numberArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';

/** nova or kubevirt, else exit 2 naming the flag. */
const platformArg = (v: string): PlatformTimeoutName => {
  if (v in PLATFORM_TIMEOUTS) return v as PlatformTimeoutName;
  throw new InputError('--platform-timeouts', v, `must be one of ${Object.keys(PLATFORM_TIMEOUTS).join(', ')}`);
};

export interface AdviseFlags extends PredictFieldFlags {
  vm?: string;
  bandwidths?: string[];
  downtimeLimits?: string[];
  maxDowntime?: number;
  maxTime?: number;
  platformTimeouts?: PlatformTimeoutName;
  allowPostcopy?: true;
  downtimeWeight: number;
  json?: true;
}

/** The rows of the ranked options, for people. */
export function adviceTable(a: Advice): string {
  const t = new Table({ head: ['#', 'technique', 'bandwidth', 'dt limit', 'total', 'P(converges)', 'downtime', 'sent', 'technique figures', 'cost', 'verdict'], chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } });
  a.options.forEach((x, i) => {
    const p = x.prediction;
    const extra = p.remoteFaults !== undefined ? `${Math.round(p.remoteFaults)} faults, stall ${formatSeconds(p.postcopyBlockedSec ?? 0)}`
      : p.xbzrleCacheHitRatio !== undefined ? `hit ${(p.xbzrleCacheHitRatio * 100).toFixed(0)} %`
      : p.compressionRatio !== undefined ? `ratio ${p.compressionRatio.toFixed(2)}`
      : p.measured === false ? 'not measured' : p.maxThrottle > 0 ? `throttle ${Math.round(p.maxThrottle * 100)} %` : '';
    t.push([String(i + 1), x.label, `${formatBytes(x.bandwidthBytesPerSec)}/s`, formatSeconds(x.downtimeLimitSec), formatSeconds(p.totalTimeSec), `${(p.convergenceProbability * 100).toFixed(1)} %`, formatSeconds(p.downtimeSec), formatBytes(p.transferredBytes), extra, x.cost.toFixed(1), x === a.best ? 'PICK' : (x.why ?? '')]);
  });
  const pick = a.best?.prediction.assumption;
  return pick ? `${t.toString()}\nthe pick, ${a.best!.label}, ${pick}` : t.toString();
}

export function adviseCommand(): Command {
  const cmd = new Command('advise').description('rank every QEMU migration technique for one VM over bandwidths and downtime limits, under constraints and a platform timeout');
  addPredictFlags(cmd)
    .option('--vm <file>', 'VM sample JSON (`migcost sample --json`); flags override it')
    .addOption(parsedOption('--bandwidths <list>', 'bandwidths to try, e.g. 100MiB/s,1Gbit/s (default: --bandwidth)', listArg))
    .addOption(parsedOption('--downtime-limits <list>', 'downtime limits to try, e.g. 300ms,1s (default: --downtime-limit, else 300ms)', listArg))
    .addOption(parsedOption('--max-downtime <time>', 'constraint: downtime at most this', durationArg('--max-downtime')))
    .addOption(parsedOption('--max-time <time>', 'constraint: total time at most this', durationArg('--max-time')))
    .addOption(parsedOption('--platform-timeouts <platform>', 'apply a platform completion timeout: nova (800 s/GiB) or kubevirt (150 s/GiB), then abort (or post-copy with --allow-postcopy)', platformArg))
    .option('--allow-postcopy', 'the platform switches a timed-out pre-copy to post-copy instead of aborting it')
    .addOption(parsedOption('--downtime-weight <x>', 'cost of a second of downtime (or post-copy stall) in seconds of migration', numberArg('--downtime-weight', { min: 0 }), '100'))
    .option('--json', 'print JSON')
    .action((o: AdviseFlags) => {
      try {
        const f: RawAdviseFields = {
          ...fieldsFromFlags(o),
          bandwidths: o.bandwidths,
          downtimeLimits: o.downtimeLimits,
          maxDowntime: o.maxDowntime,
          maxTime: o.maxTime,
          platformTimeouts: o.platformTimeouts,
          allowPostcopy: o.allowPostcopy === true,
          downtimeWeight: o.downtimeWeight,
        };
        let a: Advice;
        if (o.vm !== undefined) {
          const { sample, extra } = readVmFile(o.vm, fieldsFromFlags(o));
          a = adviseFrom(f, sample, extra);
        } else a = adviseFrom(f);
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...a, best: a.best ? a.options.indexOf(a.best) : null })}\n`);
          return;
        }
        process.stdout.write(`${adviceTable(a)}\n${a.costRule}\n`);
        if (a.best) process.stdout.write(`pick: ${a.best.label} at ${formatBytes(a.best.bandwidthBytesPerSec)}/s, downtime limit ${formatSeconds(a.best.downtimeLimitSec)}\n`);
        else process.stdout.write('no option meets the constraints\n');
        if (o.platformTimeouts) {
          const p = PLATFORM_TIMEOUTS[o.platformTimeouts];
          process.stdout.write(`${p.name}: completion timeout ${formatSeconds(a.platformTimeoutSec ?? 0)} for this VM; ${a.platformOnPrecopy ?? ''}. ${p.name} enables neither auto-converge nor post-copy by default (post-copy needs ${p.allowPostcopyFlag}).\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });
  return cmd;
}
