/**
 * Actions as `virsh` argument arrays (never a shell string): the downtime limit set on the source domain
 * first (`migrate-setmaxdowntime` before a migration sticks to the domain and applies to its next one), then
 * `migrate --live` with the bandwidth cap, the time-out and the technique. At the time-out the model forces
 * the switch-over, which is virsh's `--timeout-suspend` (or `--timeout-postcopy` for a post-copy move).
 * Flag spellings are libvirt-clients 11's `virsh migrate --help`. Pure.
 */
import { wholeMiBPerSec, wholeMs, type MigrationAction } from './actions.js';

export interface VirshStep {
  /** argv, `virsh` first. */
  argv: string[];
  what: string;
}

export function virshSteps(a: MigrationAction): VirshStep[] {
  const conn = ['virsh', '-c', a.source.libvirtUri];
  const migrate = [...conn, 'migrate', '--live', '--persistent', '--undefinesource', '--domain', a.names.domain, '--desturi', a.destination.libvirtUri, '--bandwidth', String(wholeMiBPerSec(a.bandwidthBytesPerSec))];
  if (a.technique.autoConverge) migrate.push('--auto-converge');
  if (a.technique.postcopy) migrate.push('--postcopy', '--postcopy-after-precopy');
  migrate.push('--timeout', String(Math.round(a.completionTimeoutSec)), a.technique.postcopy ? '--timeout-postcopy' : '--timeout-suspend');
  return [
    { argv: [...conn, 'migrate-setmaxdowntime', '--domain', a.names.domain, '--downtime', String(wholeMs(a.downtimeLimitSec))], what: 'downtime limit (ms)' },
    { argv: migrate, what: 'migration' },
  ];
}
