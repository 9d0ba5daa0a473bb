/**
 * Each QEMU technique as `virsh migrate` takes it (libvirt sets the capabilities and parameters on both QEMUs for
 * one migration and clears them afterwards: LIBVIRT-NOTES §5, so nothing sticks to the domain), and what libvirt's
 * job statistics say of it:
 * - postcopy: `--postcopy` (and `--postcopy-bandwidth` MiB/s when capped); migcost switches with
 *   `virsh migrate-postcopy` after the first pass (or `postcopyAfterPasses` / `postcopyAfterSec`), as its QMP driver
 *   does with migrate-start-postcopy. The destination QEMU needs userfaultfd (a system daemon, or a session one
 *   whose user may open /dev/userfaultfd);
 * - auto-converge: `--auto-converge`;
 * - xbzrle: `--compressed --comp-methods xbzrle --comp-xbzrle-cache BYTES`;
 * - multifd: `--parallel --parallel-connections N`, with `--compressed --comp-methods zlib|zstd` for a compression
 *   (`compress` is multifd with zlib, as in QEMU 10);
 * - dirty-limit: refused (it needs KVM's dirty ring; libvirt has no flag for it either).
 */
import type { TechniqueOptions } from '../../model/types.js';
import type { Measured } from '../../model/sample.js';
import { TECHNIQUE_DEFAULTS } from '../../model/techniques.js';
import { LibvirtError, optionalInt, type JobStats } from './virsh.js';

/** The technique's `virsh migrate` arguments (none for plain pre-copy). */
export function techniqueArgs(t: TechniqueOptions | undefined): string[] {
  if (!t || t.name === 'precopy') return [];
  switch (t.name) {
    case 'auto-converge':
      return ['--auto-converge'];
    case 'postcopy': {
      const bw = t.maxPostcopyBandwidthBytesPerSec;
      return ['--postcopy', ...(bw !== undefined && Number.isFinite(bw) && bw > 0 ? ['--postcopy-bandwidth', String(Math.max(1, Math.round(bw / 2 ** 20)))] : [])];
    }
    case 'xbzrle':
      return ['--compressed', '--comp-methods', 'xbzrle', '--comp-xbzrle-cache', String(t.xbzrleCacheBytes ?? TECHNIQUE_DEFAULTS.xbzrleCacheBytes)];
    case 'multifd':
    case 'compress': {
      const comp = t.name === 'compress' ? 'zlib' : (t.multifdCompression ?? TECHNIQUE_DEFAULTS.multifdCompression);
      return ['--parallel', '--parallel-connections', String(t.multifdChannels ?? TECHNIQUE_DEFAULTS.multifdChannels), ...(comp !== 'none' ? ['--compressed', '--comp-methods', comp] : [])];
    }
    case 'dirty-limit':
      throw new LibvirtError("technique dirty-limit: libvirt cannot run it (QEMU needs KVM with a dirty ring; the lab's TCG refuses it): predicted only");
  }
}

/** What a finished job's statistics say of its technique; post-copy's switch and phase as the driver saw them. */
export function techniqueMeasuredLibvirt(t: TechniqueOptions | undefined, done: JobStats, postcopy: { switchSec: number; bytesAtSwitch: number } | undefined): Partial<Measured> {
  if (!t) return {};
  const s = done.stats;
  const out: Partial<Measured> = { technique: t.name };
  if (t.name === 'postcopy') {
    out.remoteFaults = optionalInt(s, 'memory_postcopy_requests') ?? 0;
    const total = (optionalInt(s, 'time_elapsed') ?? 0) / 1000;
    if (postcopy) {
      out.switchoverSec = postcopy.switchSec;
      out.postcopyPhaseSec = Math.max(0, total - postcopy.switchSec);
      out.postcopyTimedBy = 'poll';
      // libvirt reports no post-copy byte count: what was sent after the last poll before the switch.
      out.postcopyBytes = Math.max(0, (optionalInt(s, 'memory_processed') ?? 0) - postcopy.bytesAtSwitch);
    } else {
      out.postcopyPhaseSec = 0;
      out.postcopyBytes = 0;
    }
  }
  if (t.name === 'xbzrle') {
    const hits = optionalInt(s, 'compression_pages');
    if (hits !== undefined) {
      const overflow = optionalInt(s, 'compression_overflow') ?? 0;
      out.xbzrleCacheHits = hits;
      out.xbzrleCacheMisses = optionalInt(s, 'compression_cache_misses') ?? 0;
      out.xbzrleOverflows = overflow;
      // As QEMU counts it, `bytes` includes a page per overflow that went as a normal page (TECHNIQUES-NOTES §2).
      out.xbzrleEncodedBytes = Math.max(0, (optionalInt(s, 'compression_bytes') ?? 0) - overflow * (optionalInt(s, 'memory_page_size') ?? 4096));
    }
  }
  return out;
}
