/** multifd's per-channel compression rates fitted from records (calibrate/multifd-rate.ts, via fitPlatform). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fitMultifdRates, secPerRawByte, channelBound, type MultifdObservation } from '../../src/calibrate/multifd-rate.js';
import { fitPlatform, type PlatformObservation } from '../../src/calibrate/platform.js';
import { platformObservation } from '../../src/evaluate/cross-validate.js';
import { TECHNIQUE_PLATFORM_DEFAULTS as D } from '../../src/model/techniques.js';
import type { MigrationRecord } from '../../src/record/record.js';
import { assertClose } from '../helpers.js';

const MB = 1e6;
/** A channel-bound run: `channels` channels at the true rates r0 (redundant) and r1 (incompressible), share s, 200 MB raw. */
function run(c: 'zlib' | 'zstd', s: number, r0: number, r1: number, channels = 2, cap = 1e12): MultifdObservation {
  const rawBytes = 200 * MB;
  return { compression: c, channels, rawBytes, wireBytes: rawBytes * s, sec: (rawBytes * secPerRawByte(s, r0, r1)) / channels, capBytesPerSec: cap };
}

describe('multifd rates from records', () => {
  it('secPerRawByte: the worked example', () => {
    assertClose(secPerRawByte(0.5, 200e6, 50e6), 1.25e-8);
    assertClose(secPerRawByte(2, 200e6, 50e6), 1 / 50e6); // clamped to share 1
  });
  it('shares spread over >= 0.3: OLS recovers both rates exactly', () => {
    const obs = [0.05, 0.3, 0.6, 0.95].map((s) => run('zlib', s, 300 * MB, 40 * MB));
    const p = fitMultifdRates(obs);
    assertClose(p.multifdZlibChannelRedundantBytesPerSec!, 300 * MB, 1e-9);
    assertClose(p.multifdZlibChannelBytesPerSec!, 40 * MB, 1e-9);
    assert.equal(p.multifdZstdChannelBytesPerSec, undefined);
  });
  it('shares close together: both priors scaled by the median of measured over prior time per byte', () => {
    // runs on a machine exactly half as fast as the priors: both rates halve
    const obs = [0.15, 0.2, 0.22].map((s) => run('zstd', s, D.multifdZstdChannelRedundantBytesPerSec / 2, D.multifdZstdChannelBytesPerSec / 2, 4));
    const p = fitMultifdRates(obs);
    assertClose(p.multifdZstdChannelRedundantBytesPerSec!, D.multifdZstdChannelRedundantBytesPerSec / 2);
    assertClose(p.multifdZstdChannelBytesPerSec!, D.multifdZstdChannelBytesPerSec / 2);
  });
  it('a run the cap bound (wire >= 0.8 x cap) measures the cap, not the channels: left out', () => {
    const capped = run('zlib', 0.2, 300 * MB, 40 * MB, 2, 10 * MB); // wire far above 0.8 x 10 MB/s
    assert.deepEqual(channelBound([capped]), []);
    assert.deepEqual(fitMultifdRates([capped]), {});
  });
  it('fitPlatform takes them from the multifd observations, and keeps multifd runs out of the line rate', () => {
    const base: PlatformObservation = { setupSec: 0.01, downtimeSec: 0.02, stopCopyBytes: 0, precopyBytes: 100 * MB, precopySec: 1, capBytesPerSec: 1e12, rounds: 2 };
    const m = run('zlib', 0.2, 300 * MB, 40 * MB);
    const f = fitPlatform([base, { ...base, precopyBytes: m.wireBytes, precopySec: m.sec, multifd: m }]);
    assert.equal(f.platform.lineRateBytesPerSec, 100 * MB);
    assert.ok(f.platform.multifdZlibChannelBytesPerSec! > 0);
  });
  it('a record of multifd+zlib becomes an observation: raw = multifd bytes x measured ratio, channels from its technique', () => {
    const r = {
      config: { memoryBytes: 256 * 2 ** 20, workload: 'idle', params: {}, bandwidthBytesPerSec: 52428800, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30, technique: { name: 'multifd', multifdCompression: 'zlib' } },
      measured: { status: 'completed', totalTimeSec: 1.025, downtimeSec: 0.003, setupSec: 0.001, transferredBytes: 34402754, rounds: 1, converged: true, maxThrottle: 0, multifdBytes: 34288470, compressionRatio: 4.677 },
    } as unknown as MigrationRecord;
    const o = platformObservation(r)!;
    assert.deepEqual(o.multifd, { compression: 'zlib', channels: 2, rawBytes: 34288470 * 4.677, wireBytes: 34288470, sec: 1.025 - 0.003 - 0.001, capBytesPerSec: 52428800 });
  });
});
