/**
 * A QEMU migration in flight, read without changing anything: `query-migrate`, `query-migrate-parameters` and
 * `query-migrate-capabilities` only, reduced to the model's `InFlight`.
 */
import type { QmpClient, QueryMigrate } from './qmp.js';
import type { InFlight } from '../../model/in-flight.js';

export interface InFlightReading {
  status: string;
  /** Set while the migration runs (after setup). */
  state?: InFlight;
  /** On completion: QEMU's own figures. */
  final?: { totalTimeSec: number; downtimeSec: number; transferredBytes: number };
  error?: string;
}

export function inFlightFromQuery(q: QueryMigrate, settings: { downtimeLimitSec: number; maxBandwidthBytesPerSec: number; autoConverge: boolean }): InFlightReading {
  const status = q.status ?? 'none';
  if (status === 'completed') return { status, final: { totalTimeSec: (q['total-time'] ?? 0) / 1000, downtimeSec: (q.downtime ?? 0) / 1000, transferredBytes: q.ram?.transferred ?? 0 } };
  if (status === 'failed' || status === 'cancelled') return { status, error: q['error-desc'] ?? status };
  const ram = q.ram;
  if (!ram) return { status };
  const measured = (ram.mbps * 1e6) / 8; // QEMU's mbps is Mbit/s
  return {
    status,
    state: {
      elapsedSec: (q['total-time'] ?? 0) / 1000,
      transferredBytes: ram.transferred,
      remainingBytes: ram.remaining,
      memoryBytes: ram.total,
      syncs: ram['dirty-sync-count'],
      dirtyRateBytesPerSec: ram['dirty-pages-rate'] * (ram['page-size'] || 4096),
      bandwidthBytesPerSec: measured > 0 ? measured : settings.maxBandwidthBytesPerSec,
      downtimeLimitSec: settings.downtimeLimitSec,
      autoConverge: settings.autoConverge,
      throttle: (q['cpu-throttle-percentage'] ?? 0) / 100,
    },
  };
}

/** The migration's settings as QEMU holds them (read-only). */
export async function readInFlightSettings(qmp: QmpClient): Promise<{ downtimeLimitSec: number; maxBandwidthBytesPerSec: number; autoConverge: boolean }> {
  const params = await qmp.execute<Record<string, unknown>>('query-migrate-parameters');
  const caps = await qmp.execute<{ capability: string; state: boolean }[]>('query-migrate-capabilities');
  return {
    downtimeLimitSec: Number(params['downtime-limit'] ?? 300) / 1000,
    maxBandwidthBytesPerSec: Number(params['max-bandwidth'] ?? 134217728),
    autoConverge: caps.some((c) => c.capability === 'auto-converge' && c.state),
  };
}
