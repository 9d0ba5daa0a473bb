/**
 * Worked examples of every technique (docs/techniques.md), computed by hand round by round. Sizes in MiB unless
 * said; the qemu rounds as in worked-examples.test.ts: a binding cap sends whole 100 ms windows, the dirt of round 0
 * counts for the share of the first pass sent, later rounds draw new dirt from the working set (pool rule).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { predict, remoteFaults, xbzrleHitRatio, xbzrleHitWireShare, type PredictInput, type TechniquePrediction } from '../../src/index.js';
import { assertClose, MiB } from '../helpers.js';
import { channelBytesPerSec } from '../../src/model/multifd.js';

/** 256 MiB VM writing 32 MiB/s over a 64 MiB working set; 64 MiB/s cap (binding), 300 ms; no sync cost; 256 MiB/s final copy. */
const VM: PredictInput = {
  vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 32 * MiB, workingSetBytes: 64 * MiB },
  bandwidthBytesPerSec: 64 * MiB,
  policy: { name: 'qemu', downtimeLimitSec: 0.3 },
  platform: { syncSec: 0, stopCopyRateBytesPerSec: 256 * MiB, resumeSec: 0.02 },
};

const mib = (x: number) => x * MiB;

describe('technique names', () => {
  it('precopy is the plain prediction with its name; auto-converge is the flag', () => {
    const plain = predict(VM);
    assert.equal((plain as TechniquePrediction).technique, undefined);
    assert.deepEqual(predict({ ...VM, technique: { name: 'precopy' } }), { ...plain, technique: 'precopy' });
    const ac = predict({ ...VM, policy: { ...VM.policy, autoConverge: true } });
    assert.deepEqual(predict({ ...VM, technique: { name: 'auto-converge' } }), { ...ac, technique: 'auto-converge' });
  });

  it('an unknown name, or a QEMU technique under another policy, is a RangeError naming the rule', () => {
    assert.throws(() => predict({ ...VM, technique: { name: 'teleport' as 'precopy' } }), /technique must be one of precopy, auto-converge, postcopy, xbzrle, multifd, compress, dirty-limit/);
    assert.throws(() => predict({ ...VM, policy: { name: 'xen' }, technique: { name: 'postcopy' } }), /needs policy qemu/);
    assert.throws(() => predict({ ...VM, technique: { name: 'xbzrle', xbzrleCacheBytes: 100 * MiB } }), /power of two/);
    assert.throws(() => predict({ ...VM, policy: { ...VM.policy, autoConverge: true }, technique: { name: 'dirty-limit' } }), /conflicts with autoConverge/);
  });
});

