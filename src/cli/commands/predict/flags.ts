/** The options every prediction takes (predict, offload, batch defaults), as typed: src/input.ts parses them. */
import { Command, Option } from 'commander';
import { POLICIES, DIRTY_MODELS } from '../../../model/index.js';
import type { RawPredictFields } from '../../../input.js';
import { readPlatformFile } from '../../../lab/platform-file.js';

/**
 * The flags of addPredictFlags as commander hands them over: the text typed (units parsed by
 * predictInputFrom, which names the field), since in batch mode they are defaults for missing columns.
 */
export type PredictFieldFlags = { [K in keyof RawPredictFields]?: string | true };

/** Flags shared by single and batch predictions; in batch mode they are defaults for missing columns. */
export function addPredictFlags(cmd: Command): Command {
  return cmd
    .option('--memory <size>', 'VM memory, e.g. 4GiB')
    .option('--dirty-rate <rate>', 'memory dirtying rate, e.g. 50MiB/s')
    .option('--bandwidth <rate>', 'migration bandwidth (cap), e.g. 1Gbit/s')
    .addOption(new Option('--policy <name>', 'stop policy').choices(POLICIES as unknown as string[]))
    .option('--downtime-limit <time>', 'qemu: downtime limit, e.g. 300ms')
    .option('--zero-page-fraction <f>', 'fraction of memory that is zero pages (0..1)')
    .option('--working-set <size>', 'bound on the distinct memory the guest writes')
    .option('--page-size <size>', 'guest page size (default 4KiB)')
    .addOption(new Option('--dirty-model <name>', 'dirty model').choices(DIRTY_MODELS as unknown as string[]))
    .option('--curve <points>', 'Deng curve: distinct bytes dirtied per window, e.g. "0.5s:10MiB,1s:18MiB,2s:30MiB"')
    .option('--wws-coeffs <a,b,c>', "Liu's working-set coefficients (default -0.0463,-0.0001,0.3586)")
    .option('--auto-converge', 'qemu: auto-converge throttling at QEMU defaults')
    .option('--threshold <size>', 'xen/liu: stop threshold V_thd (default 50 pages)')
    .option('--max-rounds <n>', 'xen/liu: round cap (default 29)')
    .option('--max-traffic-factor <x>', 'xen: traffic cap as a multiple of memory (default 3)')
    .option('--timeout <time>', 'qemu: give up after this long without converging (default 600s)')
    .option('--adaptive-rate', "Liu's adaptive rate R = D + delta per round")
    .option('--delta <rate>', 'adaptive rate: delta (default 100Mbit/s)')
    .option('--rate-min <rate>', 'adaptive rate: lower clamp')
    .option('--rate-max <rate>', 'adaptive rate: upper clamp (default: --bandwidth)')
    .option('--platform <file>', 'platform constants fitted by `migcost lab calibrate` (setup, resume, stop-and-copy and line rates); the four flags below win over it. Without it or them: 0 setup, 20 ms resume, pre-copy at the cap, and the final copy uncapped as QEMU runs it, at 10 Gbit/s link speed (or the cap if higher)')
    .option('--setup-time <time>', 'platform: initialisation time (default 0)')
    .option('--resume-time <time>', 'platform: resume time, part of downtime (default 20ms)')
    .option('--line-rate <rate>', 'platform: highest real pre-copy throughput, whatever the cap')
    .option('--stop-copy-rate <rate>', 'platform: rate of the uncapped qemu stop-and-copy (default: --line-rate, else 10Gbit/s or the cap if higher)')
    .addOption(new Option('--energy <model>', 'energy model').choices(['wired', 'wireless']))
    .option('--alpha <J/MiB>', 'wired energy: alpha (default 0.512)')
    .option('--beta <J>', 'wired energy: beta (default 20.165)')
    .option('--channel-bandwidth <Hz>', 'wireless energy: channel bandwidth B (default 20e6)')
    .option('--noise-density <W/Hz>', 'wireless energy: N0 (default 3.98e-11)');
}

/** Maps commander's camel-cased flags onto the batch/JSON field names; `--platform FILE` is read here. */
export function fieldsFromFlags(o: PredictFieldFlags): RawPredictFields {
  return {
    memory: o.memory,
    dirtyRate: o.dirtyRate,
    bandwidth: o.bandwidth,
    policy: o.policy,
    downtimeLimit: o.downtimeLimit,
    zeroPageFraction: o.zeroPageFraction,
    workingSet: o.workingSet,
    pageSize: o.pageSize,
    dirtyModel: o.dirtyModel,
    curve: o.curve,
    wwsCoeffs: o.wwsCoeffs,
    autoConverge: o.autoConverge,
    threshold: o.threshold,
    maxRounds: o.maxRounds,
    maxTrafficFactor: o.maxTrafficFactor,
    timeout: o.timeout,
    adaptiveRate: o.adaptiveRate,
    delta: o.delta,
    rateMin: o.rateMin,
    rateMax: o.rateMax,
    platform: typeof o.platform === 'string' ? readPlatformFile(o.platform) : undefined,
    setupTime: o.setupTime,
    resumeTime: o.resumeTime,
    lineRate: o.lineRate,
    stopCopyRate: o.stopCopyRate,
    energy: o.energy,
    alpha: o.alpha,
    beta: o.beta,
    channelBandwidth: o.channelBandwidth,
    noiseDensity: o.noiseDensity,
  };
}

