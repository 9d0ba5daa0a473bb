/**
 * QEMU's migration techniques, each predicted from the same input as pre-copy: `predict(input)` with
 * `input.technique` (absent: plain pre-copy as the policy says, exactly `simulate(input)`). The rules, with the
 * QEMU sources they come from, are in docs/techniques.md; each technique's own module holds its rule:
 * postcopy.ts, xbzrle.ts, multifd.ts; dirty-limit is a hook of the qemu rounds (precopy.ts). Pure.
 */
import { simulate, simulateWithSyncs, DEFAULT_PAGE_SIZE } from './precopy.js';
import { compileDirty } from './dirty.js';
import { checkFinite } from './check-input.js';
import { predictPostcopy } from './postcopy.js';
import { predictXbzrle } from './xbzrle.js';
import { predictMultifd } from './multifd.js';
import type { QemuHooks } from './qemu-hooks.js';
import { MULTIFD_COMPRESSIONS, TECHNIQUES, type MultifdCompression, type Prediction, type PredictInput, type TechniqueName, type TechniqueOptions } from './types.js';

const MiB = 2 ** 20;

/** QEMU's defaults for each technique's settings (migration/options.c, qapi/migration.json). */
export const TECHNIQUE_DEFAULTS = Object.freeze({
  /** The lab's and the default: migrate-start-postcopy once the first full pass is done. */
  postcopyAfterPasses: 1,
  /** max-postcopy-bandwidth 0: unlimited (options.c DEFAULT_MIGRATE_MAX_POSTCOPY_BANDWIDTH). */
  maxPostcopyBandwidthBytesPerSec: Infinity,
  /** xbzrle-cache-size (options.c DEFAULT_MIGRATE_XBZRLE_CACHE_SIZE). */
  xbzrleCacheBytes: 64 * MiB,
  /**
   * Without a measured compressibility XBZRLE is credited nothing: every cache hit is taken to overflow (the
   * lab's stress-ng, which rewrites whole pages, overflowed 32751 of 33082 hits: TECHNIQUES-NOTES §2).
   */
  xbzrleDeltaRatio: 1,
  /** multifd-channels (options.c DEFAULT_MIGRATE_MULTIFD_CHANNELS) and multifd-compression. */
  multifdChannels: 2,
  multifdCompression: 'none' as MultifdCompression,
  /**
   * Raw over compressed bytes without a measured ratio: 1.10 for zlib and zstd, what both reached on the lab's
   * idle guest of random data (TECHNIQUES-NOTES §3: 483 MB of pages in 438 MB), the least compressible memory.
   */
  compressionRatio: { none: 1, zlib: 1.1, zstd: 1.1 } as Readonly<Record<MultifdCompression, number>>,
  /** vcpu-dirty-limit 1 MB/s (options.c DEFAULT_MIGRATE_VCPU_DIRTY_LIMIT; MB taken as 2^20 as dirtylimit.c's rates are). */
  vcpuDirtyLimitBytesPerSec: MiB,
  vcpus: 1,
});

/**
 * Platform constants of the techniques, measured in the lab (QEMU 10.0.2, TCG, 2 cores: TECHNIQUES-NOTES §1, §3);
 * a platform file (`lab calibrate`) may fit them like the others.
 */
