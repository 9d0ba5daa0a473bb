/** Synthetic lab records of techniques for the evaluation tests: predicted (deng-bitmap) against measured. */
import type { MigrationConfig, MigrationRecord } from '../../src/record/record.js';
import type { TechniqueOptions } from '../../src/model/types.js';
import type { VmSample } from '../../src/model/sample.js';
import { MiB } from '../helpers.js';

export const base: MigrationConfig = { memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '48M' }, bandwidthBytesPerSec: 50 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 30 };

/** A record: predicted (time, MiB, downtime, post-copy phase) against measured. */
export function rec(
  id: string,
  technique: TechniqueOptions | undefined,
  predicted: { t: number; mib: number; d: number; phase?: number; converged?: boolean },
  measured: { t: number; mib: number; d: number; phase?: number; faults?: number; status?: 'completed' | 'cancelled' },
  o: { config?: Partial<MigrationConfig>; startedAt?: string; host?: string; sample?: VmSample } = {},
): MigrationRecord {
  const status = measured.status ?? 'completed';
  return {
    id,
    startedAt: o.startedAt ?? '2026-12-06T22:00:00.000Z',
    config: { ...base, autoConverge: technique?.name === 'auto-converge', ...(technique ? { technique } : {}), ...o.config },
    accelerator: 'tcg',
    qemuVersion: '10.0.2',
    sample: o.sample ?? { memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 10 * MiB, curve: [], sampledAt: '2026-12-06T22:00:00.000Z' },
    predicted: {
      'deng-bitmap': {
        totalTimeSec: predicted.t, transferredBytes: predicted.mib * MiB, downtimeSec: predicted.d, converged: predicted.converged ?? true, rounds: 3, reason: 'fits-downtime-limit',
        energyJoules: 0, setupSec: 0, precopySec: 0, stopCopySec: 0, stopCopyBytes: 0, resumeSec: 0, maxThrottle: 0,
        ...(predicted.phase !== undefined ? { postcopyPhaseSec: predicted.phase } : {}),
      } as MigrationRecord['predicted'][string],
    },
    measured: {
      status, totalTimeSec: measured.t, transferredBytes: measured.mib * MiB, downtimeSec: measured.d, rounds: 3, converged: status === 'completed', setupSec: 0,
      ...(measured.phase !== undefined ? { postcopyPhaseSec: measured.phase } : {}),
      ...(measured.faults !== undefined ? { remoteFaults: measured.faults } : {}),
    },
    trace: [],
    ...(o.host ? { host: { cpu: o.host, cpus: 2 } } : {}),
  };
}