describe('postcopy: the worked example (switch after the first pass)', () => {
  // Round 0: threshold 64 x 0.3 = 19.2; sends 256 - 19.2 = 236.8 = 37 windows of 6.4 in 3.7 s; dirties min(32 x 3.7, 64) = 64,
  // of which the 236.8/256 already scanned count: 59.2. Pending 19.2 (never sent) + 59.2 = 78.4 > 19.2: no convergence; switch.
  const p = predict({ ...VM, technique: { name: 'postcopy' } });
  const P = 19.2 + 59.2;

  it('pre-copy ran one pass, then the switch-over sent one 16-byte discard range a dirty page and the device state', () => {
    assert.equal(p.reason, 'switched-to-postcopy');
    assert.equal(p.converged, true);
    assert.equal(p.rounds, 1);
    assertClose(p.precopySec, 3.7);
    assertClose(p.switchoverSec!, 3.7);
    const discard = mib((P / 4096) * 16); // 78.4 MiB of 4 KiB pages, 16 B each
    assertClose(p.stopCopyBytes, discard);
    // Stop -> package sent (migration.c postcopy_start): the discards and the switch's 2 ms, not pre-copy's 20 ms resume.
    assertClose(p.downtimeSec, discard / mib(256) + 0.002); // 1.2 ms + 2 ms
  });

  it("the socket buffers take the discards; a machine's fitted switch time replaces the 2 ms prior", () => {
    const q = predict({ ...VM, platform: { ...VM.platform, stopCopyBufferedBytes: 4 * MiB, postcopySwitchSec: 0.005 }, technique: { name: 'postcopy' } });
    assertClose(q.downtimeSec, 0.005); // 0.3 MiB of discard ranges fit in 4 MiB
  });

  it('the post-copy phase pulls the 78.4 MiB left at the final-copy rate, and the guest faults on what it touches first', () => {
    assertClose(p.postcopyBytes!, mib(P));
    assertClose(p.postcopyPhaseSec!, P / 256); // 0.30625 s
    assertClose(p.totalTimeSec, 3.7 + p.downtimeSec + P / 256);
    assertClose(p.transferredBytes, mib(236.8) + p.stopCopyBytes + mib(P));
    // Touches 32 MiB/s = 8192 pages/s, 78.4 of the 64 MiB working set pending (share capped at 1): a = 4096/s.
    // F = a T / (1 + a L) = 4096 x 0.30625 / (1 + 4096 x 0.025) = 1254.4 / 103.4 = 12.1315...
    assertClose(p.remoteFaults!, 1254.4 / 103.4);
    assertClose(p.postcopyBlockedSec!, (1254.4 / 103.4) * 0.025);
  });

  it('max-postcopy-bandwidth slows the push; switching after 2 s cuts the first pass there', () => {
    const slow = predict({ ...VM, technique: { name: 'postcopy', maxPostcopyBandwidthBytesPerSec: 32 * MiB } });
    assertClose(slow.postcopyPhaseSec!, P / 32);
    // 2 s of pass 1: 20 windows, 128 sent, dirt 64 (capped) of which 128/256 scanned: 32; pending 128 + 32 = 160.
    const early = predict({ ...VM, technique: { name: 'postcopy', postcopyAfterSec: 2 } });
    assertClose(early.precopySec, 2);
    assertClose(early.postcopyBytes!, mib(160));
    // The never-sent 128 go at the first-touch rate (= the final-copy rate here): 160 / 256 s.
    assertClose(early.postcopyPhaseSec!, 160 / 256);
  });

  it("a machine's fitted push rate carries the whole phase, never-sent pages too, under max-postcopy-bandwidth", () => {
    // early: 160 MiB left, 128 never sent; every byte at the fitted 640 MiB/s, not 128 / first-touch + 32 / final.
    const fit = { ...VM.platform, firstTouchRateBytesPerSec: 64 * MiB, postcopyPushRateBytesPerSec: 640 * MiB };
    const early = predict({ ...VM, platform: fit, technique: { name: 'postcopy', postcopyAfterSec: 2 } });
    assertClose(early.postcopyPhaseSec!, 160 / 640); // 0.25 s
    assertClose(early.totalTimeSec, 2 + early.downtimeSec + 0.25);
    const capped = predict({ ...VM, platform: fit, technique: { name: 'postcopy', postcopyAfterSec: 2, maxPostcopyBandwidthBytesPerSec: 32 * MiB } });
    assertClose(capped.postcopyPhaseSec!, 160 / 32);
    // Without the fitted rate, the never-sent 128 MiB go at the first-touch rate: 128 / 64 + 32 / 256.
    const prior = predict({ ...VM, platform: { ...fit, postcopyPushRateBytesPerSec: undefined }, technique: { name: 'postcopy', postcopyAfterSec: 2 } });
    assertClose(prior.postcopyPhaseSec!, 128 / 64 + 32 / 256);
    assert.throws(() => predict({ ...VM, platform: { ...fit, postcopyPushRateBytesPerSec: 0 }, technique: { name: 'postcopy' } }), /platform\.postcopyPushRateBytesPerSec must be a finite number > 0/);
  });

  it('a migration that converges before the switch completes as pre-copy, with an empty post-copy phase', () => {
    const idle = predict({ ...VM, vm: { ...VM.vm, dirtyRateBytesPerSec: 0 }, technique: { name: 'postcopy' } });
    assert.equal(idle.reason, 'fits-downtime-limit');
    assert.equal(idle.postcopyPhaseSec, 0);
    assert.equal(idle.remoteFaults, 0);
  });

  it('remoteFaults: the formula on the lab H case (40k pages/s, 0.3 s, all pending)', () => {
    assertClose(remoteFaults(40000 * 4096, 0.3, 1, 0.025, 4096), 6000 / 501); // 11.98; the lab saw 7 requests
    assert.equal(remoteFaults(40000 * 4096, 0, 1, 0.025, 4096), 0);
  });
});