export const TECHNIQUE_PLATFORM_DEFAULTS = Object.freeze({
  /**
   * Raw page bytes/s per multifd channel on incompressible pages (the lab's idle guest of random data, 2 channels:
   * none 894 MB/s, zstd 380 MB/s, zlib 74 MB/s, halved).
   */
  multifdNoneChannelBytesPerSec: 445e6,
  multifdZlibChannelBytesPerSec: 37e6,
  multifdZstdChannelBytesPerSec: 190e6,
  /**
   * Raw page bytes/s per channel on pages that compress away (share -> 0; calibrate/multifd-rate.ts). Prior: the
   * lab's techniques-groups pass 1 on the same machine, the channel-bound runs with the most compressible pages —
   * memtester, zlib at ratio 31-42 (392-452 MB/s raw on 2 channels), zstd at ratio 6.2-6.6 (410-588 MB/s) —
   * solved for the rate at share 0 with the incompressible rate above: 267 and 265 MB/s. `lab calibrate` refits
   * both per machine from its multifd runs.
   */
  multifdZlibChannelRedundantBytesPerSec: 267e6,
  multifdZstdChannelRedundantBytesPerSec: 265e6,
  /**
   * post-copy's downtime (stop -> device-state package sent): the lab's 7 post-copy runs of TECHNIQUES-NOTES §1
   * (QEMU 10.0.2, TCG) took 1-3 ms; 2 ms. `lab calibrate` refits it per machine (calibrate/platform.ts).
   */
  postcopySwitchSec: 0.002,
  /** vCPU blocked per remote fault with an unlimited push: 183 ms / 7 faults (H) and 83 ms / 3 (E). */
  postcopyFaultLatencySec: 0.025,
  /**
   * multifd: what a 100 ms rate window sends past its budget, in packets of `MULTIFD_PACKET_PAGES` pages. From the
   * sources (migration-stats.c, multifd.c): the budget is checked against `multifd_bytes`, which a channel adds
   * a whole packet to only once it has written it, so a window ends half a packet past its budget on average, and
   * the packet the main thread has already handed to another channel goes too. 1.5 packets (768 KiB of 4 KiB
   * pages): at a 50 MiB/s cap, 15 % over it. The lab's multifd runs without compression went 14 % over a 50 MiB/s
   * cap and 5-8 % over 100 MiB/s (techniques-groups passes 1-2), where plain pre-copy stays within 3 %.
   */
  multifdWindowOvershootPackets: 1.5,
  /** multifd: the channels' rate at the stop-and-copy over their live rate; 1 until a machine's records say otherwise. */
  multifdStopCopyChannelSpeedup: 1,
});

/** Pages per multifd packet (multifd-nocomp.c: MULTIFD_PACKET_SIZE, 512 KiB, of target pages). */
export const MULTIFD_PACKET_PAGES = 128;

/** What every technique answers beyond a pre-copy Prediction; the fields a technique does not use are absent. */
export interface TechniquePrediction extends Prediction {
  technique?: TechniqueName;
  /** false where the lab cannot run the technique (dirty-limit needs KVM's dirty ring): rules from the sources only. */
  measured?: boolean;
  note?: string;
  /** postcopy: when pre-copy stopped (s from the start), the post-copy phase, what it pulled, remote faults, the guest's stall. */
  switchoverSec?: number;
  postcopyPhaseSec?: number;
  postcopyBytes?: number;
  remoteFaults?: number;
  postcopyBlockedSec?: number;
  /** xbzrle: the hit ratio from the third pass on, hits, misses, overflows (pages) and encoded bytes. */
  xbzrleCacheHitRatio?: number;
  xbzrleCacheHits?: number;
  xbzrleCacheMisses?: number;
  xbzrleOverflows?: number;
  xbzrleEncodedBytes?: number;
  /** multifd: its settings, the ratio used, and the raw page bytes moved. */
  multifdChannels?: number;
  multifdCompression?: MultifdCompression;
  compressionRatio?: number;
  /** multifd: the ratio of pages re-sent after the first pass, where one was given (TechniqueOptions). */
  compressionRatioRewritten?: number;
  rawBytes?: number;
  /** dirty-limit: the guest's dirty-rate cap and when it came on (s of pre-copy; absent if it never did). */
  dirtyLimitBytesPerSec?: number;
  dirtyLimitFromSec?: number;
}

/** Fresh hooks: plain pre-copy (gain 1, no ceiling, no switch, no limit). */
export function plainHooks(): QemuHooks {
  return {
    gain: 1,
    gainFrom: 0,
    cpuRawBytesPerSec: Infinity,
    capBonusBytesPerSec: 0,
    switchAfterRounds: Infinity,
    switchAfterSec: Infinity,
    out: { rawRound1: 0, rawGained: 0, hitRawBytes: 0, hitShare: 0, switched: false, pendingBytes: 0, neverSentBytes: 0, pendingZeroBytes: 0, dirtyLimitFromSec: -1 },
  };
}

