/** Shared inputs of the `plan --emit` tests. */
import type { MigrationAction } from '../../../src/plan/emit/actions.js';
import { GiB, MiB } from '../../helpers.js';

/** h1 is hot by CPU (10 > 8); only `hot` fits off it usefully. Names overridden on h1, `mid` and `evil`. */
export const DOC = {
  hosts: [
    { id: 'h1', cpu: 8, memory: '32GiB', bandwidth: '1GiB/s', libvirtUri: 'qemu+tcp://10.0.0.1/system', computeHost: 'compute-1', node: 'node-1' },
    { id: 'h2', cpu: 8, memory: '32GiB', bandwidth: '100MiB/s' },
    { id: 'h3', cpu: 8, memory: '8GiB', bandwidth: '1GiB/s' },
  ],
  vms: [
    { id: 'big', host: 'h1', cpu: 4, memory: '8GiB', dirtyRate: '1MiB/s' },
    { id: 'a; rm -rf /', host: 'h1', cpu: 3, memory: '2GiB', dirtyRate: '1MiB/s', vmi: 'evil-vmi', namespace: 'ns1', server: "it's 'quoted'" },
    { id: 'mid', host: 'h1', cpu: 3, memory: '4GiB', dirtyRate: '50MiB/s', domain: 'mid-domain' },
    { id: 'other', host: 'h2', cpu: 2, memory: '4GiB', dirtyRate: '10MiB/s' },
  ],
};

/** One worked action, written out by hand: 4 GiB, 200 MiB/s, 500 ms, auto-converge. */
export function action(over: Partial<MigrationAction> = {}): MigrationAction {
  return {
    vm: 'db1',
    from: 'h1',
    to: 'h2',
    reason: 'hot-host',
    bandwidthBytesPerSec: 200.7 * MiB,
    downtimeLimitSec: 0.5,
    completionTimeoutSec: 600,
    memoryBytes: 4 * GiB,
    technique: { autoConverge: true, postcopy: false },
    predicted: { totalTimeSec: 30, downtimeSec: 0.2, transferredBytes: 5 * GiB, converged: true },
    source: { libvirtUri: 'qemu+ssh://h1/system', computeHost: 'h1', node: 'h1' },
    destination: { libvirtUri: 'qemu+ssh://h2/system', computeHost: 'cmp-2', node: 'node-2' },
    names: { domain: 'db1-dom', server: 'db1-srv', vmi: 'db1', namespace: 'prod' },
    ...over,
  };
}

