/**
 * multifd (QEMU `multifd`, `multifd-channels`, `multifd-compression`): pages go over several channels, each
 * compressing in its own thread. Raw pages move at the lower of the link (times the compression ratio: the cap
 * counts wire bytes) and what the channels compress per second; the wire carries the compressed bytes, and
 * QEMU's switch-over test still compares raw pages with wire bandwidth. Rules and sources: docs/techniques.md. Pure.
 */
import { simulate } from './precopy.js';
import { TECHNIQUE_DEFAULTS, TECHNIQUE_PLATFORM_DEFAULTS, plainHooks, type TechniquePrediction } from './techniques.js';
import type { MultifdCompression, Platform, PredictInput, TechniqueOptions } from './types.js';

/** Raw page bytes per second one channel moves with a compression (the platform's, else the lab's). */
export function channelBytesPerSec(platform: Partial<Platform> | undefined, c: MultifdCompression): number {
  const d = TECHNIQUE_PLATFORM_DEFAULTS;
  if (c === 'zlib') return platform?.multifdZlibChannelBytesPerSec ?? d.multifdZlibChannelBytesPerSec;
  if (c === 'zstd') return platform?.multifdZstdChannelBytesPerSec ?? d.multifdZstdChannelBytesPerSec;
  return platform?.multifdNoneChannelBytesPerSec ?? d.multifdNoneChannelBytesPerSec;
}

export function predictMultifd(input: PredictInput, t: TechniqueOptions): TechniquePrediction {
  const compression = t.multifdCompression ?? TECHNIQUE_DEFAULTS.multifdCompression;
  const channels = t.multifdChannels ?? TECHNIQUE_DEFAULTS.multifdChannels;
  const ratio = t.compressionRatio ?? TECHNIQUE_DEFAULTS.compressionRatio[compression];
  const perChannel = channelBytesPerSec(input.platform, compression);
  if (!(perChannel > 0)) throw new RangeError(`predict: platform.multifd${compression[0].toUpperCase()}${compression.slice(1)}ChannelBytesPerSec must be > 0 (got ${perChannel})`);
  const hooks = plainHooks();
  hooks.gain = ratio;
  hooks.gainFrom = 0;
  hooks.cpuRawBytesPerSec = channels * perChannel;
  const p = simulate(input, hooks);
  return Object.assign(p, { technique: 'multifd' as const, multifdChannels: channels, multifdCompression: compression, compressionRatio: ratio, rawBytes: hooks.out.rawGained });
}