/** The set of pages the guest writes (bytes): the working set, the curve's level, else all memory. */
export function poolBytes(input: PredictInput): number {
  const vm = input.vm;
  const cap = vm.workingSetBytes !== undefined ? Math.min(vm.workingSetBytes, vm.memoryBytes) : vm.memoryBytes;
  return compileDirty(vm.dirtyModel, vm.dirtyRateBytesPerSec, cap).poolBytes;
}

export const pageBytes = (input: PredictInput): number => input.vm.pageSizeBytes ?? DEFAULT_PAGE_SIZE;

/** Throws a RangeError naming the first technique setting that breaks its rule (QEMU's, where it has one). */
export function checkTechnique(t: TechniqueOptions, input: PredictInput): void {
  if (!(TECHNIQUES as readonly string[]).includes(t.name)) {
    throw new RangeError(`predict: technique must be one of ${TECHNIQUES.join(', ')} (got ${JSON.stringify(t.name)})`);
  }
  if (t.name !== 'precopy' && input.policy.name !== 'qemu') {
    throw new RangeError(`predict: technique ${t.name} is QEMU's: it needs policy qemu (got ${input.policy.name})`);
  }
  if (t.postcopyAfterPasses !== undefined && !(Number.isInteger(t.postcopyAfterPasses) && t.postcopyAfterPasses >= 1)) {
    throw new RangeError(`predict: technique.postcopyAfterPasses must be a whole number >= 1 (got ${t.postcopyAfterPasses})`);
  }
  if (t.postcopyAfterSec !== undefined) checkFinite('technique.postcopyAfterSec', t.postcopyAfterSec, 0, false);
  if (t.postcopyAfterPasses !== undefined && t.postcopyAfterSec !== undefined) {
    throw new RangeError('predict: technique.postcopyAfterPasses and technique.postcopyAfterSec exclude each other (give one)');
  }
  if (t.maxPostcopyBandwidthBytesPerSec !== undefined && !(t.maxPostcopyBandwidthBytesPerSec > 0)) {
    throw new RangeError(`predict: technique.maxPostcopyBandwidthBytesPerSec must be > 0 (got ${t.maxPostcopyBandwidthBytesPerSec})`);
  }
  if (t.xbzrleCacheBytes !== undefined) {
    const c = t.xbzrleCacheBytes;
    if (!(Number.isInteger(Math.log2(c)) && c >= pageBytes(input))) {
      throw new RangeError(`predict: technique.xbzrleCacheBytes must be a power of two no less than the page size, QEMU's rule (got ${c})`);
    }
  }
  if (t.xbzrleDeltaRatio !== undefined) checkFinite('technique.xbzrleDeltaRatio', t.xbzrleDeltaRatio, 0, false);
  if (t.xbzrleOverflowShare !== undefined && !(t.xbzrleOverflowShare >= 0 && t.xbzrleOverflowShare <= 1)) {
    throw new RangeError(`predict: technique.xbzrleOverflowShare must be in [0, 1] (got ${t.xbzrleOverflowShare})`);
  }
  if (t.multifdChannels !== undefined && !(Number.isInteger(t.multifdChannels) && t.multifdChannels >= 1 && t.multifdChannels <= 255)) {
    throw new RangeError(`predict: technique.multifdChannels must be a whole number in 1-255, QEMU's range (got ${t.multifdChannels})`);
  }
  if (t.multifdCompression !== undefined && !(MULTIFD_COMPRESSIONS as readonly string[]).includes(t.multifdCompression)) {
    throw new RangeError(`predict: technique.multifdCompression must be one of ${MULTIFD_COMPRESSIONS.join(', ')} (got ${JSON.stringify(t.multifdCompression)})`);
  }
  if (t.compressionRatio !== undefined) checkFinite('technique.compressionRatio', t.compressionRatio, 0, true);
  if (t.compressionRatioRewritten !== undefined) checkFinite('technique.compressionRatioRewritten', t.compressionRatioRewritten, 0, true);
  if (t.channelSpeedupRewritten !== undefined) checkFinite('technique.channelSpeedupRewritten', t.channelSpeedupRewritten, 0, true);
  if (t.vcpuDirtyLimitBytesPerSec !== undefined) checkFinite('technique.vcpuDirtyLimitBytesPerSec', t.vcpuDirtyLimitBytesPerSec, 0, true);
  if (t.vcpus !== undefined && !(Number.isInteger(t.vcpus) && t.vcpus >= 1)) {
    throw new RangeError(`predict: technique.vcpus must be a whole number >= 1 (got ${t.vcpus})`);
  }
  if (t.name === 'dirty-limit' && input.policy.autoConverge === true) {
    throw new RangeError('predict: technique dirty-limit conflicts with autoConverge (QEMU refuses both: options.c migrate_caps_check)');
  }
}

