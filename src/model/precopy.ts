/**
 * The pre-copy simulator: rounds of "send what is dirty while the guest dirties more", ended by a stop
 * policy, then stop-and-copy and resume. Pure and allocation-free unless a trace is asked for.
 *
 * Stop policies
 * - xen (Deng 2013, Xen 3.x): stop when fewer than 50 dirty pages remain, after 29 iterations, or when the
 *   next round would take the traffic past 3 x M (checked before the round, so the pre-copy traffic stays
 *   <= 3 x M and the total < 4 x M, as Deng states).
 * - liu (Liu 2011, Algorithm 1): stop when the next round's data is <= V_thd, when it no longer shrinks,
 *   or after max_round rounds (the paper leaves this case open: we stop-and-copy what is dirty).
 * - qemu (QEMU >= 9, migration.c / ram.c): no round cap; a round sends until the pending estimate drops
 *   below bandwidth x downtime-limit, then the dirty bitmap is synced; switch-over when the pending bytes
 *   after the sync fit. Rounds under a binding rate cap last whole 100 ms windows. The final copy is not
 *   rate-limited: it runs at the stop-copy rate, else the line rate, else a 10 Gbit/s link (not the cap).
 *   Optional auto-converge at QEMU's defaults; a throttled round's dirt follows the guest's measured throttle
 *   response where the VM has one (throttle-response.ts), else its vCPU load.
 */
import { compileDirty, dirtiedIn, freshDirtiedIn, skippedFraction, type CompiledDirty } from './dirty.js';
import { LIU_WIRED_ENERGY, energyPerBitJoules, wiredEnergyJoules } from './energy.js';
import type { AdaptiveRate, EnergyModel, MemoryLayout, Platform, PolicyOptions, Prediction, PredictInput, RoundTrace, StopReason } from './types.js';
import { checkInput } from './check-input.js';
import { expectedCheckIntervalSec, hotShareScanned, layoutSeenShare } from './qemu-timing.js';
import { countGained, mixedRates, roundGain, type QemuHooks } from './qemu-hooks.js';
import { stopCopyTime } from './stop-copy.js';
import { catchUpSlices, throttledTimeShare } from './throttle-response.js';

export { expectedCheckIntervalSec, hotShareScanned, layoutSeenShare };

export const DEFAULT_PAGE_SIZE = 4096;

/** Platform defaults: no initialisation constant, Liu's 20 ms resume, no line-rate limit beyond the cap. */
/** qemu's final copy without a known stop-copy or line rate: QEMU lifts the cap for it (migration.c:
 * migration_rate_set(RATE_LIMIT_DISABLED)), so link speed, taken as 10 Gbit/s (or the cap if higher). */
export const DEFAULT_LINK_BYTES_PER_SEC = 10e9 / 8;
/** ram.c: ram_save_iterate hands pages on for at most this long (MAX_WAIT, 50 ms) before the estimate is checked. */
export const ITERATE_SLICE_SEC = 0.05;
export const DEFAULT_PLATFORM: Readonly<Platform> = Object.freeze({
  setupSec: 0,
  resumeSec: 0.02,
  lineRateBytesPerSec: Infinity,
  stopCopyRateBytesPerSec: Infinity,
  firstTouchRateBytesPerSec: Infinity,
  zeroPageWireBytes: 9,
  rateWindowSec: 0.1,
  syncSec: 0.001,
});

/** Defaults of each policy, as their sources give them. */
export const POLICY_DEFAULTS = Object.freeze({
  xen: { thresholdPages: 50, maxRounds: 29, maxTrafficFactor: 3 },
  liu: { thresholdPages: 50, maxRounds: 29 },
  qemu: { downtimeLimitSec: 0.3, timeoutSec: 600, throttleTrigger: 0.5, throttleInitial: 0.2, throttleIncrement: 0.1, throttleMax: 0.99 },
});

