/**
 * A libvirt migration in flight, read without changing anything: `domjobinfo --rawstats` on the source and
 * `migrate-getmaxdowntime`, reduced to the model's `InFlight`. libvirt's memory_bps is bytes/s, its
 * memory_dirty_rate pages/s, its memory_iteration QEMU's dirty-sync-count.
 */
import type { InFlight } from '../../model/in-flight.js';
import type { JobStats } from './virsh.js';
import { optionalInt } from './virsh.js';

export function inFlightFromJob(j: JobStats, downtimeLimitSec: number): { status: string; state?: InFlight } {
  if (j.type !== 'unbounded' && j.type !== 'bounded') return { status: j.type };
  const s = j.stats;
  const n = (k: string) => optionalInt(s, k) ?? 0;
  const throttle = optionalInt(s, 'auto_converge_throttle') ?? optionalInt(s, 'memory_auto_converge_throttle');
  return {
    status: 'active',
    state: {
      elapsedSec: n('time_elapsed') / 1000,
      transferredBytes: n('memory_processed'),
      remainingBytes: n('memory_remaining'),
      memoryBytes: n('memory_total'),
      syncs: n('memory_iteration'),
      dirtyRateBytesPerSec: n('memory_dirty_rate') * (optionalInt(s, 'memory_page_size') ?? 4096),
      bandwidthBytesPerSec: n('memory_bps'),
      downtimeLimitSec,
      // libvirt reports the throttle only while auto-converge throttles; before that it cannot be told apart.
      autoConverge: throttle !== undefined,
      throttle: (throttle ?? 0) / 100,
    },
  };
}