/** dirty-limit: auto-converge's trigger, then every vCPU's dirty rate capped at vcpu-dirty-limit (ram.c). */
function predictDirtyLimit(input: PredictInput, t: TechniqueOptions, syncs?: number[]): TechniquePrediction {
  const limit = (t.vcpuDirtyLimitBytesPerSec ?? TECHNIQUE_DEFAULTS.vcpuDirtyLimitBytesPerSec) * (t.vcpus ?? TECHNIQUE_DEFAULTS.vcpus);
  const hooks = plainHooks();
  hooks.dirtyLimitBytesPerSec = limit;
  const p = syncs ? simulateWithSyncs(input, hooks, syncs).prediction : simulate(input, hooks);
  const out: TechniquePrediction = Object.assign(p, { technique: 'dirty-limit' as const, measured: false, note: "not measured: dirty-limit needs KVM's dirty ring, which TCG lacks; rules from QEMU's sources only", dirtyLimitBytesPerSec: limit });
  if (hooks.out.dirtyLimitFromSec >= 0) out.dirtyLimitFromSec = hooks.out.dirtyLimitFromSec;
  return out;
}

/**
 * Predicts a migration with the technique `input.technique` names (plain pre-copy without one). Bad settings
 * throw a RangeError naming the field, as `simulate` does. With `syncs`, every technique that converges by
 * pre-copy's switch-over test (all but post-copy, which always switches) lists its rounds there as
 * `simulateWithSyncs` does, for the convergence outlook (convergence.ts).
 * @example predict({ ...input, technique: { name: 'postcopy' } }).postcopyPhaseSec
 */
export function predict(input: PredictInput, syncs?: number[]): TechniquePrediction {
  const t = input.technique;
  if (t === undefined) return syncs ? simulateWithSyncs(input, undefined, syncs).prediction : simulate(input);
  checkTechnique(t, input);
  switch (t.name) {
    case 'precopy':
    case 'auto-converge': {
      const ac = t.name === 'auto-converge';
      const i = (input.policy.autoConverge === true) === ac ? input : { ...input, policy: { ...input.policy, autoConverge: ac } };
      const p: TechniquePrediction = syncs ? simulateWithSyncs(i, undefined, syncs).prediction : simulate(i);
      p.technique = t.name;
      return p;
    }
    case 'postcopy':
      return predictPostcopy(input, t);
    case 'xbzrle':
      return predictXbzrle(input, t, syncs);
    case 'multifd':
      return predictMultifd(input, t, syncs);
    case 'compress':
      return Object.assign(predictMultifd(input, { ...t, multifdCompression: 'zlib' }, syncs), {
        technique: 'compress' as const,
        note: 'compress: the old compress capability is gone from QEMU (10.0 refuses it); predicted as multifd with zlib, its replacement',
      });
    case 'dirty-limit':
      return predictDirtyLimit(input, t, syncs);
  }
}