describe('xbzrle: the worked example (16 MiB cache over a 64 MiB working set, deltas of 0 bytes)', () => {
  // hit ratio 16/64 = 0.25 of the pages the cache holds; a hit costs nothing. The cache holds only pages sent after
  // the first pass ended (ram.c turns XBZRLE on when the scan first wraps): a round's hit share is 0.25 x the share
  // of the 64 MiB working set sent since then.
  const p = predict({ ...VM, technique: { name: 'xbzrle', xbzrleCacheBytes: 16 * MiB, xbzrleDeltaRatio: 0 } });
  // Round 0 as in postcopy: 236.8 in 3.7 s, pending 78.4 of which 19.2 never sent.
  // Round 1 (all misses): want 78.4 - 19.2 = 59.2 -> 10 windows = 64 in 1.0 s; leftover 14.4; dirt 32, new 32 x (1 - 14.4/64) = 24.8; pending 39.2.
  //   Sent after the wrap: 64 - 19.2 = 44.8 of 64 -> round 2's hit share 0.25 x 0.7 = 0.175, gain 1 / 0.825.
  const g2 = 1 / 0.825;
  // Round 2: raw window 6.4 g2 = 7.7576; want 20 -> 3 windows = 19.2 g2 = 23.2727 raw (19.2 wire) in 0.3 s; leftover 39.2 - 23.2727;
  //   dirt 9.6, new 9.6 x (1 - leftover/64); 44.8 + 23.2727 >= 64 sent since the wrap: from round 3 the share is 0.25, gain 4/3.
  const r2 = 19.2 * g2;
  const left2 = 39.2 - r2;
  const pend2 = left2 + 9.6 * (1 - left2 / 64); // 23.1382
  // Round 3: want pend2 - 19.2 -> 1 window = 8.5333 raw (6.4 wire) in 0.1 s; dirt 3.2; pending 17.0746 <= 19.2.
  const left3 = pend2 - 25.6 / 3;
  const last = left3 + 3.2 * (1 - left3 / 64);
  it('sends the same first two rounds, then re-sent pages at their hit share', () => {
    assert.equal(p.rounds, 4);
    assertClose(p.precopySec, 3.7 + 1.0 + 0.3 + 0.1);
    assertClose(p.stopCopyBytes, mib(last * 0.75));
    assertClose(p.downtimeSec, last / (256 * 4 / 3) + 0.02);
    assertClose(p.transferredBytes, mib(236.8 + 64 + 19.2 + 6.4 + last * 0.75));
  });

  it('counts hits, misses and overflows in pages', () => {
    const gained = r2 + 25.6 / 3 + last; // raw MiB sent from pass 3 on
    const hits = 0.175 * r2 + 0.25 * (25.6 / 3 + last);
    assertClose(p.xbzrleCacheHitRatio!, 0.25);
    assertClose(p.xbzrleCacheHits!, hits * 256);
    assertClose(p.xbzrleCacheMisses!, (64 + gained - hits) * 256);
    assert.equal(p.xbzrleOverflows, 0);
    assert.equal(p.xbzrleEncodedBytes, 0);
    assert.ok(p.transferredBytes < predict(VM).transferredBytes);
  });

  it('a first pass that ends late leaves the cache cold: hits follow the pages sent since the wrap, not the cache size', () => {
    // 128 MiB/s cap (threshold 38.4, windows of 12.8), a 64 MiB cache over the 64 MiB working set (hit ratio 1).
    // Round 0: 217.6 in 1.7 s; dirt 54.4 x 0.85 scanned = 46.24; pending 38.4 (never sent) + 46.24 = 84.64.
    // Round 1: want 46.24 -> 4 windows = 51.2 in 0.4 s, the 38.4 never sent first: 12.8 sent after the wrap.
    //   leftover 33.44, new 12.8 x (1 - 33.44/64); pending 39.5520 > 38.4.
    // Round 2: hit share 12.8/64 = 0.2, gain 1.25: 1 window = 16 raw (12.8 wire) in 0.1 s; leftover 23.552;
    //   new 3.2 x (1 - 23.552/64); pending 25.5744 <= 38.4: stop-copy with 12.8 + 16 = 28.8 of 64 sent since the wrap.
    const fast = { ...VM, bandwidthBytesPerSec: 128 * MiB };
    const x = predict({ ...fast, technique: { name: 'xbzrle', xbzrleCacheBytes: 64 * MiB, xbzrleDeltaRatio: 0 } });
    const pend1 = 33.44 + 12.8 * (1 - 33.44 / 64);
    const left2 = pend1 - 16;
    const last = left2 + 3.2 * (1 - left2 / 64);
    assert.equal(x.rounds, 3);
    assertClose(x.stopCopyBytes, mib(last * (1 - 28.8 / 64))); // 14.07 MiB; a warm cache (share 1) would send 0
  });

  it('the hit ratio and the cost of a hit', () => {
    assertClose(xbzrleHitRatio(64 * MiB, 256 * MiB), 0.25); // the lab's H: 16384 hits of 65536 pages a round
    assert.equal(xbzrleHitRatio(256 * MiB, 128 * MiB), 1);
    assertClose(xbzrleHitWireShare(0.01, 0.1), 0.1 + 0.9 * 0.01);
    assert.equal(xbzrleHitWireShare(1.5, 0), 1); // a delta never costs more than the page
  });

  it('without a measured ratio every hit overflows: the same bytes as pre-copy, hits counted as overflows', () => {
    const d = predict({ ...VM, technique: { name: 'xbzrle', xbzrleCacheBytes: 16 * MiB } });
    assertClose(d.transferredBytes, predict(VM).transferredBytes);
    assertClose(d.xbzrleOverflows!, d.xbzrleCacheHits!);
  });
});

