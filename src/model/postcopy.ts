/**
 * post-copy (QEMU `postcopy-ram`, `migrate-start-postcopy`): pre-copy for a number of passes (or seconds), then
 * stop the guest, send the discard bitmap and the device state, resume on the destination and pull what is left
 * while the guest runs there, faulting on the pages that have not arrived. Rules and sources: docs/techniques.md.
 * Pure.
 */
import { simulate, DEFAULT_PLATFORM } from './precopy.js';
import { compileDirty, dirtiedIn } from './dirty.js';
import { LIU_WIRED_ENERGY, migrationEnergyJoules, wiredEnergyJoules } from './energy.js';
import { TECHNIQUE_DEFAULTS, TECHNIQUE_PLATFORM_DEFAULTS, pageBytes, plainHooks, poolBytes, type TechniquePrediction } from './techniques.js';
import type { PredictInput, TechniqueOptions } from './types.js';

/** Bytes of one discard range on the wire (ram.c postcopy_discard_send_range: start and length, 8 bytes each). */
export const DISCARD_RANGE_BYTES = 16;

/**
 * The remote faults a guest takes while post-copy pulls `pendingBytes` over `phaseSec`: it touches the pages it
 * writes at its curve's distinct-page rate over the phase, a share pendingBytes / pool of them still on the source,
 * and on average half the phase before their page is pushed; each fault stalls the vCPU for `latencySec`, during
 * which it touches nothing. So F = a T / (1 + a L) with a = 1/2 x touched pages per s x pending share. Pure.
 * @example remoteFaults(20000 * 4096, 0.3, 1, 0.025, 4096) // a = 20000/s: 6000 / 501 = 11.98
 */
export function remoteFaults(touchedBytesPerSec: number, phaseSec: number, pendingShare: number, latencySec: number, pageSize: number): number {
  if (!(phaseSec > 0) || !(touchedBytesPerSec > 0) || !(pendingShare > 0)) return 0;
  const a = 0.5 * (touchedBytesPerSec / pageSize) * Math.min(1, pendingShare);
  return (a * phaseSec) / (1 + a * latencySec);
}

export function predictPostcopy(input: PredictInput, t: TechniqueOptions): TechniquePrediction {
  const hooks = plainHooks();
  if (t.postcopyAfterSec !== undefined) hooks.switchAfterSec = t.postcopyAfterSec;
  else hooks.switchAfterRounds = t.postcopyAfterPasses ?? TECHNIQUE_DEFAULTS.postcopyAfterPasses;
  const pre = simulate(input, hooks);
  if (!hooks.out.switched) {
    return Object.assign(pre, { technique: 'postcopy' as const, switchoverSec: pre.setupSec + pre.precopySec, postcopyPhaseSec: 0, postcopyBytes: 0, remoteFaults: 0, postcopyBlockedSec: 0, note: 'pre-copy fitted the downtime limit before the switch: completes as pre-copy' });
  }
  const pf = { ...DEFAULT_PLATFORM, ...input.platform };
  const lineRate = pf.lineRateBytesPerSec;
  // The rates of QEMU's unthrottled final copy (as simulate's), capped by max-postcopy-bandwidth for the push.
  const finalRate = Number.isFinite(pf.stopCopyRateBytesPerSec) ? pf.stopCopyRateBytesPerSec : Number.isFinite(lineRate) ? lineRate : input.bandwidthBytesPerSec;
  const firstTouchRate = Number.isFinite(pf.firstTouchRateBytesPerSec) ? pf.firstTouchRateBytesPerSec : finalRate;
  const pcCap = t.maxPostcopyBandwidthBytesPerSec ?? TECHNIQUE_DEFAULTS.maxPostcopyBandwidthBytesPerSec;
  const page = pageBytes(input);
  const { pendingBytes: P, neverSentBytes: N, pendingZeroBytes: Z } = hooks.out;

  // Switch-over (the downtime, stop -> package sent: migration.c postcopy_start): the discard ranges of the dirty
  // pages, at worst one range a page, beyond what the socket buffers take, and the switch's fixed time (device
  // state, bitmap sync). No RAM and no wait for the destination, so not pre-copy's resume.
  const discardBytes = (P / page) * DISCARD_RANGE_BYTES;
  const switchSec = Math.max(0, discardBytes - (pf.stopCopyBufferedBytes ?? 0)) / finalRate;
  const downtimeSec = switchSec + (pf.postcopySwitchSec ?? TECHNIQUE_PLATFORM_DEFAULTS.postcopySwitchSec);
  // The post-copy phase: the push of what is left (never-sent pages at the first-touch rate), zero pages as flags.
  // With a fitted push rate, every byte of the phase at it; without, the stop-and-copy's rates.
  const postcopyBytes = P + (Z / page) * pf.zeroPageWireBytes;
  const fitted = pf.postcopyPushRateBytesPerSec;
  const pushRate = Math.min(fitted !== undefined && fitted > 0 ? fitted : finalRate, pcCap);
  const phaseSec = fitted !== undefined && fitted > 0 ? postcopyBytes / pushRate : N / Math.min(firstTouchRate, pcCap) + (P - N) / pushRate;
  const vm = input.vm;
  const cap = vm.workingSetBytes !== undefined ? Math.min(vm.workingSetBytes, vm.memoryBytes) : vm.memoryBytes;
  const dirty = compileDirty(vm.dirtyModel, vm.dirtyRateBytesPerSec, cap);
  const touchedPerSec = phaseSec > 0 ? dirtiedIn(dirty, phaseSec) / phaseSec : 0;
  const pool = poolBytes(input);
  const latency = pf.postcopyFaultLatencySec ?? TECHNIQUE_PLATFORM_DEFAULTS.postcopyFaultLatencySec;
  const faults = remoteFaults(touchedPerSec, phaseSec, pool > 0 ? P / pool : 1, latency, page);

  const transferredBytes = pre.transferredBytes + discardBytes + postcopyBytes;
  const energy = input.energy;
  const energyJoules = energy?.kind === 'wireless' ? pre.energyJoules + migrationEnergyJoules(energy, discardBytes + postcopyBytes, pushRate) : wiredEnergyJoules(energy ?? LIU_WIRED_ENERGY, transferredBytes);
  const out: TechniquePrediction = Object.assign(pre, {
    totalTimeSec: pre.setupSec + pre.precopySec + downtimeSec + phaseSec,
    downtimeSec,
    transferredBytes,
    energyJoules,
    stopCopySec: switchSec,
    stopCopyBytes: discardBytes,
    technique: 'postcopy' as const,
    switchoverSec: pre.setupSec + pre.precopySec,
    postcopyPhaseSec: phaseSec,
    postcopyBytes,
    remoteFaults: faults,
    postcopyBlockedSec: faults * latency,
  });
  if (pre.trace) {
    const trace = pre.trace.slice(0, -1);
    trace.push(
      { round: pre.rounds, kind: 'stop-copy', sentBytes: discardBytes, durationSec: switchSec, rateBytesPerSec: finalRate, dirtiedBytes: 0, skippedBytes: 0, remainingBytes: P, throttle: pre.maxThrottle },
      { round: pre.rounds + 1, kind: 'post-copy', sentBytes: postcopyBytes, durationSec: phaseSec, rateBytesPerSec: pushRate, dirtiedBytes: 0, skippedBytes: 0, remainingBytes: 0, throttle: 0 },
    );
    out.trace = trace;
  }
  return out;
}
