/**
 * Advise a technique for one VM: predict every technique over a grid of bandwidths and downtime limits, apply the
 * operator's constraints (max downtime, max time) and a platform's completion timeout (Nova, KubeVirt), and rank
 * the options by a stated cost. Pure: the VM's model input in, ranked options out. Rules: docs/techniques.md.
 */
import type { ConvergenceFields } from '../model/convergence.js';
import { predictWithOutlook } from '../model/outlook.js';
import type { TechniquePrediction } from '../model/techniques.js';
import type { PredictInput, TechniqueOptions } from '../model/types.js';

/** The platforms whose completion timeout advise knows, with their defaults. */
export const PLATFORM_TIMEOUTS = {
  /** Nova: live_migration_completion_timeout 800 s per GiB of RAM, then live_migration_timeout_action (abort; force_complete = post-copy if permitted). */
  nova: { secPerGiB: 800, name: 'Nova', allowPostcopyFlag: 'live_migration_permit_post_copy with live_migration_timeout_action=force_complete' },
  /** KubeVirt: completionTimeoutPerGiB 150 s, then post-copy if allowPostCopy, else the migration is cancelled. */
  kubevirt: { secPerGiB: 150, name: 'KubeVirt', allowPostcopyFlag: 'allowPostCopy' },
} as const;
export type PlatformTimeoutName = keyof typeof PLATFORM_TIMEOUTS;

/** The techniques advise tries, as named options (multifd with each compression; compress is multifd with zlib). */
export const ADVISE_TECHNIQUES: readonly { label: string; technique: TechniqueOptions }[] = [
  { label: 'precopy', technique: { name: 'precopy' } },
  { label: 'auto-converge', technique: { name: 'auto-converge' } },
  { label: 'postcopy', technique: { name: 'postcopy' } },
  { label: 'xbzrle', technique: { name: 'xbzrle' } },
  { label: 'multifd', technique: { name: 'multifd' } },
  { label: 'multifd+zstd', technique: { name: 'multifd', multifdCompression: 'zstd' } },
  { label: 'multifd+zlib', technique: { name: 'multifd', multifdCompression: 'zlib' } },
  { label: 'dirty-limit', technique: { name: 'dirty-limit' } },
];

export interface AdviseOptions {
  bandwidthsBytesPerSec: readonly number[];
  downtimeLimitsSec: readonly number[];
  maxDowntimeSec?: number;
  maxTimeSec?: number;
  platformTimeouts?: PlatformTimeoutName;
  /** The platform may switch a migration it times out to post-copy (else it aborts it). */
  allowPostcopy?: boolean;
  /** Cost of a second of downtime or of guest stall in post-copy, in seconds of migration. Default 100. */
  downtimeWeight?: number;
  /** Each technique's settings (e.g. a measured xbzrle delta ratio), merged into the grid's. */
  settings?: Partial<TechniqueOptions>;
  /** Fills what a sample measured into a technique's unset settings (model/from-sample.ts `techniqueFromSample`). */
  measured?: (t: TechniqueOptions) => TechniqueOptions;
}

export interface AdviseOption {
  label: string;
  technique: TechniqueOptions;
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  /** The technique's prediction with its outlook: P(converges before the time-out) and the total time's [p10, p90]. */
  prediction: TechniquePrediction & ConvergenceFields;
  cost: number;
  feasible: boolean;
  /** Why it loses (a constraint it breaks, or how much more it costs than the pick). */
  why?: string;
  /** What the platform's timeout does to it, if it runs past it. */
  platformAction?: 'abort' | 'postcopy';
}

export interface Advice {
  options: AdviseOption[];
  best?: AdviseOption;
  /** The platform's completion timeout for this VM (s), and what it does to plain pre-copy at the first grid point. */
  platformTimeoutSec?: number;
  platformOnPrecopy?: string;
  costRule: string;
}

/** Settings that only the technique they belong to accepts. */
const OWN: Record<string, readonly (keyof TechniqueOptions)[]> = {
  postcopy: ['postcopyAfterPasses', 'postcopyAfterSec', 'maxPostcopyBandwidthBytesPerSec'],
  xbzrle: ['xbzrleCacheBytes', 'xbzrleDeltaRatio', 'xbzrleOverflowShare'],
  multifd: ['multifdChannels', 'compressionRatio', 'compressionRatioRewritten', 'channelSpeedupRewritten'],
  'dirty-limit': ['vcpuDirtyLimitBytesPerSec', 'vcpus'],
};

