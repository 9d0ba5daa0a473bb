/** The options every prediction takes (predict, offload, batch defaults), as typed: src/input.ts parses them. */
import { Command, Option } from 'commander';
import { POLICIES, DIRTY_MODELS, TECHNIQUES, MULTIFD_COMPRESSIONS, type PolicyName } from '../../../model/index.js';
import type { RawPredictFields } from '../../../input.js';
import { InputError, parseDuration, parseRate } from '../../../units.js';
import { readPlatformFile } from '../../../lab/platform-file.js';

/**
 * The flags of addPredictFlags as commander hands them over: the text typed (units parsed by
 * predictInputFrom, which names the field), since in batch mode they are defaults for missing columns.
 */
export type PredictFieldFlags = { [K in keyof RawPredictFields]?: string | true };

type Field = keyof RawPredictFields;

/** One prediction flag: the field it sets, how it is typed, what it means, and for which policies it counts. */
interface FlagSpec {
  field: Field;
  flags: string;
  description: string;
  /** A time or a rate: the command line refuses a plain number (it would be seconds or bytes per second). */
  kind?: 'time' | 'rate' | 'curve';
  choices?: readonly string[];
  /** The stop policies the flag changes anything for (all when absent). */
  policies?: readonly PolicyName[];
}

/** Every prediction flag, in --help order. Defaults are the model's and shown as typed. */
const PREDICT_FLAGS: readonly FlagSpec[] = [
  { field: 'memory', flags: '--memory <size>', description: 'VM memory, e.g. 4GiB or 4G (required unless --vm or --input gives it)' },
  { field: 'dirtyRate', flags: '--dirty-rate <rate>', description: 'memory dirtying rate, e.g. 50MiB/s (required unless --curve, --vm or --input gives it)', kind: 'rate' },
  { field: 'bandwidth', flags: '--bandwidth <rate>', description: 'migration bandwidth (cap), e.g. 1Gbit/s or 100MiB/s (required unless --input gives it)', kind: 'rate' },
  { field: 'policy', flags: '--policy <name>', description: 'stop policy (default: qemu)', choices: POLICIES },
  { field: 'downtimeLimit', flags: '--downtime-limit <time>', description: "qemu: QEMU's downtime limit, which bounds its estimate of the final copy, not the resume (default: 300ms)", kind: 'time', policies: ['qemu'] },
  { field: 'zeroPageFraction', flags: '--zero-page-fraction <f>', description: 'fraction of memory that is zero pages, 0..1 or 20% (default: 0)' },
  { field: 'workingSet', flags: '--working-set <size>', description: 'bound on the distinct memory the guest writes (default: all memory)' },
  { field: 'pageSize', flags: '--page-size <size>', description: 'guest page size (default: 4KiB)' },
  { field: 'dirtyModel', flags: '--dirty-model <name>', description: 'dirty model (default: constant, or curve with --curve)', choices: DIRTY_MODELS },
  { field: 'curve', flags: '--curve <points>', description: 'Deng curve: distinct bytes dirtied per window, e.g. "0.5s:10MiB,1s:18MiB,2s:30MiB"', kind: 'curve' },
  { field: 'wwsCoeffs', flags: '--wws-coeffs <a,b,c>', description: "with --dirty-model wws: Liu's working-set coefficients (default: -0.0463,-0.0001,0.3586)" },
  { field: 'autoConverge', flags: '--auto-converge', description: 'qemu: auto-converge throttling at QEMU defaults', policies: ['qemu'] },
  { field: 'threshold', flags: '--threshold <size>', description: 'xen/liu: stop threshold V_thd (default: 50 pages)', policies: ['xen', 'liu'] },
  { field: 'maxRounds', flags: '--max-rounds <n>', description: 'xen/liu: round cap (default: 29)', policies: ['xen', 'liu'] },
  { field: 'maxTrafficFactor', flags: '--max-traffic-factor <x>', description: 'xen: traffic cap as a multiple of memory (default: 3)', policies: ['xen'] },
  { field: 'timeout', flags: '--timeout <time>', description: 'qemu: switch over by force after this long without converging (default: 600s)', kind: 'time', policies: ['qemu'] },
  { field: 'adaptiveRate', flags: '--adaptive-rate', description: "Liu's adaptive rate R = D + delta per round" },
  { field: 'delta', flags: '--delta <rate>', description: 'with --adaptive-rate: delta (default: 100Mbit/s)', kind: 'rate' },
  { field: 'rateMin', flags: '--rate-min <rate>', description: 'with --adaptive-rate: lower clamp (default: 1B/s)', kind: 'rate' },
  { field: 'rateMax', flags: '--rate-max <rate>', description: 'with --adaptive-rate: upper clamp (default: --bandwidth)', kind: 'rate' },
  { field: 'platform', flags: '--platform <file>', description: 'platform constants fitted by `migcost lab calibrate` (setup, resume, stop-and-copy and line rates); the four flags below win over it. Without it or them: 0 setup, 20 ms resume, pre-copy at the cap, and the final copy uncapped as QEMU runs it, at 10 Gbit/s link speed (or the cap if higher)' },
  { field: 'setupTime', flags: '--setup-time <time>', description: 'platform: initialisation time (default: 0s)', kind: 'time' },
  { field: 'resumeTime', flags: '--resume-time <time>', description: 'platform: resume time, part of downtime (default: 20ms)', kind: 'time' },
  { field: 'lineRate', flags: '--line-rate <rate>', description: 'platform: highest real pre-copy throughput, whatever the cap (default: none)', kind: 'rate' },
  { field: 'stopCopyRate', flags: '--stop-copy-rate <rate>', description: 'platform: rate of the uncapped qemu stop-and-copy (default: --line-rate, else 10Gbit/s or the cap if higher)', kind: 'rate' },
  { field: 'energy', flags: '--energy <model>', description: 'energy model (default: wired)', choices: ['wired', 'wireless'] },
  { field: 'alpha', flags: '--alpha <J/MiB>', description: 'wired energy: alpha (default: 0.512)' },
  { field: 'beta', flags: '--beta <J>', description: 'wired energy: beta (default: 20.165)' },
  { field: 'channelBandwidth', flags: '--channel-bandwidth <Hz>', description: 'wireless energy: channel bandwidth B (default: 20e6)' },
  { field: 'noiseDensity', flags: '--noise-density <W/Hz>', description: 'wireless energy: N0 (default: 3.98e-11)' },
  { field: 'technique', flags: '--technique <name>', description: 'QEMU migration technique (compress = multifd with zlib; docs/techniques.md) (default: precopy)', choices: TECHNIQUES, policies: ['qemu'] },
  { field: 'postcopyAfter', flags: '--postcopy-after <passes|time>', description: 'postcopy: switch after this many pre-copy passes or this long, e.g. 2 or 30s (default: 1)', policies: ['qemu'] },
  { field: 'maxPostcopyBandwidth', flags: '--max-postcopy-bandwidth <rate>', description: 'postcopy: max-postcopy-bandwidth (default: unlimited)', kind: 'rate', policies: ['qemu'] },
  { field: 'xbzrleCache', flags: '--xbzrle-cache <size>', description: 'xbzrle: xbzrle-cache-size, a power of two (default: 64MiB)', policies: ['qemu'] },
  { field: 'xbzrleDeltaRatio', flags: '--xbzrle-delta-ratio <f>', description: 'xbzrle: mean delta size of a cache hit over the page size, 0..1 (default: 1, no credit)', policies: ['qemu'] },
  { field: 'xbzrleOverflowShare', flags: '--xbzrle-overflow-share <f>', description: 'xbzrle: share of hits whose delta overflows to a full page (default: 0, or 1 at ratio 1)', policies: ['qemu'] },
  { field: 'multifdChannels', flags: '--multifd-channels <n>', description: 'multifd: multifd-channels, 1-255 (default: 2)', policies: ['qemu'] },
  { field: 'multifdCompression', flags: '--multifd-compression <name>', description: 'multifd: multifd-compression (default: none)', choices: MULTIFD_COMPRESSIONS, policies: ['qemu'] },
  { field: 'compressionRatio', flags: '--compression-ratio <x>', description: 'multifd: raw over compressed bytes (default: 1 for none, 1.1 for zlib and zstd)', policies: ['qemu'] },
  { field: 'compressionRatioRewritten', flags: '--compression-ratio-rewritten <x>', description: 'multifd with zlib or zstd: raw over compressed bytes of pages re-sent after the first pass (default: --compression-ratio)', policies: ['qemu'] },
  { field: 'channelSpeedupRewritten', flags: '--channel-speedup-rewritten <x>', description: "multifd: how many times faster the channels compress those pages than the first pass's (default: the channel model at their ratio)", policies: ['qemu'] },
  { field: 'vcpuDirtyLimit', flags: '--vcpu-dirty-limit <rate>', description: 'dirty-limit: vcpu-dirty-limit per vCPU (default: 1MiB/s)', kind: 'rate', policies: ['qemu'] },
  { field: 'vcpus', flags: '--vcpus <n>', description: 'dirty-limit: vCPUs of the guest (default: 1)', policies: ['qemu'] },
];

