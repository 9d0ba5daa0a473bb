/**
 * Shared types of the prediction core. Every number is in SI base units and says so in its name:
 * bytes, bytes per second, seconds, joules. Human units are parsed at the edges (see `units.ts`).
 */

/** The stop policies the pre-copy simulator knows. */
export const POLICIES = ['xen', 'liu', 'qemu'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** The dirty models the simulator knows. */
export const DIRTY_MODELS = ['constant', 'wws', 'curve'] as const;
export type DirtyModelName = (typeof DIRTY_MODELS)[number];

/** Why a simulated migration stopped iterating. */
export const STOP_REASONS = [
  /** remaining dirty data fell below the policy's threshold (xen, liu): converged */
  'below-threshold',
  /** pending bytes fit in bandwidth x downtime-limit (qemu): converged */
  'fits-downtime-limit',
  /** the round cap was reached first (xen: 29 iterations; liu: max_round): forced stop-and-copy */
  'max-rounds',
  /** more than maxTrafficFactor x memory was sent (xen: 3 x M): forced stop-and-copy */
  'traffic-cap',
  /** a round no longer shrank the dirty data (liu): forced stop-and-copy */
  'not-shrinking',
  /** qemu never reached its switch-over condition before the time-out: the migration is given up */
  'timeout',
  /** post-copy: pre-copy ran its passes (or seconds), then the guest moved and pulls the rest (always completes) */
  'switched-to-postcopy',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** Sample of Deng's memory characteristics function: distinct bytes dirtied within a window. */
export interface CurvePoint {
  windowSec: number;
  dirtiedBytes: number;
}

/** Liu's writable-working-set coefficients: gamma = a*T + b*D + c, T in s, D in MiB/s. */
export interface WwsCoefficients {
  a: number;
  b: number;
  c: number;
}

/** A dirty model, as plain data (so it can be stored, sent as JSON and fitted). */
export type DirtyModelSpec =
  | { kind: 'constant' }
  | { kind: 'wws'; coefficients?: WwsCoefficients }
  | { kind: 'curve'; points: CurvePoint[] };

/** The VM to migrate. */
export interface VmSpec {
  memoryBytes: number;
  /** Mean rate at which the guest dirties memory (for `curve`, used by the adaptive rate only). */
  dirtyRateBytesPerSec: number;
  /** Fraction of memory that is zero pages, sent as flags rather than page contents. [0, 1], default 0. */
  zeroPageFraction?: number;
  /** Guest page size, default 4096. */
  pageSizeBytes?: number;
  /** Size of the set of pages the guest writes to, if known (bytes). Bounds the distinct pages dirtied. */
  workingSetBytes?: number;
  /** Default `{ kind: 'constant' }`. */
  dirtyModel?: DirtyModelSpec;
  /**
   * Share of its vCPU time the guest was busy while its dirty rate was sampled, (0, 1]. A workload that
   * needs only u of the CPU keeps its dirty rate under an auto-converge throttle p until 1 - p < u; past
   * that it slows by (1 - p) / u. Default 1: a CPU-bound guest, slowed by every throttle step.
   */
  cpuUtilisation?: number;
  /**
   * Of the pages the guest dirties, the share it leaves zero (freshly allocated page-cache or heap pages): the
   * dirty model counts non-zero bytes (what the wire carries), but QEMU's switch-over rule counts dirty pages,
   * zero ones included (qemu policy only). Default 0.
   */
  dirtyZeroShare?: number;
  /**
   * Where the guest's memory lies in address order, the order QEMU's first pre-copy pass scans it: per equal
   * slice of guest RAM, its non-zero pages and its hot pages (written within a short window). The qemu policy
   * uses it to tell how much of the working set the first pass has already sent when it ends (that part is
   * sent again). Without it, or with no hot page in it, the working set is taken to lie anywhere (uniform).
   */
  layout?: MemoryLayout;
  /**
   * How much the distinct dirt of one round varies from round to round: the coefficient of variation (sd / mean)
   * of a 1 s round's dirt; a round of t s has dirtDispersion / sqrt(t) (independent increments). Read by
   * `convergenceOutlook` only (the plain prediction ignores it); from the pseudo-migration's bitmap rounds
   * (`dirtDispersionFromSample`), else `DEFAULT_DIRT_DISPERSION`. >= 0; 0 makes the outlook deterministic.
   */
  dirtDispersion?: number;
  /**
   * A quiet phase the guest's dirt goes through, from a longer look (`sample --horizon`, `phasesFromSample`): the
   * share of time it is quiet, its rate over the busy rate, and how long a quiet run lasts (s). Read by
   * `convergenceOutlook` only: a sync lands in a quiet phase with probability `quietShare`, and there the round's
   * dirt is scaled by `quietRoundFactor`. Absent: no phases (the outlook as without it).
   */
  dirtPhases?: DirtPhases;
  /**
   * How far the rate the guest dirties at during the migration may stray from the sampled one: the sd of its log.
   * Read by the outlook with the model's error only (`predictWithOutlook`; rate-spread.ts); the plain prediction
   * ignores it. Default `DIRT_RATE_SPREAD` (0.16, lab-fitted); 0 turns it off. In [0, 2].
   */
  dirtRateSpread?: number;
  /**
   * How the guest's dirt answers auto-converge's throttle, measured (`sample --throttle-probe`,
   * `responseFromProbe`): at throttle `throttle` a round dirtied as the unthrottled guest does in `dirtShare` of the
   * time. The qemu policy's throttled rounds follow it (throttle-response.ts: the catch-up it implies), in place of
   * the `cpuUtilisation` rule. Absent: that rule.
   */
  throttleResponse?: ThrottleResponse;
}

/** A measured throttle response (see `VmSpec.throttleResponse`): throttle in (0, 1), dirtShare in [0, 1]. */
export interface ThrottleResponse {
  throttle: number;
  dirtShare: number;
}

/** A quiet phase of a guest's dirt (see `VmSpec.dirtPhases`). quietShare in (0, 1), quietFactor >= 0, quietRunSec >= 0. */
export interface DirtPhases {
  quietShare: number;
  quietFactor: number;
  quietRunSec: number;
  /**
   * The quiet windows' rates over the busy windows' mean, as at most 64 points of their distribution (ascending;
   * `phasesFromSample`: 8 equal-probability quantile midpoints): a quiet round's factor is drawn from them. Their
   * mean is about `quietFactor`. Absent: every quiet round at `quietFactor`.
   */
  quietFactors?: number[];
}

/** Per equal slice of guest RAM, in address order: non-zero pages and hot pages (same length, >= 0). */
export interface MemoryLayout {
  nonZeroPages: readonly number[];
  hotPages: readonly number[];
}

/** Liu's adaptive transmission rate (§6.3): R_i = D_i + delta, clamped to [min, max]. */
export interface AdaptiveRate {
  deltaBytesPerSec: number;
  minBytesPerSec: number;
  maxBytesPerSec: number;
}

/** Constants of the platform that the papers treat as fixed per hypervisor and host pair. */
export interface Platform {
  /** Deng's initialisation (pre-migration + reservation); QEMU's setup-time. */
  setupSec: number;
  /** Deng's resume (commitment + activation); Liu's T_resume (20 ms). Part of downtime. */
  resumeSec: number;
  /**
   * Highest rate the link and hypervisor can really move data at, whatever the cap says.
   * The qemu policy's final stop-and-copy runs at this rate (QEMU does not rate-limit it).
   * Default: Infinity, meaning "the configured bandwidth".
   */
  lineRateBytesPerSec: number;
  /**
   * Rate of the qemu policy's final stop-and-copy, which QEMU does not rate-limit and which runs with the
   * guest stopped (so faster than pre-copy under TCG). Default: the line rate if finite, else link speed taken
   * as 10 Gbit/s (DEFAULT_LINK_BYTES_PER_SEC), or the cap if that is higher — never a cap below link speed.
   */
  stopCopyRateBytesPerSec: number;
  /**
   * qemu: rate of the stop-and-copy for pages never sent before (the destination touches them first; seen
   * here ~4x slower than re-sent pages). Default: the stop-and-copy rate.
   */
  firstTouchRateBytesPerSec: number;
  /**
   * qemu: wire bytes of the final copy the source hands to its socket buffers without waiting: with no return
   * path (plain pre-copy, XBZRLE, multifd) QEMU's downtime ends when the source has written the last byte
   * (migration.c migration_completion -> migration_completion_end -> migration_downtime_end), not when the
   * destination has loaded it, so the first bytes cost next to nothing and only the rest goes at the stop-copy
   * rates. Fitted per machine by `lab calibrate` (calibrate/platform.ts). Default 0 (no buffering: every byte at
   * the stop-copy rates, the model before issue 19's downtime rules); docs/model.md gives the lab's fit.
   */
  stopCopyBufferedBytes?: number;
  /** Wire bytes per zero page sent as a flag (QEMU: an 8-byte header and one byte). */
  zeroPageWireBytes: number;
  /** qemu: what one dirty-bitmap sync costs (s); the guest keeps dirtying meanwhile. Default 1 ms. */
  syncSec: number;
  /** QEMU's rate-limit window (100 ms): rounds under a binding cap last whole windows. */
  rateWindowSec: number;
  /**
   * multifd: raw page bytes one channel moves per second with each compression (its thread's CPU). Defaults in
   * techniques.ts (TECHNIQUE_PLATFORM_DEFAULTS).
   */
  multifdNoneChannelBytesPerSec?: number;
  multifdZlibChannelBytesPerSec?: number;
  multifdZstdChannelBytesPerSec?: number;
  /**
   * multifd: raw page bytes one channel moves per second on pages that compress away; with the rates above (on
   * incompressible pages) a channel spends (1 - s) / redundant + s / incompressible seconds per raw byte at
   * compressed share s (calibrate/multifd-rate.ts). Defaults in techniques.ts.
   */
  multifdZlibChannelRedundantBytesPerSec?: number;
  multifdZstdChannelRedundantBytesPerSec?: number;
  /**
   * multifd with zlib or zstd: the channels' compression rate during the stop-and-copy over their rate while the
   * guest runs (the vCPUs' host CPU is free once the guest stops, where the host has no other use for it). Fitted by
   * `lab calibrate` (calibrate/multifd-stop.ts); default 1 (no evidence either way).
   */
  multifdStopCopyChannelSpeedup?: number;
  /** multifd: packets of wire bytes each 100 ms rate window sends past its budget. Default in techniques.ts (1.5, from the sources). */
  multifdWindowOvershootPackets?: number;
  /**
   * post-copy: the switch's fixed time (s): QEMU's post-copy downtime runs from the stop to the device-state
   * package sent (migration.c postcopy_start), with no RAM copy and no wait for the destination. Fitted by
   * `lab calibrate` as the median downtime of post-copy runs that switched; default in techniques.ts.
   */
  postcopySwitchSec?: number;
  /**
   * post-copy: the rate the source pushes what is left once the guest runs on the destination (wire bytes/s, before
   * `max-postcopy-bandwidth`). Fitted by `lab calibrate` as the median rate of the post-copy phases whose cap did not
   * bind (calibrate/platform.ts). Absent: the stop-and-copy's rates (never-sent pages at the first-touch rate).
   */
  postcopyPushRateBytesPerSec?: number;
  /** post-copy: how long the guest waits for a page it faults on (s). Default in techniques.ts. */
  postcopyFaultLatencySec?: number;
}

export interface PolicyOptions {
  name: PolicyName;
  /** xen/liu: stop when the dirty data to send falls to or below this (bytes). Default 50 pages. */
  thresholdBytes?: number;
  /** xen/liu: most pre-copy rounds before a forced stop-and-copy. Default 29 (Xen 3.x). */
  maxRounds?: number;
  /** xen: forced stop-and-copy once more than this x memory was sent. Default 3. */
  maxTrafficFactor?: number;
  /** qemu: switch over when pending bytes fit in bandwidth x this. Default 0.3 s. */
  downtimeLimitSec?: number;
  /** qemu: auto-converge throttling at QEMU's defaults (20 % first, +10 % a step, 99 % max). */
  autoConverge?: boolean;
  /** qemu: give up (cancel) after this long without converging. Default 600 s. */
  timeoutSec?: number;
  /**
   * qemu with a measured curve: which of a later round's dirt is new. `age` (default): the pending dirt is the
   * last D^-1(pending) seconds of writes, so a round of t s adds D(age + t) - D(age), the first pass's never-sent
   * pages being no part of it (exact for any writer whose curve is right; it also follows errors in the curve's
   * shape). `pool`: the leftover and the new dirt are drawn uniformly from the working set (the curve's level,
   * else all memory) — the default until session 7; pooled over twelve lab passes `age` has the lower p90s and
   * more verdicts right (README, lab figures).
   */
  freshDirt?: 'pool' | 'age';
}

/** The wired energy model E = alpha * V(MiB) + beta (Liu eq. 15). */
export interface WiredEnergyModel {
  kind: 'wired';
  /** J per MiB sent. Paper: 0.512. */
  alphaJoulesPerMiB: number;
  /** J. Paper: 20.165. */
  betaJoules: number;
}

/** The wireless (AWGN/Shannon) model: E = E_b * bits, E_b = N0 (2^(R/B) - 1) / (R/B). */
export interface WirelessEnergyModel {
  kind: 'wireless';
  /** Channel bandwidth B in Hz. */
  channelBandwidthHz: number;
  /** Effective noise power spectral density N0 at the receiver, referred to the transmitter (W/Hz). */
  noiseDensityWattsPerHz: number;
}

export type EnergyModel = WiredEnergyModel | WirelessEnergyModel;

export interface PredictInput {
  vm: VmSpec;
  /** The configured transfer rate (the migration's bandwidth cap), bytes per second. */
  bandwidthBytesPerSec: number;
  policy: PolicyOptions;
  platform?: Partial<Platform>;
  adaptiveRate?: AdaptiveRate;
  energy?: EnergyModel;
  /** Keep the per-round trace (costs allocations; off for bulk predictions). */
  trace?: boolean;
  /**
   * Which QEMU migration technique, with its settings (techniques.ts). Absent: plain pre-copy as the policy
   * says (with auto-converge when the policy asks), and the prediction carries no `technique` field.
   */
  technique?: TechniqueOptions;
}

/** QEMU's migration techniques (techniques.ts, docs/techniques.md). `compress` means multifd with zlib. */
export const TECHNIQUES = ['precopy', 'auto-converge', 'postcopy', 'xbzrle', 'multifd', 'compress', 'dirty-limit'] as const;
export type TechniqueName = (typeof TECHNIQUES)[number];

/** multifd-compression values the model knows (QEMU's qpl, uadk, qatzip need hardware the lab has not). */
export const MULTIFD_COMPRESSIONS = ['none', 'zlib', 'zstd'] as const;
export type MultifdCompression = (typeof MULTIFD_COMPRESSIONS)[number];

/** A technique and its own settings; every setting has QEMU's default (techniques.ts TECHNIQUE_DEFAULTS). */
export interface TechniqueOptions {
  name: TechniqueName;
  /** postcopy: switch after this many complete pre-copy passes (default 1), or after this many seconds. */
  postcopyAfterPasses?: number;
  postcopyAfterSec?: number;
  /** postcopy: max-postcopy-bandwidth (bytes/s); default unlimited (QEMU's 0). */
  maxPostcopyBandwidthBytesPerSec?: number;
  /** xbzrle: xbzrle-cache-size (bytes, a power of two); default 64 MiB. */
  xbzrleCacheBytes?: number;
  /** xbzrle: mean encoded size of a cache hit over the page size; >= 1 means every hit overflows. */
  xbzrleDeltaRatio?: number;
  /** xbzrle: share of cache hits whose delta overflows (sent as full pages); default 1 if the ratio >= 1, else 0. */
  xbzrleOverflowShare?: number;
  /** multifd: multifd-channels (1-255, default 2) and multifd-compression (default none). */
  multifdChannels?: number;
  multifdCompression?: MultifdCompression;
  /** multifd: raw bytes over compressed bytes of the pages sent (default per compression, techniques.ts). */
  compressionRatio?: number;
  /**
   * multifd with zlib or zstd: the same for pages re-sent after the first pass (the pages the guest rewrites),
   * where they compress unlike memory as a whole. Default: `compressionRatio` for every page.
   */
  compressionRatioRewritten?: number;
  /**
   * multifd with zlib or zstd, with `compressionRatioRewritten`: how many times faster a channel compresses those
   * pages than memory as a whole (the sampler times both). Default: the channel model at their share.
   */
  channelSpeedupRewritten?: number;
  /** dirty-limit: vcpu-dirty-limit per vCPU (bytes/s, default 1 MB/s) and the vCPU count (default 1). */
  vcpuDirtyLimitBytesPerSec?: number;
  vcpus?: number;
}

export type RoundKind = 'pre-copy' | 'stop-copy' | 'post-copy';

/** One round of the simulated migration. */
export interface RoundTrace {
  round: number;
  kind: RoundKind;
  /** Bytes put on the wire in the round (page contents and zero-page flags). */
  sentBytes: number;
  durationSec: number;
  /** Rate used in the round. */
  rateBytesPerSec: number;
  /** Distinct bytes dirtied during the round. */
  dirtiedBytes: number;
  /** Of those, skipped as hot (writable working set) until stop-and-copy. */
  skippedBytes: number;
  /** Dirty bytes left to send when the round ends. */
  remainingBytes: number;
  /** vCPU throttle in force during the round (auto-converge), 0..0.99. */
  throttle: number;
  /** qemu: the switch-over rule's estimate after the round's sync (pending bytes, dirty zero pages included). */
  estimateBytes?: number;
}

/** The plain deterministic run's key figures (the sampled rate's run, `simulate`), carried beside the outlook's median. */
export interface PlainRun {
  totalTimeSec: number;
  transferredBytes: number;
  downtimeSec: number;
  converged: boolean;
}

/** A prediction. `converged` is false when a stop rule forced the end; `reason` says which. */
export interface Prediction {
  totalTimeSec: number;
  downtimeSec: number;
  transferredBytes: number;
  /** Pre-copy rounds before stop-and-copy. */
  rounds: number;
  converged: boolean;
  reason: StopReason;
  energyJoules: number;
  setupSec: number;
  precopySec: number;
  stopCopySec: number;
  stopCopyBytes: number;
  resumeSec: number;
  /** Highest auto-converge throttle reached (0 without it). */
  maxThrottle: number;
  /** What the answer rests on that the input did not measure (auto-converge without a throttle probe: throttle-assumption.ts). */
  assumption?: string;
  /** The outlook's answer (outlook.ts): the plain deterministic run's figures beside its median (what `plan` ranks by). */
  plain?: PlainRun;
  trace?: RoundTrace[];
}
