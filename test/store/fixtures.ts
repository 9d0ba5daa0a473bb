import type { MigrationRecord } from '../../src/record/record.js';

/** A synthetic lab record with `rounds` trace rows (ids unique per call). */
export function fakeRecord(i: number, rounds = 5): MigrationRecord {
  return {
    id: `m-${process.pid}-${i}-${Math.random().toString(36).slice(2, 8)}`,
    startedAt: new Date(Date.UTC(2026, 10, 22, 0, 0, i)).toISOString(),
    config: { memoryBytes: 256 * 2 ** 20, workload: 'dirtier', params: { wss: '64M', rate: 1000 + i }, bandwidthBytesPerSec: 100 * 2 ** 20, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30 },
    accelerator: 'tcg',
    qemuVersion: '10.0.2',
    sample: { memoryBytes: 256 * 2 ** 20, pageSizeBytes: 4096, dirtyRateBytesPerSec: 1e7 + i, curve: [{ windowSec: 1, dirtiedBytes: 1e7 + i }], zeroPageFraction: 0.25, cpuUtilisation: 0.5, sampledAt: new Date(Date.UTC(2026, 10, 22)).toISOString() },
    predicted: { qemu: { totalTimeSec: 2, downtimeSec: 0.02, transferredBytes: 3e8, rounds: 3, converged: true, reason: 'fits-downtime-limit', energyJoules: 170, setupSec: 0, precopySec: 1.9, stopCopySec: 0.08, stopCopyBytes: 1e7, resumeSec: 0.02, maxThrottle: 0 } },
    measured: { status: 'completed', totalTimeSec: 2.1 + i / 1000, downtimeSec: 0.015, transferredBytes: 3.1e8 + i, rounds, converged: true, setupSec: 0.001, stopCopyBytes: 1e7 },
    trace: Array.from({ length: rounds }, (_, r) => ({ round: r, kind: r === rounds - 1 ? ('stop-copy' as const) : ('pre-copy' as const), sentBytes: 1e7 * (r + 1), durationSec: 0.1, rateBytesPerSec: 1e8, dirtiedBytes: 1e6, skippedBytes: 0, remainingBytes: 1e6 * r, throttle: 0 })),
  };
}