function withSettings(t: TechniqueOptions, s: Partial<TechniqueOptions> | undefined): TechniqueOptions {
  if (!s) return t;
  const out: TechniqueOptions = { ...t };
  for (const k of OWN[t.name] ?? []) if (s[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = s[k];
  // A measured compression ratio is for the compression it was measured with.
  if (t.name === 'multifd' && s.multifdCompression !== undefined && s.multifdCompression !== (t.multifdCompression ?? 'none')) {
    for (const k of ['compressionRatio', 'compressionRatioRewritten', 'channelSpeedupRewritten'] as const) delete out[k];
  }
  return out;
}

const fmtSec = (s: number) => (s >= 10 ? `${s.toFixed(0)} s` : s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(0)} ms`);

/**
 * Every technique at every grid point, ranked by cost (cheapest first, those meeting the constraints before the
 * rest). Cost = total time + downtimeWeight x (downtime + post-copy guest stall), in seconds.
 */
export function advise(base: PredictInput, o: AdviseOptions): Advice {
  const w = o.downtimeWeight ?? 100;
  const platform = o.platformTimeouts ? PLATFORM_TIMEOUTS[o.platformTimeouts] : undefined;
  const timeout = platform ? platform.secPerGiB * (base.vm.memoryBytes / 2 ** 30) : undefined;
  const options: AdviseOption[] = [];
  let platformOnPrecopy: string | undefined;
  for (const bw of o.bandwidthsBytesPerSec) {
    for (const dl of o.downtimeLimitsSec) {
      const input: PredictInput = { ...base, trace: false, bandwidthBytesPerSec: bw, policy: { ...base.policy, name: 'qemu', downtimeLimitSec: dl, autoConverge: false } };
      for (const { label, technique } of ADVISE_TECHNIQUES) {
        const t = o.measured ? o.measured(withSettings(technique, o.settings)) : withSettings(technique, o.settings);
        const first = predictWithOutlook({ ...input, technique: t }) as TechniquePrediction & ConvergenceFields;
        let p = first;
        let feasible = p.converged;
        let why = p.converged ? undefined : `does not converge within ${fmtSec(input.policy.timeoutSec ?? 600)}`;
        let platformAction: AdviseOption['platformAction'];
        if (platform && timeout !== undefined && (!p.converged || p.totalTimeSec > timeout) && t.name !== 'postcopy') {
          const canSwitch = o.allowPostcopy === true && (t.name === 'precopy' || t.name === 'auto-converge');
          if (canSwitch) {
            platformAction = 'postcopy';
            const setup = p.setupSec;
            p = { ...predictWithOutlook({ ...input, policy: { ...input.policy, autoConverge: t.name === 'auto-converge' }, technique: { name: 'postcopy', postcopyAfterSec: Math.max(0, timeout - setup) } }), technique: t.name };
            feasible = true;
            why = `${platform.name} switches it to post-copy at ${fmtSec(timeout)}`;
          } else {
            platformAction = 'abort';
            feasible = false;
            why = `${platform.name} aborts it at ${fmtSec(timeout)} (${platform.secPerGiB} s per GiB)${o.allowPostcopy && t.name !== 'precopy' && t.name !== 'auto-converge' ? `; post-copy does not combine with ${label} here` : ''}`;
          }
          if (platformOnPrecopy === undefined && t.name === 'precopy') platformOnPrecopy = `plain pre-copy ${first.converged ? `would take ${fmtSec(first.totalTimeSec)}` : 'does not converge'}: ${why}`;
        }
        if (platformOnPrecopy === undefined && t.name === 'precopy' && platform && timeout !== undefined) {
          platformOnPrecopy = `plain pre-copy finishes in ${fmtSec(p.totalTimeSec)}, within ${platform.name}'s ${fmtSec(timeout)}`;
        }
        if (feasible && o.maxDowntimeSec !== undefined && p.downtimeSec > o.maxDowntimeSec) {
          feasible = false;
          why = `downtime ${fmtSec(p.downtimeSec)} > max ${fmtSec(o.maxDowntimeSec)}`;
        }
        if (feasible && o.maxTimeSec !== undefined && p.totalTimeSec > o.maxTimeSec) {
          feasible = false;
          why = `total ${fmtSec(p.totalTimeSec)} > max ${fmtSec(o.maxTimeSec)}`;
        }
        const cost = p.totalTimeSec + w * (p.downtimeSec + (p.postcopyBlockedSec ?? 0));
        options.push({ label, technique: t, bandwidthBytesPerSec: bw, downtimeLimitSec: dl, prediction: p, cost, feasible, why, platformAction });
      }
    }
  }
  options.sort((a, b) => Number(b.feasible) - Number(a.feasible) || a.cost - b.cost);
  const best = options[0]?.feasible ? options[0] : undefined;
  if (best) {
    for (const x of options) if (x !== best && x.feasible) x.why = `${x.why ? `${x.why}; ` : ''}costs ${(x.cost - best.cost).toFixed(1)} s more than the pick`;
  }
  return {
    options,
    best,
    platformTimeoutSec: timeout,
    platformOnPrecopy,
    costRule: `cost = total time + ${w} x (downtime + post-copy guest stall), in seconds; options that break a constraint rank last`,
  };
}
