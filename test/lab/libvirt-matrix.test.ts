/** The libvirt lab preset (pure: no libvirt). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labMatrix, LIBVIRT_TIMEOUT_SEC, WORKLOAD_SETS } from '../../src/lab/matrix.js';
import { configKey } from '../../src/record/record.js';
import { workloadName } from '../../src/evaluate/report.js';

const MiB = 2 ** 20;

test('libvirt: 24 runs at 256 and 512 MiB of the standard workloads, repeats, and four that time out', () => {
  const m = labMatrix('libvirt');
  assert.equal(m.length, 24);
  assert.deepEqual([...new Set(m.map((c) => c.memoryBytes))].sort((a, b) => a - b), [256 * MiB, 512 * MiB]);
  for (const w of WORKLOAD_SETS) for (const mem of [256, 512]) assert.ok(m.some((c) => c.memoryBytes === mem * MiB && c.workload === w.workload && JSON.stringify(c.params) === JSON.stringify(w.params)), `${w.name} ${mem} MiB`);
  const counts = new Map<string, number>();
  for (const c of m) counts.set(configKey(c), (counts.get(configKey(c)) ?? 0) + 1);
  assert.equal([...counts.values()].filter((n) => n === 3).length, 3, 'three configurations run three times (the noise floor)');
  // The four that cannot converge: a threshold (cap x limit) of 1 MiB or less against a working set 32 MiB or more,
  // dirtied at more than twice the cap where the workload says its rate; a 25 s time-out.
  const out = m.filter((c) => c.timeoutSec === LIBVIRT_TIMEOUT_SEC);
  assert.equal(out.length, 4);
  for (const c of out) {
    assert.ok(c.bandwidthBytesPerSec * c.downtimeLimitSec <= 1 * MiB, workloadName(c));
    assert.ok(parseInt(String(c.params.wss)) >= 32, workloadName(c));
    if (c.params.rate !== undefined) assert.ok(Number(c.params.rate) * 4096 > 2 * c.bandwidthBytesPerSec, workloadName(c));
  }
  assert.equal(out.filter((c) => c.autoConverge).length, 1);
  assert.equal(m.filter((c) => c.timeoutSec === 30).length, 20, 'the others keep --timeout (default 30 s)');
  assert.equal(labMatrix('libvirt', { timeoutSec: 60, repeats: 0 }).filter((c) => c.timeoutSec === 60).length, 14);
});
