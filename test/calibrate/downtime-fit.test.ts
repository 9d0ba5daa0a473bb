/**
 * The stop-and-copy fit (calibrate/downtime-fit.ts): worked examples on runs made from known constants, the
 * buffered size left at 0 on few runs, and the runs it leaves out.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BUFFERED_MIN_RUNS, fitDowntime, fitDowntimeAt, type DowntimeObservation } from '../../src/calibrate/downtime-fit.js';
import { fitPlatform, fitPostcopyFaultLatency, fitPostcopyPushRate, type PlatformObservation, type PostcopyPushObservation } from '../../src/calibrate/platform.js';
import { stopCopyTime } from '../../src/model/stop-copy.js';
import { assertClose, MiB } from '../helpers.js';

/** Runs of 2 ms fixed + 1 ms a MiB beyond 10 MiB (a 1 GiB/s-ish destination behind 10 MiB of socket buffers). */
function runs(n: number, rounds = 2): DowntimeObservation[] {
  return Array.from({ length: n }, (_, i) => {
    const bytes = (1 + (i * 47) % 60) * MiB;
    return { stopCopyBytes: bytes, downtimeSec: 0.002 + Math.max(0, bytes - 10 * MiB) / (1000 * MiB), rounds };
  });
}

describe('fitDowntime', () => {
  it('finds the buffered bytes, the fixed time and the rate that made the runs', () => {
    const f = fitDowntime(runs(60))!;
    assert.equal(f.platform.stopCopyBufferedBytes, 10 * MiB);
    assertClose(f.platform.resumeSec, 0.002, 1e-9);
    assertClose(f.platform.stopCopyRateBytesPerSec, 1000 * MiB, 1e-6);
    assert.equal(f.platform.firstTouchRateBytesPerSec, undefined); // one kind of switch-over: one rate
    assert.ok(f.sse < 1e-12);
  });

  it(`with fewer than ${BUFFERED_MIN_RUNS} usable runs the buffered size stays 0 (the fit before it)`, () => {
    const few = runs(BUFFERED_MIN_RUNS - 1);
    const f = fitDowntime(few)!;
    assert.equal(f.platform.stopCopyBufferedBytes, undefined);
    assert.deepEqual(f, fitDowntimeAt(few, 0));
  });

  it('leaves out XBZRLE, multifd and switched post-copy runs, and runs with no stop-copy bytes', () => {
    const base = runs(60);
    const noise: DowntimeObservation[] = [
      { stopCopyBytes: 50 * MiB, downtimeSec: 0.5, rounds: 2, technique: 'xbzrle' },
      { stopCopyBytes: 50 * MiB, downtimeSec: 0.5, rounds: 2, technique: 'multifd' },
      { stopCopyBytes: 50 * MiB, downtimeSec: 0.5, rounds: 2, technique: 'postcopy' },
      { stopCopyBytes: 0, downtimeSec: 0.5, rounds: 2 },
    ];
    assert.deepEqual(fitDowntime([...base, ...noise]), fitDowntime(base));
  });
});

describe('stopCopyTime with buffered bytes', () => {
  it('the buffers take the first bytes, never-sent pages first; a CPU ceiling still holds for all of them', () => {
    assertClose(stopCopyTime(30e6, 0, 1e8, 1e9, 1, Infinity, 10e6), 0.02); // (30 - 10) MB at 1 GB/s
    // 10 MB never sent: the buffers take them all, the other 20 MB go at 1 GB/s.
    assertClose(stopCopyTime(30e6, 10e6, 1e8, 1e9, 1, Infinity, 10e6), 0.02);
    // 20 MB never sent: 10 of them past the buffers at 100 MB/s, then 10 MB at 1 GB/s.
    assertClose(stopCopyTime(30e6, 20e6, 1e8, 1e9, 1, Infinity, 10e6), 0.1 + 0.01);
    // Gain 2 (raw per wire byte): 10 MB of wire is 20 MB raw; the rest, 10 MB raw, at 2 GB/s raw.
    assertClose(stopCopyTime(30e6, 0, 1e8, 1e9, 2, Infinity, 10e6), 0.005);
    // multifd: channels compressing 300 MB/s bound the copy whatever the buffers take.
    assertClose(stopCopyTime(30e6, 0, 1e8, 1e9, 1, 3e8, 10e6), 0.1);
    // No buffers: the rule before (each part at the lower of its rate and the ceiling).
    assertClose(stopCopyTime(30e6, 10e6, 1e8, 1e9, 1, 5e8), 10e6 / 1e8 + 20e6 / 5e8);
  });
});

