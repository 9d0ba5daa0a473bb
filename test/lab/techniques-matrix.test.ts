/** The `techniques` lab matrix (pure): every technique TCG runs, across workloads, memory sizes, links and limits. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labMatrix, LAB_TECHNIQUES, POSTCOPY_CONFIGS, TECHNIQUE_GROUPS, WORKLOAD_SETS } from '../../src/lab/matrix.js';
import { configKey, techniqueKey } from '../../src/record/record.js';
import { checkTechnique, predict } from '../../src/model/techniques.js';
import { techniqueSettings } from '../../src/hypervisor/qemu/technique-settings.js';
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

describe('postcopy matrix', () => {
  const m = labMatrix('postcopy');
  const mib = (s: string | number) => Number.parseInt(String(s), 10) * MiB;
  it('12 configurations x 2 rounds = 24 runs, all post-copy, 30 s time-outs, no groups; rounds repeat the first', () => {
    assert.equal(POSTCOPY_CONFIGS.length, 12);
    assert.equal(m.length, 24);
    assert.ok(m.every((c) => c.technique?.name === 'postcopy' && !c.autoConverge && c.timeoutSec === 30 && c.group === undefined));
    assert.equal(new Set(m.slice(0, 12).map(configKey)).size, 12, 'every configuration distinct within a round');
    assert.deepEqual(m.slice(12).map(configKey), m.slice(0, 12).map(configKey), 'round 2 repeats round 1');
    assert.equal(labMatrix('postcopy', { repeats: 3, timeoutSec: 45 }).length, 36);
    assert.ok(labMatrix('postcopy', { timeoutSec: 45 }).every((c) => c.timeoutSec === 45));
    assert.throws(() => labMatrix('postcopy', { repeats: 0 }), RangeError);
  });
  it('every configuration valid: the model takes its technique, its working set fits the guest with room to spare', () => {
    for (const c of POSTCOPY_CONFIGS) {
      const input = { vm: { memoryBytes: c.memoryBytes, dirtyRateBytesPerSec: 50 * MiB }, bandwidthBytesPerSec: c.bandwidthBytesPerSec, policy: { name: 'qemu' as const, downtimeLimitSec: c.downtimeLimitSec }, technique: c.technique };
      assert.doesNotThrow(() => checkTechnique(c.technique, input), c.name);
      assert.ok(predict(input).postcopyPhaseSec !== undefined, c.name);
      assert.ok(['dirtier', 'memtester'].includes(c.workload), c.name);
      assert.ok(mib(c.params.wss) >= 128 * MiB && mib(c.params.wss) <= 384 * MiB && mib(c.params.wss) <= c.memoryBytes / 2, `${c.name}: wss ${c.params.wss}`);
      if (c.workload === 'dirtier') assert.ok(['seq', 'random'].includes(String(c.params.pattern)) && Number(c.params.rate) > 0, c.name);
      assert.ok([0.1, 0.3].includes(c.downtimeLimitSec), c.name);
    }
  });
  it('the push is capped at 20-50 MiB/s, as the driver sets it; switches after pass 1 and after seconds both appear', () => {
    for (const c of m) {
      const cap = c.technique!.maxPostcopyBandwidthBytesPerSec!;
      assert.ok(cap >= 20 * MiB && cap <= 50 * MiB, `cap ${cap}`);
      assert.equal(techniqueSettings(c.technique).parameters['max-postcopy-bandwidth'], cap);
      assert.ok((c.technique!.postcopyAfterPasses === undefined) !== (c.technique!.postcopyAfterSec === undefined), 'one trigger each');
    }
    assert.ok(POSTCOPY_CONFIGS.some((c) => c.technique.postcopyAfterPasses === 1));
    assert.ok(POSTCOPY_CONFIGS.some((c) => c.technique.postcopyAfterSec !== undefined));
    assert.deepEqual(new Set(POSTCOPY_CONFIGS.map((c) => c.memoryBytes / MiB)), new Set([256, 512, 1024]));
  });
});
