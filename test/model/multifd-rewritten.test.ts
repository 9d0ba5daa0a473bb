/**
 * multifd with compression when the pages later rounds re-send compress unlike memory as a whole (a counter in
 * each page of a buffer: hundreds to one), worked by hand. Sizes in MiB. QEMU's behaviour it follows (a QEMU 10.0.2
 * trace of a dirtier under zstd, docs/techniques.md): after the first pass the pending pages go to the channels in
 * one 50 ms slice (ram.c ram_save_iterate) and the round ends when they are all sent, long before a 100 ms window;
 * the switch-over threshold is still the last window's wire bandwidth (migration.c migration_update_counters),
 * mostly the first pass's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { predict, type PredictInput, type TechniqueOptions } from '../../src/index.js';
import { mixedRates } from '../../src/model/qemu-hooks.js';
import { assertClose, MiB } from '../helpers.js';

/** 256 MiB VM writing 32 MiB/s over a 64 MiB working set; 64 MiB/s cap, 300 ms; two zstd channels of 1 GiB/s raw each. */
const VM: PredictInput = {
  vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 32 * MiB, workingSetBytes: 64 * MiB },
  bandwidthBytesPerSec: 64 * MiB,
  policy: { name: 'qemu', downtimeLimitSec: 0.3 },
  platform: { syncSec: 0, stopCopyRateBytesPerSec: 256 * MiB, resumeSec: 0.02, multifdWindowOvershootPackets: 0, multifdZstdChannelBytesPerSec: 1024 * MiB, multifdZstdChannelRedundantBytesPerSec: 1024 * MiB },
};
const zstd = (t: Partial<TechniqueOptions> = {}): TechniqueOptions => ({ name: 'multifd', multifdCompression: 'zstd', compressionRatio: 4, ...t });

describe('multifd: rewritten pages at their own ratio', () => {
  it('mixedRates: a round after the first pass mixes its never-sent pages and the rewritten ones by share', () => {
    // half never sent (ratio 5, 200 MB/s), half rewritten (ratio 100, 400 MB/s): wire and seconds per raw byte add
    const [g, cpu] = mixedRates({ gain: 100, cpuRawBytesPerSec: 4e8 }, 1, 5, 2e8, 100, 50);
    assertClose(g, 1 / (0.5 / 5 + 0.5 / 100));
    assertClose(cpu, 1 / (0.5 / 2e8 + 0.5 / 4e8));
    // round 0, or no rewritten hooks: as given
    assert.deepEqual(mixedRates({ gain: 100, cpuRawBytesPerSec: 4e8 }, 0, 5, 2e8, 100, 50), [5, 2e8]);
    assert.deepEqual(mixedRates(undefined, 3, 5, 2e8, 100, 50), [5, 2e8]);
  });

  it('the worked example: the 32 MiB rewritten go in 15.6 ms at 1/100 of their size, and the threshold keeps the first pass\'s bandwidth', () => {
    // Round 0: raw 64 x 4 = 256 MiB/s (under the channels' 2048): 10 windows of 25.6 send all 256 in 1.0 s, 64 on the
    // wire; the 32 MiB/s writer dirties 32 of its 64 behind the scan. Threshold 64 x 0.3 = 19.2 < 32: go on.
    // Round 1: rewritten at ratio 100, the cap allows 6400 raw, the channels 2048: CPU-bound, one 50 ms slice holds
    // 102.4 >= 32, so all 32 go in 32 / 2048 = 15.625 ms (0.32 on the wire) and the writer dirties 0.5 meanwhile.
    // Threshold: the last 100 ms window, 15.625 ms at 20.48 MiB/s and 84.375 ms at 64: 57.2 MiB/s x 0.3 = 17.2 >= 0.5.
    // Stop-copy 0.5 raw at min(256 x 100, 2048) = 0.244 ms, 0.005 on the wire.
    const p = predict({ ...VM, technique: zstd({ compressionRatioRewritten: 100 }) });
    assert.equal(p.converged, true);
    assert.equal(p.rounds, 2);
    assertClose(p.precopySec, 1 + 32 / 2048);
    assertClose(p.transferredBytes, (64 + 0.32 + 0.005) * MiB);
    assertClose(p.downtimeSec, 0.5 / 2048 + 0.02);
    assert.equal((p as { compressionRatioRewritten?: number }).compressionRatioRewritten, 100);
  });

  it('against one ratio for every page: round 1 goes at the cap, one 100 ms window of 25.6 raw, 6.4 on the wire', () => {
    const same = predict({ ...VM, technique: zstd() });
    assert.equal(same.converged, true);
    assertClose(same.precopySec, 1.1);
    assert.ok(same.transferredBytes > 72 * MiB);
    // the same ratio given twice is the same prediction as one ratio
    const twice = predict({ ...VM, technique: zstd({ compressionRatioRewritten: 4 }) });
    assertClose(twice.totalTimeSec, same.totalTimeSec);
    assertClose(twice.transferredBytes, same.transferredBytes);
  });

  it('a channel that compresses the rewritten pages slower than the guest writes them never converges', () => {
    // speedup 0.01: 2 x 10.24 MiB/s raw against 32 MiB/s of dirt
    const slow = predict({ ...VM, technique: zstd({ compressionRatioRewritten: 100, channelSpeedupRewritten: 0.01 }) });
    assert.equal(slow.converged, false);
    // four times faster: 8192 raw a second, past the cap's 6400, so the cap binds round 1 (a whole 100 ms window)
    const fast = predict({ ...VM, technique: zstd({ compressionRatioRewritten: 100, channelSpeedupRewritten: 4 }) });
    assert.equal(fast.converged, true);
    assertClose(fast.precopySec, 1.1);
  });

  it('the stop-and-copy factor divides the channels\' time for the last pages, and only with compression', () => {
    // the worked example's stop-copy: 0.5 raw, CPU-bound at 2048 MiB/s (0.244 ms); at factor 4, 8192 (still under
    // 256 x 100 on the link): 0.061 ms. Nothing before the stop changes.
    const one = predict({ ...VM, technique: zstd({ compressionRatioRewritten: 100 }) });
    const four = predict({ ...VM, platform: { ...VM.platform, multifdStopCopyChannelSpeedup: 4 }, technique: zstd({ compressionRatioRewritten: 100 }) });
    assertClose(four.downtimeSec, 0.5 / (2048 * 4) + 0.02);
    assertClose(four.precopySec, one.precopySec);
    assertClose(four.transferredBytes, one.transferredBytes);
    // without compression the channels are not what the platform fitted it on: no change
    const none = (f?: number) => predict({ ...VM, platform: { ...VM.platform, multifdNoneChannelBytesPerSec: 8 * MiB, ...(f ? { multifdStopCopyChannelSpeedup: f } : {}) }, technique: { name: 'multifd', multifdCompression: 'none' } });
    assert.equal(none(4).downtimeSec, none().downtimeSec);
  });

  it('bad settings are RangeErrors naming the field', () => {
    assert.throws(() => predict({ ...VM, technique: zstd({ compressionRatioRewritten: 0 }) }), /technique\.compressionRatioRewritten/);
    assert.throws(() => predict({ ...VM, technique: zstd({ compressionRatioRewritten: 10, channelSpeedupRewritten: Number.NaN }) }), /technique\.channelSpeedupRewritten/);
  });
});
