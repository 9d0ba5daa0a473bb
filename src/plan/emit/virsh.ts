/**
 * Actions as `virsh` argument arrays (never a shell string): the downtime limit set on the source domain
 * first (`migrate-setmaxdowntime` before a migration sticks to the domain and applies to its next one), then
 * `migrate --live` with the bandwidth cap, the time-out and the technique. At the time-out the model forces
 * the switch-over, which is virsh's `--timeout-suspend` (or `--timeout-postcopy` for a post-copy move).
 * An advised technique (`plan --advise`) is set with its settings: post-copy (`--postcopy`, after the first pass
 * or at the time-out, `--postcopy-bandwidth`), auto-converge, XBZRLE (`--compressed --comp-methods xbzrle`,
 * `--comp-xbzrle-cache`), multifd (`--parallel --parallel-connections`, with zlib or zstd `--compressed
 * --comp-methods`). Flag spellings are libvirt-clients 11's `virsh migrate --help`. Pure.
 */
import { wholeMiBPerSec, wholeMs, type MigrationAction } from './actions.js';

export interface VirshStep {
  /** argv, `virsh` first. */
  argv: string[];
  what: string;
}

/** QEMU's default multifd-channels (migration/options.c), which advise prices an unset count with. */
const MULTIFD_CHANNELS = 2;

/** The `virsh migrate` flags of the move's technique. */
export function virshTechniqueFlags(a: MigrationAction): string[] {
  const t = a.technique.advised?.options;
  const out: string[] = [];
  if (a.technique.autoConverge) out.push('--auto-converge');
  if (a.technique.postcopy) {
    out.push('--postcopy');
    // After N seconds is the time-out (--timeout-postcopy); after the first pass is virsh's own flag.
    if (t?.postcopyAfterSec === undefined) out.push('--postcopy-after-precopy');
    if (t?.maxPostcopyBandwidthBytesPerSec !== undefined) out.push('--postcopy-bandwidth', String(wholeMiBPerSec(t.maxPostcopyBandwidthBytesPerSec)));
  }
  if (t?.name === 'xbzrle') {
    out.push('--compressed', '--comp-methods', 'xbzrle');
    if (t.xbzrleCacheBytes !== undefined) out.push('--comp-xbzrle-cache', String(t.xbzrleCacheBytes));
  }
  if (t?.name === 'multifd' || t?.name === 'compress') {
    out.push('--parallel', '--parallel-connections', String(t.multifdChannels ?? MULTIFD_CHANNELS));
    const method = t.name === 'compress' ? 'zlib' : (t.multifdCompression ?? 'none');
    if (method !== 'none') out.push('--compressed', '--comp-methods', method);
  }
  return out;
}

/** What the advised technique asks that virsh cannot set (comment lines for the script). */
export function virshNotes(a: MigrationAction): string[] {
  const t = a.technique.advised?.options;
  if (!t) return [];
  const notes: string[] = [];
  if (t.name === 'postcopy' && (t.postcopyAfterPasses ?? 1) > 1 && t.postcopyAfterSec === undefined) {
    notes.push(`virsh switches to post-copy after the first pre-copy pass (--postcopy-after-precopy), not after ${t.postcopyAfterPasses}: run \`virsh migrate-postcopy\` yourself for a later switch`);
  }
  if (t.name === 'dirty-limit') notes.push("virsh migrate has no flag for QEMU's dirty-limit capability (KVM dirty ring): this runs as plain pre-copy");
  return notes;
}

export function virshSteps(a: MigrationAction): VirshStep[] {
  const conn = ['virsh', '-c', a.source.libvirtUri];
  const migrate = [...conn, 'migrate', '--live', '--persistent', '--undefinesource', '--domain', a.names.domain, '--desturi', a.destination.libvirtUri, '--bandwidth', String(wholeMiBPerSec(a.bandwidthBytesPerSec))];
  migrate.push(...virshTechniqueFlags(a));
  migrate.push('--timeout', String(Math.round(a.completionTimeoutSec)), a.technique.postcopy ? '--timeout-postcopy' : '--timeout-suspend');
  return [
    { argv: [...conn, 'migrate-setmaxdowntime', '--domain', a.names.domain, '--downtime', String(wholeMs(a.downtimeLimitSec))], what: 'downtime limit (ms)' },
    { argv: migrate, what: 'migration' },
  ];
}