/** Liu's adaptive-rate default: delta = 100 Mbit/s. */
export const LIU_ADAPTIVE_DELTA_BYTES_PER_SEC = 100e6 / 8;

/** Guard against pathological inputs: no simulation runs more rounds than this. */
const MAX_SIMULATED_ROUNDS = 100_000;

interface Ctx {
  M: number;
  page: number;
  zeroFraction: number;
  R: number;
  adaptive: AdaptiveRate | undefined;
  platform: Platform;
  dirty: CompiledDirty;
  wireless: { n0: number; b: number } | undefined;
  trace: RoundTrace[] | undefined;
  cpuUtilisation: number;
  /** The measured throttle response as the catch-up it implies, in 10 ms slices (throttle-response.ts); -1: none measured. */
  catchUpSlices: number;
  layout: MemoryLayout | undefined;
  /** The share of the working set the layout's hot pages show (layoutSeenShare). */
  layoutSeen: number;
  /** Zero dirty pages per non-zero dirty byte: z / (1 - z) for a dirty zero share z. */
  zeroPerDirty: number;
  /** qemu, for the convergence outlook: SYNC_FIELDS numbers per pre-copy round (rounds skipped as steady are not). */
  syncs: number[] | undefined;
}

/** Per round in `simulateWithSyncs`: duration, wire bytes, raw rate, bytes dirtied, raw pending after the sync, the switch-over estimate, throttle, the round's new pending dirt, the threshold / limit of the check before it (QEMU's bandwidth, wire bytes/s), and a stop-and-copy there: raw bytes per wire byte, raw rate past the socket buffers, CPU ceiling. */
export const SYNC_FIELDS = 12;

/** Accumulates the result; one per prediction. */
interface Acc {
  sent: number;
  precopySec: number;
  rounds: number;
  wirelessJoules: number;
  maxThrottle: number;
}

function rateFor(ctx: Ctx, dirtyRate: number): number {
  const a = ctx.adaptive;
  if (!a) return ctx.R;
  const r = dirtyRate + a.deltaBytesPerSec;
  return r < a.minBytesPerSec ? a.minBytesPerSec : r > a.maxBytesPerSec ? a.maxBytesPerSec : r;
}

function addWireless(ctx: Ctx, acc: Acc, bytes: number, rate: number): void {
  if (ctx.wireless) acc.wirelessJoules += energyPerBitJoules(ctx.wireless.n0, rate * 8, ctx.wireless.b) * bytes * 8;
}

function finish(
  ctx: Ctx,
  acc: Acc,
  energy: EnergyModel | undefined,
  finalBytes: number,
  finalRate: number,
  converged: boolean,
  reason: StopReason,
  finalSecOverride?: number,
): Prediction {
  const stopCopySec = finalSecOverride ?? finalBytes / finalRate;
  addWireless(ctx, acc, finalBytes, finalRate);
  if (ctx.trace) {
    ctx.trace.push({
      round: acc.rounds,
      kind: 'stop-copy',
      sentBytes: finalBytes,
      durationSec: stopCopySec,
      rateBytesPerSec: finalRate,
      dirtiedBytes: 0,
      skippedBytes: 0,
      remainingBytes: 0,
      throttle: acc.maxThrottle,
    });
  }
  const transferredBytes = acc.sent + finalBytes;
  const p = ctx.platform;
  const energyJoules = ctx.wireless ? acc.wirelessJoules : wiredEnergyJoules(energy && energy.kind === 'wired' ? energy : LIU_WIRED_ENERGY, transferredBytes);
  const out: Prediction = {
    totalTimeSec: p.setupSec + acc.precopySec + stopCopySec + p.resumeSec,
    downtimeSec: stopCopySec + p.resumeSec,
    transferredBytes,
    rounds: acc.rounds,
    converged,
    reason,
    energyJoules,
    setupSec: p.setupSec,
    precopySec: acc.precopySec,
    stopCopySec,
    stopCopyBytes: finalBytes,
    resumeSec: p.resumeSec,
    maxThrottle: acc.maxThrottle,
  };
  if (ctx.trace) out.trace = ctx.trace;
  return out;
}

