/** The heldout matrix preset and its workloads' guest parameters (pure: no QEMU). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HELDOUT_WORKLOAD_SETS, labMatrix } from '../../src/lab/matrix.js';
import { kernelArgs } from '../../src/lab/guest.js';
import { configKey, WORKLOADS } from '../../src/record/record.js';
import { workloadName } from '../../src/evaluate/report.js';

const MiB = 2 ** 20;

test('heldout: every held-out workload x 2 memory sizes x 2 bandwidths x 2 limits, each configuration twice by default', () => {
  const m = labMatrix('heldout');
  assert.equal(m.length, HELDOUT_WORKLOAD_SETS.length * 2 * 2 * 2 * 2);
  assert.deepEqual([...new Set(m.map((c) => c.memoryBytes))].sort((a, b) => a - b), [256 * MiB, 512 * MiB]);
  assert.deepEqual([...new Set(m.map((c) => c.bandwidthBytesPerSec))].sort((a, b) => a - b), [50 * MiB, 100 * MiB]);
  assert.deepEqual([...new Set(m.map((c) => c.downtimeLimitSec))].sort(), [0.1, 0.3]);
  const counts = new Map<string, number>();
  for (const c of m) counts.set(configKey(c), (counts.get(configKey(c)) ?? 0) + 1);
  assert.equal(counts.size, m.length / 2);
  for (const n of counts.values()) assert.equal(n, 2);
  // in rounds: the first half is every configuration once
  assert.equal(new Set(m.slice(0, m.length / 2).map(configKey)).size, m.length / 2);
  // repeats: at least 2, more when asked
  assert.equal(labMatrix('heldout', { repeats: 1 }).length, m.length);
  assert.equal(labMatrix('heldout', { repeats: 3 }).length, (m.length / 2) * 3);
  // the clock-paced writer runs with auto-converge on (where its catch-up matters), the others without
  for (const c of m) assert.equal(c.autoConverge, c.params.pace === 'clock', workloadName(c));
  // none of them is a standard workload with its standard parameters
  const names = new Set(m.map(workloadName));
  assert.deepEqual([...names].sort(), ['dirtier-random-phases', 'dirtier-seq-clock', 'redis-load', 'scatter']);
  for (const c of m) assert.ok(WORKLOADS.includes(c.workload as (typeof WORKLOADS)[number]));
  // the copies are independent objects
  m[0].params.rate = -1;
  assert.notEqual(m[m.length / 2].params.rate, -1);
});

test('the held-out parameters reach the guest on its kernel command line', () => {
  for (const w of HELDOUT_WORKLOAD_SETS) {
    const args = kernelArgs(w.workload, w.params);
    for (const [k, v] of Object.entries(w.params)) assert.ok(args.includes(` migcost.${k}=${v}`), `${w.name}: ${k}`);
  }
  assert.match(kernelArgs('dirtier', { phases: '2s:write,3s:read' }), / migcost\.phases=2s:write,3s:read$/);
  assert.throws(() => kernelArgs('dirtier', { phases: '2s write' }), /only letters, digits/);
});
