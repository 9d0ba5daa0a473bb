/**
 * multifd (QEMU `multifd`, `multifd-channels`, `multifd-compression`): pages go over several channels, each
 * compressing in its own thread. Raw pages move at the lower of the link (times the compression ratio: the cap
 * counts wire bytes) and what the channels compress per second, which depends on how well the pages compress
 * (calibrate/multifd-rate.ts: a channel spends (1 - s) / redundant + s / incompressible seconds per raw byte at
 * compressed share s = 1 / ratio); the wire carries the compressed bytes, and QEMU's switch-over test still
 * compares raw pages with wire bandwidth. With `compressionRatioRewritten`, pages re-sent after the first pass (the
 * working set's, which may compress far better or worse than memory as a whole) go at that ratio, and the channels
 * at `channelSpeedupRewritten` times their first-pass rate (else the rate at that ratio); a round's never-sent
 * first-pass pages still at `compressionRatio` (qemu-hooks.ts mixedRates).
 * Rules and sources: docs/techniques.md. Pure.
 */
import { simulate, simulateWithSyncs, DEFAULT_PAGE_SIZE, DEFAULT_PLATFORM } from './precopy.js';
import { MULTIFD_PACKET_PAGES, TECHNIQUE_DEFAULTS, TECHNIQUE_PLATFORM_DEFAULTS, plainHooks, type TechniquePrediction } from './techniques.js';
import type { MultifdCompression, Platform, PredictInput, TechniqueOptions } from './types.js';

/**
 * Raw page bytes per second one channel moves with a compression, at compressed share `share` (default 1:
 * incompressible pages), from the platform's constants, else the defaults (techniques.ts). none: one rate.
 * @example channelBytesPerSec({}, 'zlib', 0.2) // 1 / (0.8 / 267e6 + 0.2 / 37e6) = 119.0 MB/s
 */
export function channelBytesPerSec(platform: Partial<Platform> | undefined, c: MultifdCompression, share = 1): number {
  const d = TECHNIQUE_PLATFORM_DEFAULTS;
  if (c === 'none') return platform?.multifdNoneChannelBytesPerSec ?? d.multifdNoneChannelBytesPerSec;
  const rate = c === 'zlib' ? (platform?.multifdZlibChannelBytesPerSec ?? d.multifdZlibChannelBytesPerSec) : (platform?.multifdZstdChannelBytesPerSec ?? d.multifdZstdChannelBytesPerSec);
  const redundant = c === 'zlib' ? (platform?.multifdZlibChannelRedundantBytesPerSec ?? d.multifdZlibChannelRedundantBytesPerSec) : (platform?.multifdZstdChannelRedundantBytesPerSec ?? d.multifdZstdChannelRedundantBytesPerSec);
  const s = Math.min(1, Math.max(0, share));
  return 1 / ((1 - s) / redundant + s / rate);
}

export function predictMultifd(input: PredictInput, t: TechniqueOptions, syncs?: number[]): TechniquePrediction {
  const compression = t.multifdCompression ?? TECHNIQUE_DEFAULTS.multifdCompression;
  const channels = t.multifdChannels ?? TECHNIQUE_DEFAULTS.multifdChannels;
  const ratio = t.compressionRatio ?? TECHNIQUE_DEFAULTS.compressionRatio[compression];
  const perChannel = channelBytesPerSec(input.platform, compression, 1 / ratio);
  if (!(perChannel > 0)) throw new RangeError(`predict: platform.multifd${compression[0].toUpperCase()}${compression.slice(1)}ChannelBytesPerSec (and ...ChannelRedundantBytesPerSec) must be > 0 (got ${perChannel} B/s per channel)`);
  const hooks = plainHooks();
  hooks.gain = ratio;
  hooks.gainFrom = 0;
  hooks.cpuRawBytesPerSec = channels * perChannel;
  // each rate window overshoots its budget by whole packets of wire bytes (compressed ones: ratio times smaller)
  const page = input.vm.pageSizeBytes ?? DEFAULT_PAGE_SIZE;
  const overshoot = input.platform?.multifdWindowOvershootPackets ?? TECHNIQUE_PLATFORM_DEFAULTS.multifdWindowOvershootPackets;
  hooks.capBonusBytesPerSec = (overshoot * MULTIFD_PACKET_PAGES * page) / ratio / (input.platform?.rateWindowSec ?? DEFAULT_PLATFORM.rateWindowSec);
  // pages re-sent after the first pass, at their own ratio where one is known (and the channels' rate at it)
  const rw = t.compressionRatioRewritten;
  const speedup = t.channelSpeedupRewritten;
  if (rw !== undefined && compression !== 'none') hooks.rewritten = { gain: rw, cpuRawBytesPerSec: channels * (speedup !== undefined ? perChannel * speedup : channelBytesPerSec(input.platform, compression, 1 / rw)) };
  // the stop-and-copy: the guest is stopped, and its vCPUs' host CPU may go to the channels (a fitted platform constant)
  if (compression !== 'none') hooks.stopCpuFactor = input.platform?.multifdStopCopyChannelSpeedup ?? TECHNIQUE_PLATFORM_DEFAULTS.multifdStopCopyChannelSpeedup;
  const p = syncs ? simulateWithSyncs(input, hooks, syncs).prediction : simulate(input, hooks);
  const out: TechniquePrediction = Object.assign(p, { technique: 'multifd' as const, multifdChannels: channels, multifdCompression: compression, compressionRatio: ratio, rawBytes: hooks.out.rawGained });
  if (hooks.rewritten) out.compressionRatioRewritten = rw;
  return out;
}