/** xen and liu: every round sends all that is dirty (less the hot pages a wws model skips). */
function simulateIterative(ctx: Ctx, policy: PolicyOptions, energy: EnergyModel | undefined): Prediction {
  const isXen = policy.name === 'xen';
  const defaults = isXen ? POLICY_DEFAULTS.xen : POLICY_DEFAULTS.liu;
  const threshold = policy.thresholdBytes ?? defaults.thresholdPages * ctx.page;
  const maxRounds = policy.maxRounds ?? defaults.maxRounds;
  const trafficCap = isXen ? (policy.maxTrafficFactor ?? POLICY_DEFAULTS.xen.maxTrafficFactor) * ctx.M : Infinity;
  const { dirty, trace } = ctx;
  const acc: Acc = { sent: 0, precopySec: 0, rounds: 0, wirelessJoules: 0, maxThrottle: 0 };

  const zeroFlagBytes = ((ctx.M * ctx.zeroFraction) / ctx.page) * ctx.platform.zeroPageWireBytes;
  let v = ctx.M * (1 - ctx.zeroFraction) + zeroFlagBytes; // V_0
  let dirtyRate = dirty.rateBytesPerSec;
  for (;;) {
    const rate = rateFor(ctx, dirtyRate);
    const t = v / rate;
    acc.sent += v;
    acc.precopySec += t;
    acc.rounds++;
    addWireless(ctx, acc, v, rate);
    const dirtied = dirtiedIn(dirty, t);
    const skipped = skippedFraction(dirty, t) * dirtied;
    const next = dirtied - skipped;
    if (t > 0) dirtyRate = dirtied / t;
    let reason: StopReason | undefined;
    if (isXen ? next < threshold : next <= threshold) reason = 'below-threshold';
    else if (!isXen && next >= v) reason = 'not-shrinking'; // with dirt capped at M, "equal" is "no longer shrinks"
    else if (acc.rounds >= maxRounds || acc.rounds >= MAX_SIMULATED_ROUNDS) reason = 'max-rounds';
    else if (acc.sent + next > trafficCap) reason = 'traffic-cap';
    if (trace) {
      trace.push({
        round: acc.rounds - 1,
        kind: 'pre-copy',
        sentBytes: v,
        durationSec: t,
        rateBytesPerSec: rate,
        dirtiedBytes: dirtied,
        skippedBytes: reason ? 0 : skipped,
        remainingBytes: reason ? dirtied : next,
        throttle: 0,
      });
    }
    if (reason) {
      // Stop-and-copy sends everything dirty, the hot pages included (Algorithm 1, line 9).
      return finish(ctx, acc, energy, dirtied, rateFor(ctx, dirtyRate), reason === 'below-threshold', reason);
    }
    v = next;
  }
}

/** post-copy: the state at the switch into the hooks, and the pre-copy part as a prediction. */
function switchOver(h: QemuHooks, ctx: Ctx, acc: Acc, energy: EnergyModel | undefined, pending: number, neverSent: number, pendingZero: number): Prediction {
  const o = h.out;
  o.switched = true;
  o.pendingBytes = pending;
  o.neverSentBytes = Math.min(neverSent, pending);
  o.pendingZeroBytes = pendingZero;
  return finish(ctx, acc, energy, 0, 1, true, 'switched-to-postcopy', 0);
}

