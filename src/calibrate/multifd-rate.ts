/**
 * multifd's per-channel compression rates, fitted from migrations that ran multifd with zlib or zstd (pure).
 *
 * A channel's thread spends, per raw byte, a part for reading the input and a part for what does not compress
 * (deflate and zstd emit literals and search for matches where the data does not repeat; a run of repeats is
 * skipped fast): seconds per raw byte = (1 - s) / r0 + s / r1, with s the compressed share (1 / ratio), r1 the
 * rate on incompressible pages (`multifd<C>ChannelBytesPerSec`) and r0 on pages that compress away
 * (`multifd<C>ChannelRedundantBytesPerSec`). model/multifd.ts applies it.
 *
 * A run measures it when the channels, not the cap, bound it: wire bytes / time below 0.8 x the cap (a cap that
 * binds shows 1.0-1.2 x: multifd overshoots `max-bandwidth` by 15-20 %, TECHNIQUES-NOTES §3). Its seconds per
 * raw byte per channel = channels x pre-copy time / raw bytes (multifd bytes x the measured ratio). With runs whose
 * shares span at least 0.3 (three or more): OLS of that on s gives both rates; otherwise both priors are scaled by
 * the median of measured over prior seconds per byte (the machine's speed, the prior's shape).
 */
import { ols } from './ols.js';
import { median } from './errors.js';
import { TECHNIQUE_PLATFORM_DEFAULTS } from '../model/techniques.js';
import type { Platform } from '../model/types.js';

export interface MultifdObservation {
  compression: 'zlib' | 'zstd';
  channels: number;
  /** Raw page bytes the channels compressed (multifd bytes x measured ratio). */
  rawBytes: number;
  /** Bytes the channels sent (ram.multifd-bytes). */
  wireBytes: number;
  /** Time the pages moved (s): the pre-copy time. */
  sec: number;
  capBytesPerSec: number;
}

/** Below this share of the cap, a run's rate was the channels'. */
export const CHANNEL_BOUND_CAP_SHARE = 0.8;
/** Least spread of shares for fitting both rates. */
const SHARE_SPREAD = 0.3;

type Keys = { rate: 'multifdZlibChannelBytesPerSec' | 'multifdZstdChannelBytesPerSec'; redundant: 'multifdZlibChannelRedundantBytesPerSec' | 'multifdZstdChannelRedundantBytesPerSec' };
export function multifdRateKeys(c: 'zlib' | 'zstd'): Keys {
  return c === 'zlib'
    ? { rate: 'multifdZlibChannelBytesPerSec', redundant: 'multifdZlibChannelRedundantBytesPerSec' }
    : { rate: 'multifdZstdChannelBytesPerSec', redundant: 'multifdZstdChannelRedundantBytesPerSec' };
}

/**
 * Seconds one channel spends per raw byte at compressed share `share` (clamped to [0, 1]).
 * @example secPerRawByte(0.5, 200e6, 50e6) // 0.5 / 200e6 + 0.5 / 50e6 = 1.25e-8
 */
export function secPerRawByte(share: number, redundantBytesPerSec: number, incompressibleBytesPerSec: number): number {
  const s = Math.min(1, Math.max(0, share));
  return (1 - s) / redundantBytesPerSec + s / incompressibleBytesPerSec;
}

/** The runs that measured the channels: completed, compressed, bound by the channels. */
export function channelBound(obs: readonly MultifdObservation[]): MultifdObservation[] {
  return obs.filter((o) => o.sec > 0 && o.rawBytes > 0 && o.wireBytes > 0 && o.channels >= 1 && o.wireBytes / o.sec < CHANNEL_BOUND_CAP_SHARE * o.capBytesPerSec);
}

export function fitMultifdRates(obs: readonly MultifdObservation[]): Partial<Platform> {
  const out: Partial<Platform> = {};
  const d = TECHNIQUE_PLATFORM_DEFAULTS;
  for (const c of ['zlib', 'zstd'] as const) {
    const k = multifdRateKeys(c);
    const runs = channelBound(obs.filter((o) => o.compression === c));
    if (runs.length === 0) continue;
    const share = runs.map((o) => Math.min(1, o.wireBytes / o.rawBytes));
    const y = runs.map((o) => (o.channels * o.sec) / o.rawBytes);
    if (runs.length >= 3 && Math.max(...share) - Math.min(...share) >= SHARE_SPREAD) {
      try {
        const [a, b] = ols(share.map((s) => [1, s]), y).coefficients;
        if (a > 0 && a + b > 0) {
          out[k.redundant] = 1 / a;
          out[k.rate] = 1 / (a + b);
          continue;
        }
      } catch {
        /* collinear: scale the priors */
      }
    }
    const scale = median(y.map((v, i) => v / secPerRawByte(share[i], d[k.redundant], d[k.rate])));
    out[k.redundant] = d[k.redundant] / scale;
    out[k.rate] = d[k.rate] / scale;
  }
  return out;
}
