/** The `techniques` lab matrix (pure): every technique TCG runs, across workloads, memory sizes, links and limits. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labMatrix, LAB_TECHNIQUES, TECHNIQUE_GROUPS, WORKLOAD_SETS } from '../../src/lab/matrix.js';
import { configKey, techniqueKey } from '../../src/record/record.js';
import { MiB } from '../helpers.js';

describe('techniques matrix', () => {
  const m = labMatrix('techniques', { repeats: 3 });
  it('7 techniques x 7 workloads x 3 sizes x 2 links each, plus 2 x 3 repeats per technique', () => {
    assert.equal(m.length, 7 * 7 * 3 * 2 + 7 * 2 * 3);
    assert.equal(labMatrix('techniques-full', { repeats: 0 }).length, 7 * 7 * 3 * 4);
  });
  it('no dirty-limit (TCG cannot run it); each technique at every size meets both bandwidths and both limits', () => {
    assert.ok(m.every((c) => c.technique && c.technique.name !== 'dirty-limit'));
    for (const t of LAB_TECHNIQUES) {
      for (const mem of [256, 512, 1024].map((x) => x * MiB)) {
        const cells = m.filter((c) => techniqueKey(c.technique!) === techniqueKey(t) && c.memoryBytes === mem);
        const links = new Set(cells.map((c) => `${c.bandwidthBytesPerSec}/${c.downtimeLimitSec}`));
        assert.equal(links.size, 4, `${techniqueKey(t)} at ${mem}`);
        assert.equal(new Set(cells.map((c) => c.params.wss + c.workload)).size, WORKLOAD_SETS.length);
      }
    }
  });
  it('auto-converge says so in the config too; the repeats share a key, the rest do not', () => {
    assert.ok(m.every((c) => c.autoConverge === (c.technique!.name === 'auto-converge')));
    const counts = new Map<string, number>();
    for (const c of m) counts.set(configKey(c), (counts.get(configKey(c)) ?? 0) + 1);
    assert.equal([...counts.values()].filter((n) => n > 1).length, 7 * 2);
    assert.ok(configKey(m[0]).endsWith('|precopy'));
    assert.ok(!configKey({ ...m[0], technique: undefined }).includes('precopy'), 'a record without a technique keeps its old key');
  });
});

describe('techniques-groups matrix', () => {
  const m = labMatrix('techniques-groups');
  it('4 groups x 7 techniques x 2 rounds = 56 runs, 30 s timeouts, each group one configuration with every technique', () => {
    assert.equal(m.length, TECHNIQUE_GROUPS.length * LAB_TECHNIQUES.length * 2);
    assert.equal(m.length, 56);
    assert.ok(m.every((c) => c.timeoutSec === 30 && c.group !== undefined));
    const groups = new Map<string, typeof m>();
    for (const c of m) groups.set(c.group!, [...(groups.get(c.group!) ?? []), c]);
    assert.equal(groups.size, 8);
    for (const [g, cs] of groups) {
      assert.equal(cs.length, 7, g);
      assert.deepEqual(cs.map((c) => techniqueKey(c.technique!)), LAB_TECHNIQUES.map(techniqueKey), g);
      // one VM configuration: the keys differ by the technique only
      assert.equal(new Set(cs.map((c) => configKey({ ...c, technique: undefined, autoConverge: false }))).size, 1, g);
    }
  });
  it("a group's runs are contiguous, rounds in order; the group is not part of the key (rounds are repeats)", () => {
    assert.deepEqual([...new Set(m.map((c) => c.group))], ['dirtier-hot r1', 'memtester r1', 'redis r1', 'idle r1', 'dirtier-hot r2', 'memtester r2', 'redis r2', 'idle r2']);
    assert.equal(configKey(m[0]), configKey(m[28]));
    assert.equal(labMatrix('techniques-groups', { repeats: 3 }).length, 84);
    assert.throws(() => labMatrix('techniques-groups', { repeats: 0 }), RangeError);
  });
});
