/** Flattens lab records for export: one row per migration, or one per round. Pure. */
import type { MigrationRecord } from './record.js';

export const MIGRATION_COLUMNS = [
  'id', 'startedAt', 'workload', 'params', 'memoryBytes', 'bandwidthBytesPerSec', 'downtimeLimitSec', 'autoConverge', 'qemuVersion', 'accelerator',
  'sampleDirtyRateBytesPerSec', 'sampleZeroPageFraction', 'status', 'totalTimeSec', 'downtimeSec', 'transferredBytes', 'rounds', 'setupSec',
  'stopCopyBytes', 'maxThrottle', 'predictedTotalTimeSec', 'predictedDowntimeSec', 'predictedTransferredBytes', 'predictedConverged',
] as const;

export function migrationRow(r: MigrationRecord, variant = 'deng-bitmap'): Record<(typeof MIGRATION_COLUMNS)[number], string | number | boolean | null> {
  const p = r.predicted[variant] ?? (variant === 'deng-bitmap' ? r.predicted['deng-curve'] : undefined);
  return {
    id: r.id,
    startedAt: r.startedAt,
    workload: r.config.workload,
    params: Object.entries(r.config.params).map(([k, v]) => `${k}=${v}`).join(' '),
    memoryBytes: r.config.memoryBytes,
    bandwidthBytesPerSec: r.config.bandwidthBytesPerSec,
    downtimeLimitSec: r.config.downtimeLimitSec,
    autoConverge: r.config.autoConverge,
    qemuVersion: r.qemuVersion,
    accelerator: r.accelerator,
    sampleDirtyRateBytesPerSec: r.sample.dirtyRateBytesPerSec,
    sampleZeroPageFraction: r.sample.zeroPageFraction ?? null,
    status: r.measured.status,
    totalTimeSec: r.measured.totalTimeSec,
    downtimeSec: r.measured.downtimeSec,
    transferredBytes: r.measured.transferredBytes,
    rounds: r.measured.rounds,
    setupSec: r.measured.setupSec,
    stopCopyBytes: r.measured.stopCopyBytes ?? null,
    maxThrottle: r.measured.maxThrottle ?? null,
    predictedTotalTimeSec: p?.totalTimeSec ?? null,
    predictedDowntimeSec: p?.downtimeSec ?? null,
    predictedTransferredBytes: p?.transferredBytes ?? null,
    predictedConverged: p?.converged ?? null,
  };
}

/** RFC 4180 quoting where needed. */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