describe('fitPlatform: post-copy switch time', () => {
  const obs = (downtimeSec: number, technique?: 'postcopy'): PlatformObservation => ({ setupSec: 0.001, downtimeSec, stopCopyBytes: technique ? 0 : 4 * MiB, precopyBytes: 1e8, precopySec: 1, capBytesPerSec: 1e8, rounds: 2, ...(technique ? { technique } : {}) });
  it('is the median downtime of the post-copy runs that switched, from 3 of them; the prior stays with fewer', () => {
    const pre = [obs(0.004), obs(0.005), obs(0.006)];
    assert.equal(fitPlatform([...pre, obs(0.001, 'postcopy'), obs(0.003, 'postcopy'), obs(0.002, 'postcopy')]).platform.postcopySwitchSec, 0.002);
    assert.equal(fitPlatform([...pre, obs(0.001, 'postcopy'), obs(0.003, 'postcopy')]).platform.postcopySwitchSec, undefined);
  });
  it('keeps post-copy runs that switched out of the line rate: their time after the switch is the post-copy push', () => {
    // A free pre-copy run at 20 MB/s (under half its 100 MB/s cap) sets the line rate; a post-copy run whose 1e8
    // bytes took 5 s (pushed at its own 20 MB/s post-copy cap) would pull the median down if it counted.
    const free = { ...obs(0.005), precopyBytes: 2e7, precopySec: 1 };
    const switched = { ...obs(0.002, 'postcopy'), precopyBytes: 1e8, precopySec: 5 };
    assert.equal(fitPlatform([free, switched, switched]).platform.lineRateBytesPerSec, 2e7);
    assert.equal(fitPlatform([switched, switched]).platform.lineRateBytesPerSec, undefined);
  });
});

describe('fitPostcopyPushRate: the post-copy push a cap did not bound, timed well', () => {
  const ev = (bytes: number, sec: number, capBytesPerSec = Infinity): PostcopyPushObservation => ({ bytes, sec, capBytesPerSec, timedBy: 'events' });
  it('is the median of bytes / phase from 3 phases; the prior stays with fewer', () => {
    assert.equal(fitPostcopyPushRate([ev(60e6, 0.1), ev(70e6, 0.1), ev(90e6, 0.1)]), 700e6);
    assert.equal(fitPostcopyPushRate([ev(60e6, 0.1), ev(70e6, 0.1)]), undefined);
  });
  it('leaves out phases a cap bound (rate >= 0.8 x cap), polled phases under 0.2 s, and empty ones', () => {
    const good = [ev(60e6, 0.1), ev(70e6, 0.1), ev(90e6, 0.1)];
    // 20 MB/s under a 21 MB/s cap: the cap's rate; 50 ms polled: +-20 ms; 0 bytes.
    const noise = [ev(2e7, 1, 2.1e7), { bytes: 9e7, sec: 0.05, capBytesPerSec: Infinity }, { bytes: 9e7, sec: 0.05, capBytesPerSec: Infinity, timedBy: 'poll' as const }, ev(0, 0.1)];
    assert.equal(fitPostcopyPushRate([...good, ...noise]), 700e6);
    // Polled and at least 0.2 s long, or under a cap it did not reach (50 MB/s of 100): counted.
    assert.equal(fitPostcopyPushRate([ev(1e8, 2, 1e8), { bytes: 1.2e8, sec: 0.2, capBytesPerSec: Infinity, timedBy: 'poll' }, ev(7e7, 0.1)]), 6e8);
  });
  it("the fault latency: the median of blocktime / faults where the destination measured it, from 3 runs", () => {
    const o = (faults: number, blocktimeSec?: number): PostcopyPushObservation => ({ bytes: 1e8, sec: 1, capBytesPerSec: 2e7, faults, ...(blocktimeSec !== undefined ? { blocktimeSec } : {}) });
    // 2, 4, 8 ms a fault; a run without faults and one without a blocktime say nothing.
    assert.equal(fitPostcopyFaultLatency([o(10, 0.02), o(10, 0.04), o(10, 0.08), o(0, 0.01), o(50)]), 0.004);
    assert.equal(fitPostcopyFaultLatency([o(10, 0.02), o(10, 0.04), o(50)]), undefined);
  });
  it('fitPlatform sets it from the observations that carry a push', () => {
    const o = (bytes: number): PlatformObservation => ({ setupSec: 0.001, downtimeSec: 0.002, stopCopyBytes: 0, precopyBytes: 1e8, precopySec: 1, capBytesPerSec: 1e8, rounds: 1, technique: 'postcopy', postcopyPush: ev(bytes, 0.1) });
    assert.equal(fitPlatform([o(60e6), o(70e6), o(90e6)]).platform.postcopyPushRateBytesPerSec, 700e6);
    assert.equal(fitPlatform([o(60e6), o(70e6)]).platform.postcopyPushRateBytesPerSec, undefined);
  });
});

describe('the new constants in a platform file', () => {
  it('parse with units; a negative size or time is refused naming the key', async () => {
    const { parsePlatform } = await import('../../src/input.js');
    assert.deepEqual(parsePlatform('', { platform: { stopCopyBufferedBytes: '9MiB', postcopySwitchSec: '2ms' } }), { stopCopyBufferedBytes: 9 * MiB, postcopySwitchSec: 0.002 });
    assert.throws(() => parsePlatform('', { stopCopyBufferedBytes: -1 }), /stopCopyBufferedBytes/);
    assert.throws(() => parsePlatform('', { postcopySwitchSec: -1 }), /postcopySwitchSec/);
    assert.deepEqual(parsePlatform('', { postcopyPushRateBytesPerSec: '650MiB/s' }), { postcopyPushRateBytesPerSec: 650 * MiB });
    assert.throws(() => parsePlatform('', { postcopyPushRateBytesPerSec: '650MiB' }), /postcopyPushRateBytesPerSec/);
  });
});