describe('multifd: the worked examples', () => {
  it('link-bound: 4 channels of 64 MiB/s, zstd at ratio 2 -> raw pages at 128 MiB/s, half the bytes on the wire', () => {
    // (no window overshoot here: the next example has it)
    const p = predict({ ...VM, platform: { ...VM.platform, multifdZstdChannelBytesPerSec: 64 * MiB, multifdZstdChannelRedundantBytesPerSec: 64 * MiB, multifdWindowOvershootPackets: 0 }, technique: { name: 'multifd', multifdChannels: 4, multifdCompression: 'zstd', compressionRatio: 2 } });
    // Threshold still 64 x 0.3 = 19.2 raw. Round 0: want 236.8 -> 19 windows of 12.8 = 243.2 in 1.9 s; dirt 60.8, of it 243.2/256 -> 57.76; pending 12.8 + 57.76 = 70.56.
    // Round 1: want 51.36 -> 5 windows = 64 in 0.5 s; leftover 6.56; new 16 x (1 - 6.56/64) = 14.36; pending 20.92.
    // Round 2: want 1.72 -> 1 window = 12.8 in 0.1 s; leftover 8.12; new 3.2 x (1 - 8.12/64) = 2.794; pending 10.914 <= 19.2.
    // Stop-copy: 10.914 raw at min(256 x 2, 4 x 64) = 256 MiB/s.
    const last = 8.12 + 3.2 * (1 - 8.12 / 64);
    assert.equal(p.rounds, 3);
    assertClose(p.precopySec, 2.5);
    assertClose(p.downtimeSec, last / 256 + 0.02);
    assertClose(p.rawBytes!, mib(243.2 + 64 + 12.8 + last));
    assertClose(p.transferredBytes, mib((243.2 + 64 + 12.8 + last) / 2));
    assert.equal(p.multifdChannels, 4);
    assert.equal(p.compressionRatio, 2);
  });

  it('each rate window overshoots its budget by 1.5 packets: an idle guest at a 64 MiB/s cap moves 71.5 MiB/s', () => {
    // 1.5 x 128 pages x 4 KiB = 768 KiB a 100 ms window: 64 + 7.5 = 71.5 MiB/s, 7.15 MiB a window, and QEMU's
    // threshold is the bandwidth it measures x 0.3 s = 21.45 MiB. Round 0: want 256 - 21.45 = 234.55 -> 33 windows
    // (32.8) = 235.95 MiB in 3.3 s; 20.05 MiB left <= 21.45: stop-and-copy at 256 MiB/s.
    const idle = { ...VM, vm: { ...VM.vm, dirtyRateBytesPerSec: 0 }, platform: { ...VM.platform, multifdNoneChannelBytesPerSec: 1024 * MiB } };
    const p = predict({ ...idle, technique: { name: 'multifd' } });
    assert.equal(p.rounds, 1);
    assertClose(p.precopySec, 3.3);
    assertClose(p.stopCopyBytes, mib(256 - 235.95));
    // without the overshoot, at the cap
    const exact = predict({ ...idle, platform: { ...idle.platform, multifdWindowOvershootPackets: 0 }, technique: { name: 'multifd' } });
    assertClose(exact.precopySec, 3.7); // 256 - 19.2 = 236.8 -> 37 windows of 6.4 MiB
    // compressed at ratio 2 the packets are half as many wire bytes: 64 + 3.75 MiB/s of wire, 135.5 MiB/s raw
    const z = predict({ ...idle, platform: { ...idle.platform, multifdZstdChannelBytesPerSec: 1024 * MiB, multifdZstdChannelRedundantBytesPerSec: 1024 * MiB }, technique: { name: 'multifd', multifdCompression: 'zstd', compressionRatio: 2 } });
    assertClose(z.precopySec, Math.ceil((256 - 67.75 * 0.3) / (13.55)) * 0.1);
  });

  it('CPU-bound: one zlib channel of 32 MiB/s on an idle guest moves 256 MiB raw in 8 s, 128 MiB on the wire', () => {
    const p = predict({ ...VM, vm: { ...VM.vm, dirtyRateBytesPerSec: 0 }, platform: { ...VM.platform, multifdZlibChannelBytesPerSec: 32 * MiB, multifdZlibChannelRedundantBytesPerSec: 32 * MiB }, technique: { name: 'multifd', multifdChannels: 1, multifdCompression: 'zlib', compressionRatio: 2 } });
    // Raw rate 32 (not the cap's 128): QEMU measures 16 MiB/s on the wire, threshold 16 x 0.3 = 4.8 raw.
    // Round 0, in QEMU's 50 ms slices (ram.c): want 256 - 4.8 = 251.2 = 157 slices of 1.6 exactly, in 7.85 s;
    // stop-copy the 4.8 left at 32 MiB/s = 0.15 s.
    assertClose(p.precopySec, 7.85);
    assertClose(p.downtimeSec, 0.15 + 0.02);
    assertClose(p.transferredBytes, mib(128));
  });

  it('the channel rate follows the share: zlib at ratio 2 between 24 MiB/s (incompressible) and 48 MiB/s (redundant) is 32 MiB/s, the example above', () => {
    // seconds per raw MiB at share 0.5: 0.5 / 48 + 0.5 / 24 = 1 / 32
    assertClose(channelBytesPerSec({ multifdZlibChannelBytesPerSec: 24 * MiB, multifdZlibChannelRedundantBytesPerSec: 48 * MiB }, 'zlib', 0.5), 32 * MiB);
    const p = predict({ ...VM, vm: { ...VM.vm, dirtyRateBytesPerSec: 0 }, platform: { ...VM.platform, multifdZlibChannelBytesPerSec: 24 * MiB, multifdZlibChannelRedundantBytesPerSec: 48 * MiB }, technique: { name: 'multifd', multifdChannels: 1, multifdCompression: 'zlib', compressionRatio: 2 } });
    assertClose(p.precopySec, 7.85);
    assertClose(p.downtimeSec, 0.15 + 0.02);
    assertClose(p.transferredBytes, mib(128));
    // the defaults: zlib 37 MB/s incompressible, 267 MB/s redundant; at share 0.2: 1 / (0.8 / 267e6 + 0.2 / 37e6)
    assertClose(channelBytesPerSec({}, 'zlib', 0.2), 1 / (0.8 / 267e6 + 0.2 / 37e6));
    assertClose(channelBytesPerSec({}, 'zlib', 0.2) / 1e6, 119.02, 1e-4);
    assert.equal(channelBytesPerSec({}, 'zlib'), 37e6); // share 1 by default
    assert.equal(channelBytesPerSec({}, 'none', 0.1), 445e6); // none compresses nothing: one rate
    // more compressible, faster; never beyond the redundant rate
    assert.ok(channelBytesPerSec({}, 'zstd', 0.1) > channelBytesPerSec({}, 'zstd', 0.5));
    assertClose(channelBytesPerSec({}, 'zstd', 0), 265e6);
  });

  it('compress means multifd with zlib, and says so', () => {
    const c = predict({ ...VM, technique: { name: 'compress' } });
    const m = predict({ ...VM, technique: { name: 'multifd', multifdCompression: 'zlib' } });
    assert.equal(c.technique, 'compress');
    assert.match(c.note!, /multifd with zlib/);
    assert.deepEqual({ ...c, technique: 'multifd', note: undefined }, { ...m, note: undefined });
    assert.equal(c.compressionRatio, 1.1);
  });
});