/** qemu: rounds end at a dirty-bitmap sync once the pending estimate drops below the switch-over threshold. */
function simulateQemu(ctx: Ctx, policy: PolicyOptions, energy: EnergyModel | undefined, h: QemuHooks | undefined): Prediction {
  const d = POLICY_DEFAULTS.qemu;
  const downtimeLimit = policy.downtimeLimitSec ?? d.downtimeLimitSec;
  const timeout = policy.timeoutSec ?? d.timeoutSec;
  const autoConverge = policy.autoConverge === true;
  const byAge = (policy.freshDirt ?? 'age') === 'age' && ctx.dirty.kind === 2;
  const { dirty, trace, platform } = ctx;
  const lineRate = platform.lineRateBytesPerSec;
  const window = platform.rateWindowSec;
  const acc: Acc = { sent: 0, precopySec: 0, rounds: 0, wirelessJoules: 0, maxThrottle: 0 };
  const finalRate = Number.isFinite(platform.stopCopyRateBytesPerSec) ? platform.stopCopyRateBytesPerSec : Number.isFinite(lineRate) ? lineRate : Math.max(ctx.R, DEFAULT_LINK_BYTES_PER_SEC);
  const firstTouchRate = Number.isFinite(platform.firstTouchRateBytesPerSec) ? platform.firstTouchRateBytesPerSec : finalRate;
  // Bytes of the first pass never sent yet: the scan resumes where it stopped, so they go first next round.
  let neverSent = 0;
  // Technique hooks (none for plain pre-copy: gain 1, no CPU ceiling, no switch, no limit).
  const cpu0 = h ? h.cpuRawBytesPerSec : Infinity, stopCpu = h?.stopCpuFactor ?? 1;
  const rewritten = h?.rewritten;
  const switchRounds = h ? h.switchAfterRounds : Infinity;
  const postcopy = h !== undefined && (h.switchAfterRounds < Infinity || h.switchAfterSec < Infinity);
  const endSec = postcopy ? h.switchAfterSec : timeout; // post-copy always switches: the give-up time-out does not apply
  const limitRate = h?.dirtyLimitBytesPerSec;
  let limitOn = false;

  const nonZero = ctx.M * (1 - ctx.zeroFraction);
  const zeroFlagBytes = ((ctx.M * ctx.zeroFraction) / ctx.page) * platform.zeroPageWireBytes;
  let pending = nonZero; // non-zero bytes still to send; zero pages go in round 0 as flags
  let pendingZero = 0; // dirty pages left zero since round 0 (bytes of page): flags on the wire, pages to QEMU's estimate
  let extraWire = zeroFlagBytes;
  let throttle = 0;
  let highCount = 0;
  let checkCredit = 0;
  let periodDirty = 0;
  let periodXfer = 0;
  let dirtyRate = dirty.rateBytesPerSec;
  let prevPending = -1;
  let lastWireRate = 0;
  const buffered = platform.stopCopyBufferedBytes ?? 0;
  // XBZRLE: raw bytes sent since the first pass ended (the pages its cache holds; hooks.cache).
  let cachedBytes = 0;
  for (;;) {
    let g = h === undefined ? 1 : roundGain(h, acc.rounds, cachedBytes);
    let cpu = cpu0;
    if (rewritten !== undefined) [g, cpu] = mixedRates(rewritten, acc.rounds, g, cpu, pending, neverSent);
    const cap = rateFor(ctx, dirtyRate) + (h === undefined ? 0 : h.capBonusBytesPerSec);
    let binding = cap < lineRate;
    let rate = (binding ? cap : lineRate) * g; // raw bytes/s; rate / g is what QEMU measures as its bandwidth
    // multifd's channels are the bottleneck: QEMU's migration thread hands them pages in 50 ms slices
    // (ram.c ram_save_iterate) and checks the estimate between them: a round ends at a slice's end or when all is sent.
    const cpuBound = rate > cpu;
    if (cpuBound) [rate, binding] = [cpu, false];
    // QEMU's threshold: the last 100 ms window's wire bandwidth (migration.c), which multifd's short CPU-bound rounds blend.
    const threshold = (cpu0 < Infinity && lastWireRate > 0 ? lastWireRate : rate / g) * downtimeLimit;
    // QEMU's estimate counts dirty pages, the zero ones (sent as flags) included.
    const estimate = pending + pendingZero;
    if (estimate <= threshold && acc.rounds > 0) {
      if (h !== undefined && g !== 1) countGained(h, pending);
      return finish(ctx, acc, energy, pending / g, finalRate, true, 'fits-downtime-limit', stopCopyTime(pending, neverSent, firstTouchRate, finalRate, g, cpu * stopCpu, buffered));
    }
    if (postcopy && acc.rounds >= switchRounds) return switchOver(h!, ctx, acc, energy, pending, neverSent, pendingZero);
    // Send until the estimate drops below the threshold (zero dirty pages, spread among the non-zero ones, go
    // along for free). QEMU knows no bandwidth (so no threshold) before its first 100 ms window has passed:
    // round 0 always sends at least one window's worth.
    const want = acc.rounds === 0 ? Math.min(pending, Math.max(rate * window, pending - threshold)) : estimate > 0 ? ((estimate - threshold) * pending) / estimate : 0;
    let sent: number;
    let t: number;
    if (binding) {
      const quota = rate * window;
      const windows = Math.max(1, Math.ceil(want / quota - 1e-9));
      sent = Math.min(pending, windows * quota);
      t = sent >= pending && Number.isFinite(lineRate) ? (windows - 1) * window + (sent - (windows - 1) * quota) / Math.min(lineRate * g, cpu) : windows * window;
    } else {
      const slice = cpuBound ? rate * ITERATE_SLICE_SEC : 0;
      sent = slice > 0 ? Math.min(pending, Math.max(1, Math.ceil(want / slice - 1e-9)) * slice) : want;
      t = sent / rate;
    }
    t += platform.syncSec; // the bitmap sync that ends the round
    // Given up at the time-out: cut this round where the clock runs out (QEMU's cancel is not round-aligned).
    const cut = acc.precopySec + t > endSec;
    if (cut) {
      t = Math.max(0, endSec - acc.precopySec);
      sent = Math.min(sent, rate * t);
    }
    const zeroSent = pending > 0 ? pendingZero * Math.min(1, sent / pending) : pendingZero;
    pendingZero -= zeroSent;
    const wire = sent / g + extraWire + (zeroSent / ctx.page) * platform.zeroPageWireBytes;
    if (h !== undefined) {
      if (acc.rounds === 1) h.out.rawRound1 += sent;
      if (acc.rounds >= h.gainFrom) countGained(h, sent);
      // Pages sent once the first pass is done (its never-sent leftover goes first) are the ones XBZRLE caches.
      if (acc.rounds >= 1) cachedBytes += Math.max(0, sent - neverSent);
    }
    extraWire = 0;
    if (cpu0 < Infinity) lastWireRate = t >= window || lastWireRate === 0 ? rate / g : (t * (rate / g) + (window - t) * lastWireRate) / window;
    acc.sent += wire;
    acc.precopySec += t;
    acc.rounds++;
    addWireless(ctx, acc, wire, rate);
    const leftover = pending - sent;
    neverSent = acc.rounds === 1 ? leftover : Math.max(0, neverSent - sent);
    // Throttled, the round dirties as the unthrottled guest does in a share of its time: the measured response's
    // (throttle-response.ts), else the CPU-load rule (a guest needing u of its vCPU is cut once 1 - p < u).
    const dirtySec = throttle > 0 ? t * (ctx.catchUpSlices >= 0 ? throttledTimeShare(throttle, ctx.catchUpSlices) : Math.min(1, (1 - throttle) / ctx.cpuUtilisation)) : t;
    let dirtied = dirtiedIn(dirty, dirtySec);
    // Newly dirtied pages that are still in the unsent leftover add nothing. Round 0 scans RAM in address order:
    // the dirt already scanned is the share of the hot pages the pass has got past (with no layout, the
    // working set may lie anywhere: the share of the first pass sent). Later rounds, with a measured curve (and
    // `freshDirt: 'age'`, the default): of the hot pages the first pass has reached (all, once it is done), those
    // not dirty already (freshDirtiedIn), the first pass's never-sent pages being no part of the pending dirt;
    // otherwise (`freshDirt: 'pool'`, or one rate) the leftover and the new dirt are drawn from the same pool.
    let fresh: number;
    if (acc.rounds === 1) fresh = dirtied * hotShareScanned(ctx.layout, nonZero > 0 ? sent / nonZero : 1, ctx.layoutSeen);
    else if (byAge) {
      const reached = neverSent > 0 && nonZero > 0 ? hotShareScanned(ctx.layout, 1 - neverSent / nonZero, ctx.layoutSeen) : 1;
      fresh = reached > 0 ? reached * freshDirtiedIn(dirty, dirtySec, Math.max(0, leftover - neverSent) / reached) : 0;
    } else fresh = freshDirtiedIn(dirty, dirtySec, leftover, 'pool');
    if (limitOn && dirtied > limitRate! * dirtySec) {
      // dirty-limit: the guest writes no faster than the limit, so a round dirties at most limit x its length.
      const scale = (limitRate! * dirtySec) / dirtied;
      dirtied *= scale;
      fresh *= scale;
    }
    const next = leftover + fresh;
    pendingZero += fresh * ctx.zeroPerDirty;
    if (t > 0) dirtyRate = dirtied / t;
    const roundThrottle = throttle;
    if (ctx.syncs) ctx.syncs.push(t, wire, rate, dirtied, next, next + pendingZero, roundThrottle, fresh, threshold / downtimeLimit, g, Math.min(finalRate * g, cpu * stopCpu), cpu * stopCpu);

    // Auto-converge: judged at the first sync more than 1 s after the last judgement, on average once per
    // expectedCheckIntervalSec of rounds like this one.
    periodDirty += dirtied;
    periodXfer += wire;
    checkCredit += t > 0 ? t / expectedCheckIntervalSec(t) : 0;
    if (checkCredit >= 1 - 1e-9) {
      checkCredit -= 1;
      if ((autoConverge || limitRate !== undefined) && periodDirty > d.throttleTrigger * periodXfer && ++highCount >= 2) {
        highCount = 0;
        if (autoConverge) {
          throttle = throttle === 0 ? d.throttleInitial : Math.min(d.throttleMax, throttle + d.throttleIncrement);
          if (throttle > acc.maxThrottle) acc.maxThrottle = throttle;
        } else if (!limitOn) {
          limitOn = true;
          h!.out.dirtyLimitFromSec = acc.precopySec;
        }
      }
      periodDirty = 0;
      periodXfer = 0;
    }
    if (trace) {
      trace.push({
        round: acc.rounds - 1,
        kind: 'pre-copy',
        sentBytes: wire,
        durationSec: t,
        rateBytesPerSec: rate,
        dirtiedBytes: dirtied,
        skippedBytes: 0,
        remainingBytes: next,
        throttle: roundThrottle,
        estimateBytes: next + pendingZero,
      });
    }
    pending = next;

    if (cut || acc.rounds >= MAX_SIMULATED_ROUNDS) {
      if (postcopy) return switchOver(h!, ctx, acc, energy, pending, neverSent, pendingZero);
      // What a forced switch-over at this point would cost is reported as the downtime.
      const [gEnd, cpuEnd] = mixedRates(rewritten, acc.rounds, h === undefined ? 1 : roundGain(h, acc.rounds, cachedBytes), cpu0, pending, neverSent);
      return finish(ctx, acc, energy, pending / gEnd, finalRate, false, 'timeout', stopCopyTime(pending, neverSent, firstTouchRate, finalRate, gEnd, cpuEnd * stopCpu, buffered));
    }
    // A steady state that no throttle step can change never converges: skip whole rounds up to the time-out.
    const steady = prevPending >= 0 && Math.abs(next - prevPending) <= 1e-9 * ctx.M + 1e-6 && (!autoConverge || (roundThrottle >= d.throttleMax && throttle === roundThrottle));
    if (steady && next + pendingZero > threshold && !trace && t > 0 && !postcopy && (limitRate === undefined || limitOn || dirtied <= d.throttleTrigger * wire)) {
      const more = Math.floor((endSec - acc.precopySec) / t);
      acc.sent += more * wire;
      acc.precopySec += more * t;
      acc.rounds += more;
      if (h !== undefined && acc.rounds - more - 1 >= h.gainFrom) countGained(h, more * sent);
      if (ctx.wireless) acc.wirelessJoules += more * energyPerBitJoules(ctx.wireless.n0, rate * 8, ctx.wireless.b) * wire * 8;
    }
    prevPending = next;
  }
}

