/**
 * XBZRLE (QEMU `xbzrle`): from the third pass on, a re-sent page found in the page cache goes as an XOR+RLE delta
 * against its cached copy. The cache (`xbzrle-cache-size`) is direct-mapped and keeps pages used in the last two
 * syncs, so when the guest writes more pages than it has slots, a round hits about as many pages as it has slots.
 * Rules and sources: docs/techniques.md. Pure.
 */
import { simulate, simulateWithSyncs } from './precopy.js';
import { TECHNIQUE_DEFAULTS, pageBytes, plainHooks, poolBytes, type TechniquePrediction } from './techniques.js';
import type { PredictInput, TechniqueOptions } from './types.js';

/** The first round (0-based) whose re-sent pages can hit: pass 2 fills the cache (ram.c xbzrle_started, page_cache.c). */
export const XBZRLE_FIRST_HIT_ROUND = 2;

/**
 * The cache hit ratio of a re-sent page from the third pass on: the cache's pages over the pages the guest writes,
 * at most 1. Pure.
 * @example xbzrleHitRatio(64 * 2**20, 256 * 2**20) // 0.25 (the lab's H: 16384 hits of 65536 pages a round)
 */
export function xbzrleHitRatio(cacheBytes: number, poolBytes: number): number {
  return poolBytes > 0 ? Math.min(1, cacheBytes / poolBytes) : 1;
}

/** Wire bytes of a hit over the page size: overflows go whole, the rest as deltas (a delta never beats 0 nor exceeds a page). */
export function xbzrleHitWireShare(deltaRatio: number, overflowShare: number): number {
  return overflowShare + (1 - overflowShare) * Math.min(1, deltaRatio);
}

export function predictXbzrle(input: PredictInput, t: TechniqueOptions, syncs?: number[]): TechniquePrediction {
  const page = pageBytes(input);
  const cache = t.xbzrleCacheBytes ?? TECHNIQUE_DEFAULTS.xbzrleCacheBytes;
  const delta = t.xbzrleDeltaRatio ?? TECHNIQUE_DEFAULTS.xbzrleDeltaRatio;
  const overflow = t.xbzrleOverflowShare ?? (delta >= 1 ? 1 : 0);
  const hit = xbzrleHitRatio(cache, poolBytes(input));
  const perHit = xbzrleHitWireShare(delta, overflow);
  const hooks = plainHooks();
  hooks.gain = 1 / (1 - hit + hit * perHit);
  hooks.gainFrom = XBZRLE_FIRST_HIT_ROUND;
  hooks.cache = { hitRatio: hit, hitWireShare: perHit, poolBytes: poolBytes(input) };
  const p = syncs ? simulateWithSyncs(input, hooks, syncs).prediction : simulate(input, hooks);
  const { rawRound1, rawGained, hitRawBytes } = hooks.out;
  const hits = hitRawBytes / page;
  return Object.assign(p, {
    technique: 'xbzrle' as const,
    xbzrleCacheHitRatio: hit,
    xbzrleCacheHits: hits,
    xbzrleCacheMisses: (rawRound1 + rawGained - hitRawBytes) / page,
    xbzrleOverflows: overflow * hits,
    xbzrleEncodedBytes: (1 - overflow) * Math.min(1, delta) * page * hits,
  });
}