const SPEC_BY_FIELD = new Map(PREDICT_FLAGS.map((s) => [s.field, s]));

/** The flag a prediction field is typed as: `dirtyRate` -> `--dirty-rate`. */
export function flagOf(field: string): string | undefined {
  const spec = SPEC_BY_FIELD.get(field as Field);
  return spec?.flags.split(' ')[0];
}

/** A time or a rate as typed, checked to carry its unit (naming the flag); kept as text for predictInputFrom. */
function withUnit(flag: string, kind: 'time' | 'rate' | 'curve'): (v: string) => string {
  return (v) => {
    if (kind === 'curve') {
      // Each point's window is a time: "0.5s:10MiB", not "0.5:10MiB" (the rest is checked by predictInputFrom).
      for (const pair of v.split(',')) if (pair.includes(':')) parseDuration(`${flag} window`, pair.split(':')[0].trim(), { needUnit: true });
    } else (kind === 'time' ? parseDuration : parseRate)(flag, v, { needUnit: true });
    return v;
  };
}

/** Flags shared by single and batch predictions; in batch mode they are defaults for missing columns. */
export function addPredictFlags(cmd: Command): Command {
  for (const s of PREDICT_FLAGS) {
    const o = new Option(s.flags, s.description);
    if (s.choices) o.choices(s.choices as string[]);
    if (s.kind) o.argParser(withUnit(s.flags.split(' ')[0], s.kind));
    cmd.addOption(o);
  }
  return cmd;
}