/**
 * Predicts a live pre-copy migration: total time, downtime, bytes sent, rounds, energy, and why it stopped.
 * Bad arguments throw a RangeError naming the field; non-convergence is a value (`converged: false`).
 * @example predict({ vm: { memoryBytes: 2**30, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 2**27,
 *   policy: { name: 'liu' }, platform: { resumeSec: 0 } }).totalTimeSec // 8: one round of 1 GiB at 128 MiB/s
 */
export function simulate(input: PredictInput, hooks?: QemuHooks): Prediction {
  return run(input, undefined, hooks);
}

/**
 * `simulate`, and (qemu) each pre-copy round's figures, SYNC_FIELDS numbers a round, for the convergence outlook.
 * A run that never converges skips its steady rounds up to the time-out (unless traced): they are copies of the
 * last round listed before the final, cut one.
 */
export function simulateWithSyncs(input: PredictInput, hooks?: QemuHooks, syncs: number[] = []): { prediction: Prediction; syncs: number[] } {
  return { prediction: run(input, syncs, hooks), syncs };
}

function run(input: PredictInput, syncs: number[] | undefined, hooks: QemuHooks | undefined): Prediction {
  const { vm, policy } = input;
  const platform: Platform = input.platform ? { ...DEFAULT_PLATFORM, ...input.platform } : DEFAULT_PLATFORM;
  checkInput(input, platform);
  const a = input.adaptiveRate;
  const M = vm.memoryBytes;
  const cap = vm.workingSetBytes !== undefined ? Math.min(vm.workingSetBytes, M) : M;
  const energy = input.energy;
  const dirty = compileDirty(vm.dirtyModel, vm.dirtyRateBytesPerSec, cap);
  const page = vm.pageSizeBytes ?? DEFAULT_PAGE_SIZE;
  const ctx: Ctx = {
    M,
    page,
    zeroFraction: vm.zeroPageFraction ?? 0,
    R: input.bandwidthBytesPerSec,
    adaptive: a, platform, dirty,
    wireless: energy && energy.kind === 'wireless' ? { n0: energy.noiseDensityWattsPerHz, b: energy.channelBandwidthHz } : undefined,
    trace: input.trace ? [] : undefined,
    cpuUtilisation: vm.cpuUtilisation ?? 1,
    catchUpSlices: vm.throttleResponse ? catchUpSlices(vm.throttleResponse) : -1,
    layout: vm.layout, layoutSeen: layoutSeenShare(vm.layout, page, dirty.poolBytes),
    zeroPerDirty: vm.dirtyZeroShare ? vm.dirtyZeroShare / (1 - vm.dirtyZeroShare) : 0,
    syncs,
  };
  switch (policy.name) {
    case 'xen':
    case 'liu':
      return simulateIterative(ctx, policy, energy);
    case 'qemu':
      return simulateQemu(ctx, policy, energy, hooks);
    default:
      throw new RangeError(`predict: policy.name must be one of xen, liu, qemu (got ${JSON.stringify((policy as { name: unknown }).name)})`);
  }
}
