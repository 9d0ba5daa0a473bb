/** virsh's output read strictly, and argument arrays that no domain name can break out of. No daemon needed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJobInfo, parseKeyValues, checkDomainName, Virsh, LibvirtError } from '../../src/hypervisor/libvirt/virsh.js';
import { measuredFromCompleted, migrateArgs, bandwidthMiB } from '../../src/hypervisor/libvirt/migrate.js';

const COMPLETED = `Job type: 3

operation: 4
time_elapsed: 8410
time_elapsed_net: 8409
downtime: 15
downtime_net: 14
setup_time: 1
data_total: 268828672
data_processed: 267070495
data_remaining: 0
memory_total: 268828672
memory_processed: 267070495
memory_remaining: 0
memory_bps: 32506145
memory_constant: 24390
memory_normal: 65012
memory_normal_bytes: 266289152
memory_dirty_rate: 0
memory_iteration: 10
memory_postcopy_requests: 0
memory_page_size: 4096
`;

test('a completed job (libvirt 11.3, as printed) becomes the measured outcome', () => {
  const j = parseJobInfo(COMPLETED);
  assert.equal(j.type, 'completed');
  assert.deepEqual(measuredFromCompleted(j), {
    status: 'completed',
    totalTimeSec: 8.41,
    downtimeSec: 0.015,
    transferredBytes: 267070495,
    rounds: 8, // 10 bitmap syncs: the setup sync and the final one are not pre-copy rounds
    converged: true,
    setupSec: 0.001,
    zeroPages: 24390,
    normalPages: 65012,
    dirtySyncCount: 10,
  });
});

test('output migcost cannot read is an error, not a guess', () => {
  assert.throws(() => parseJobInfo('Job type: 9\n'), /unknown job type 9/);
  assert.throws(() => parseJobInfo('operation: 4\n'), /did not report Job type/);
  assert.throws(() => parseKeyValues('time_elapsed 12\n', ':'), /cannot read the line/);
  assert.throws(() => measuredFromCompleted(parseJobInfo('Job type: 2\n')), /unbounded, not completed/);
  assert.throws(() => measuredFromCompleted(parseJobInfo('Job type: 3\ntime_elapsed: -1\nmemory_iteration: 3\n')), /time_elapsed is "-1"/);
  assert.equal(parseJobInfo('Job type: 0\n').type, 'none');
});

test('domstats lines and its Domain header', () => {
  const m = parseKeyValues("Domain: 'vm1'\n  dirtyrate.calc_status=2\n  dirtyrate.megabytes_per_second=16\n", '=');
  assert.equal(m.get('dirtyrate.megabytes_per_second'), '16');
  assert.equal(m.size, 2);
});

test('a hostile domain name stays one argument; control characters are refused', () => {
  const evil = 'a; rm -rf / $(reboot) `id`';
  const args = migrateArgs({ source: new Virsh('qemu:///system'), domain: evil, destinationUri: 'qemu+ssh://h2/system', bandwidthBytesPerSec: 100 * 2 ** 20, downtimeLimitSec: 0.3, autoConverge: true, timeoutSec: 60 });
  assert.deepEqual(args, ['migrate', '--live', '--domain', evil, '--desturi', 'qemu+ssh://h2/system', '--bandwidth', '100', '--auto-converge']);
  assert.throws(() => checkDomainName('--domain', 'a\nb'), LibvirtError);
  assert.throws(() => checkDomainName('--domain', ''), LibvirtError);
  assert.throws(() => new Virsh('not a uri'), /--libvirt: "not a uri" is not a libvirt URI/);
});

test('libvirt takes whole MiB/s: rounded, at least 1; nonsense refused', () => {
  assert.equal(bandwidthMiB(1.4 * 2 ** 20), 1);
  assert.equal(bandwidthMiB(1000), 1);
  assert.equal(bandwidthMiB(125_000_000), 119);
  assert.throws(() => bandwidthMiB(0));
  assert.throws(() => bandwidthMiB(Number.NaN));
});
