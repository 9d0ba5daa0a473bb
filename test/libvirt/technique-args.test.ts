/** Each technique as `virsh migrate` takes it, checked against the real virsh's option parser (its test driver). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { migrateArgs } from '../../src/hypervisor/libvirt/migrate.js';
import { techniqueArgs, techniqueMeasuredLibvirt } from '../../src/hypervisor/libvirt/technique-args.js';
import { Virsh, type JobStats } from '../../src/hypervisor/libvirt/virsh.js';
import type { TechniqueOptions } from '../../src/model/types.js';

const MiB = 2 ** 20;
const noVirsh = spawnSync('virsh', ['--version']).status !== 0 ? 'virsh not installed (libvirt-clients)' : undefined;

/** virsh's output; a run that has not returned in 4 s is killed and retried (virsh 11 sometimes never returns from a
 * migration the test driver fails at once: test/plan/emit/tools.test.ts). */
function virsh(args: string[]): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = spawnSync('virsh', args, { encoding: 'utf8', timeout: 4000, killSignal: 'SIGKILL', env: { ...process.env, LC_ALL: 'C' } });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') continue;
    return `${r.stdout}${r.stderr}`;
  }
  assert.fail(`virsh ${args.join(' ')} never returned in 10 tries`);
}

const CASES: [TechniqueOptions, string[]][] = [
  [{ name: 'precopy' }, []],
  [{ name: 'auto-converge' }, ['--auto-converge']],
  [{ name: 'postcopy' }, ['--postcopy']],
  [{ name: 'postcopy', maxPostcopyBandwidthBytesPerSec: 50 * MiB }, ['--postcopy', '--postcopy-bandwidth', '50']],
  [{ name: 'xbzrle' }, ['--compressed', '--comp-methods', 'xbzrle', '--comp-xbzrle-cache', String(64 * MiB)]],
  [{ name: 'xbzrle', xbzrleCacheBytes: 256 * MiB }, ['--compressed', '--comp-methods', 'xbzrle', '--comp-xbzrle-cache', String(256 * MiB)]],
  [{ name: 'multifd' }, ['--parallel', '--parallel-connections', '2']],
  [{ name: 'multifd', multifdChannels: 4, multifdCompression: 'zstd' }, ['--parallel', '--parallel-connections', '4', '--compressed', '--comp-methods', 'zstd']],
  [{ name: 'compress' }, ['--parallel', '--parallel-connections', '2', '--compressed', '--comp-methods', 'zlib']],
];

test('each technique as virsh migrate flags; dirty-limit refused', () => {
  for (const [t, args] of CASES) assert.deepEqual(techniqueArgs(t), args, t.name);
  assert.throws(() => techniqueArgs({ name: 'dirty-limit' }), /dirty-limit: libvirt cannot run it/);
  // auto-converge once, whether asked by the flag or the technique
  const o = { source: new Virsh('qemu:///system'), domain: 'vm1', destinationUri: 'qemu+ssh://h2/system', bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: true, timeoutSec: 60 };
  assert.equal(migrateArgs({ ...o, technique: { name: 'auto-converge' } }).filter((a) => a === '--auto-converge').length, 1);
});

test("virsh's own option parser takes every technique's flags", { skip: noVirsh }, () => {
  for (const [t] of CASES) {
    const args = migrateArgs({ source: new Virsh('test:///default'), domain: 'test', destinationUri: 'test:///default', bandwidthBytesPerSec: 100 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 60, technique: t });
    // Parsed: the call reached the test driver, which refuses to migrate at all (or the extended parameters).
    const out = virsh(['-q', '-c', 'test:///default', ...args]);
    assert.doesNotMatch(out, /doesn't support option|is required by option|malformed or out of range|expected syntax|unexpected data/, t.name);
    assert.match(out, /not supported by the connection driver: virDomainMigrate3|extensible parameters are not supported/, `${t.name}: ${out}`);
  }
});

test("what libvirt's completed job says of post-copy and xbzrle", () => {
  const job = (kv: Record<string, number>): JobStats => ({ type: 'completed', stats: new Map(Object.entries(kv).map(([k, v]) => [k, String(v)])) });
  const pc = techniqueMeasuredLibvirt({ name: 'postcopy' }, job({ time_elapsed: 4000, memory_processed: 300 * MiB, memory_postcopy_requests: 7 }), { switchSec: 3.2, bytesAtSwitch: 200 * MiB });
  assert.deepEqual(pc, { technique: 'postcopy', remoteFaults: 7, switchoverSec: 3.2, postcopyPhaseSec: 4 - 3.2, postcopyTimedBy: 'poll', postcopyBytes: 100 * MiB });
  // Completed in pre-copy before the switch: no phase.
  assert.deepEqual(techniqueMeasuredLibvirt({ name: 'postcopy' }, job({ time_elapsed: 900 }), undefined), { technique: 'postcopy', remoteFaults: 0, postcopyPhaseSec: 0, postcopyBytes: 0 });
  const x = techniqueMeasuredLibvirt({ name: 'xbzrle' }, job({ compression_pages: 1000, compression_cache_misses: 500, compression_overflow: 10, compression_bytes: 10 * 4096 + 8000, memory_page_size: 4096 }), undefined);
  assert.deepEqual(x, { technique: 'xbzrle', xbzrleCacheHits: 1000, xbzrleCacheMisses: 500, xbzrleOverflows: 10, xbzrleEncodedBytes: 8000 });
  assert.deepEqual(techniqueMeasuredLibvirt(undefined, job({}), undefined), {});
});
