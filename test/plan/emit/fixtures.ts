/** Shared inputs of the `plan --emit` tests. */
import type { MigrationAction } from '../../../src/plan/emit/actions.js';
import type { TechniqueOptions } from '../../../src/model/types.js';
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


/** The worked action (4 GiB, 200 MiB/s, 500 ms) with a technique `plan --advise` picked, and its settings. */
export function advisedAction(label: string, options: TechniqueOptions, over: Partial<MigrationAction> = {}): MigrationAction {
  return action({ technique: { autoConverge: options.name === 'auto-converge', postcopy: options.name === 'postcopy', advised: { label, options } }, ...over });
}

/** One advised action per technique advise knows, with settings where the platforms can take them. */
export const ADVISED: MigrationAction[] = [
  advisedAction('precopy', { name: 'precopy' }),
  advisedAction('auto-converge', { name: 'auto-converge' }),
  advisedAction('postcopy', { name: 'postcopy' }, { completionTimeoutSec: 21 }),
  advisedAction('postcopy', { name: 'postcopy', postcopyAfterSec: 30, maxPostcopyBandwidthBytesPerSec: 500 * MiB }, { completionTimeoutSec: 30 }),
  advisedAction('xbzrle', { name: 'xbzrle', xbzrleCacheBytes: 256 * MiB }),
  advisedAction('multifd', { name: 'multifd' }),
  advisedAction('multifd+zstd', { name: 'multifd', multifdCompression: 'zstd', multifdChannels: 4 }),
  advisedAction('multifd+zlib', { name: 'compress' }),
  advisedAction('dirty-limit', { name: 'dirty-limit' }),
];