/** Maps commander's camel-cased flags onto the batch/JSON field names (the same names); `--platform FILE` is read here. */
export function fieldsFromFlags(o: PredictFieldFlags): RawPredictFields {
  const f = Object.fromEntries(PREDICT_FLAGS.map((s) => [s.field, o[s.field]])) as RawPredictFields;
  f.platform = typeof o.platform === 'string' ? readPlatformFile(o.platform) : undefined;
  return f;
}

/**
 * An error of predictInputFrom as the command line's user sees it: the field (`dirtyRate`, `curve[1].window`)
 * renamed to the flag typed (`--dirty-rate`, `--curve[1].window`). Other errors pass unchanged.
 */
export function namedForFlags(e: unknown): unknown {
  if (!(e instanceof InputError)) return e;
  const m = /^([A-Za-z]+)(.*)$/.exec(e.field);
  const flag = m ? flagOf(m[1]) : undefined;
  if (!m || !flag) return e;
  const field = `${flag}${m[2]}`;
  return new InputError(field, e.value, e.rule, e.message.startsWith(e.field) ? `${field}${e.message.slice(e.field.length)}` : e.message);
}

/**
 * Refuses, for a single prediction, flags typed that change nothing under the chosen policy or without the flag
 * they belong to (`--policy xen --downtime-limit 300ms`): a silent no-op would mislead. In batch mode flags are
 * defaults for rows of any policy, so they are not checked.
 */
export function refuseIdleFlags(typed: RawPredictFields): void {
  const policy = (typed.policy ?? 'qemu') as PolicyName;
  const given = (f: Field) => typed[f] !== undefined;
  for (const s of PREDICT_FLAGS) {
    if (!given(s.field) || !s.policies || s.policies.includes(policy)) continue;
    const flag = flagOf(s.field);
    throw new InputError(flag!, typed[s.field], '', `${flag} applies to --policy ${s.policies.join(' or ')} only; the policy is ${policy}${typed.policy === undefined ? ' (the default)' : ''}, which ignores it`);
  }
  const needs = (f: Field, other: string, ok: boolean) => {
    if (given(f) && !ok) throw new InputError(flagOf(f)!, typed[f], '', `${flagOf(f)} does nothing without ${other}`);
  };
  for (const f of ['delta', 'rateMin', 'rateMax'] as const) needs(f, '--adaptive-rate', given('adaptiveRate'));
  needs('wwsCoeffs', '--dirty-model wws', typed.dirtyModel === 'wws');
  const wireless = typed.energy === 'wireless' || ((given('channelBandwidth') || given('noiseDensity')) && typed.energy === undefined);
  for (const f of ['alpha', 'beta'] as const) needs(f, 'the wired energy model (not with --energy wireless)', !wireless);
  for (const f of ['channelBandwidth', 'noiseDensity'] as const) needs(f, '--energy wireless', typed.energy !== 'wired');
}