describe('dirty-limit: not measured, the same trigger as auto-converge', () => {
  // 1 GiB, 128 MiB/s of dirt over all memory, 100 MiB/s cap: pre-copy never converges; auto-converge steps in.
  const hot: PredictInput = { vm: { memoryBytes: 1024 * MiB, dirtyRateBytesPerSec: 128 * MiB }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' }, trace: true };
  const dl = predict({ ...hot, technique: { name: 'dirty-limit', vcpuDirtyLimitBytesPerSec: 4 * MiB, vcpus: 2 } });
  it('is flagged as not measured and caps the guest at vcpus x limit from the first trigger on', () => {
    assert.equal(dl.measured, false);
    assert.match(dl.note!, /dirty ring/);
    assert.equal(dl.dirtyLimitBytesPerSec, 8 * MiB);
    const ac = predict({ ...hot, technique: { name: 'auto-converge' } });
    const firstThrottled = ac.trace!.findIndex((r) => r.throttle > 0);
    const from = ac.trace!.slice(0, firstThrottled).reduce((s, r) => s + r.durationSec, 0);
    assertClose(dl.dirtyLimitFromSec!, from); // the moment auto-converge takes its first step
    let t = 0;
    for (const r of dl.trace!) {
      if (r.kind === 'pre-copy' && t >= dl.dirtyLimitFromSec! - 1e-9) assert.ok(r.dirtiedBytes <= 8 * MiB * r.durationSec * (1 + 1e-9), `round ${r.round}`);
      t += r.durationSec;
    }
    assert.equal(dl.converged, true);
  });
});
