/** A sweep's grid: what each flag expands to, in which order, and the run key that tells runs apart. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, detectorParams, expandGrid, policiesWithObjectives, runKey, type SweepSpec } from '../../src/sweep/grid.js';
import { InputError } from '../../src/units.js';

const spec: SweepSpec = {
  source: { kind: 'planetlab', traces: '/data/pl.tar.gz', fileOrder: 'tar', scale: 1 },
  days: ['20110303', '20110306'],
  detectors: ['thr', 'mad'],
  params: ['thr=0.7', 'thr=0.9'],
  policies: ['mmt', 'moa'],
  objectives: ['traffic', 'sla'],
  seeds: [1, 2],
  memorySources: ['vm-type'],
  bitbrains: '/data/bb',
  migrationModel: 'cloudsim',
  stamp: '1:2',
  version: '0.1.0',
};

describe('sweep grid', () => {
  it('detector parameters: x for all, detector=x for one, the default for a detector none names', () => {
    assert.deepEqual([...detectorParams(['thr', 'mad'], ['thr=0.7', '0.9'])], [['thr', [0.7, 0.9]], ['mad', [0.9]]]);
    assert.deepEqual([...detectorParams(['thr', 'mad'], ['thr=0.7'])], [['thr', [0.7]], ['mad', [2.5]]]);
    assert.throws(() => detectorParams(['thr'], ['mad=2']), (e) => e instanceof InputError && e.field === '--params' && /not in --detectors/.test(e.message));
    assert.throws(() => detectorParams(['thr'], ['x=2']), (e) => e instanceof InputError && /names no detector/.test(e.message));
    assert.throws(() => detectorParams(['thr'], ['high']), (e) => e instanceof InputError && e.field === '--params');
  });

  it('objectives cross the moa / optimal policies that name none, keeping +co', () => {
    assert.deepEqual(policiesWithObjectives(['mmt', 'moa', 'optimal:sla', 'moa+co'], ['traffic', 'sla']), ['mmt', 'moa:traffic', 'moa:sla', 'optimal:sla', 'moa:traffic+co', 'moa:sla+co']);
    assert.deepEqual(policiesWithObjectives(['mmt', 'moa']), ['mmt', 'moa']);
  });

  it('expands day by day: 2 days x 2 seeds x (thr 0.7, thr 0.9, mad 2.5) x 3 policies = 36 runs, each key distinct', () => {
    const runs = expandGrid(spec);
    assert.equal(runs.length, 36);
    assert.deepEqual(runs.slice(0, 4).map((r) => `${r.day} ${r.seed} ${r.detector} ${r.detectorParam} ${r.policy}`), [
      '20110303 1 thr 0.7 mmt', '20110303 1 thr 0.7 moa:traffic', '20110303 1 thr 0.7 moa:sla', '20110303 1 thr 0.9 mmt',
    ]);
    assert.ok(runs.slice(0, 18).every((r) => r.day === '20110303'));
    assert.equal(new Set(runs.map(runKey)).size, 36);
    assert.equal(runs[0].bitbrains, undefined);
  });

  it('the key hashes every input, whatever the order of the keys', () => {
    const [r] = expandGrid(spec);
    assert.equal(runKey(r), runKey(JSON.parse(canonicalJson(r))));
    assert.equal(runKey({ ...r }), runKey(Object.fromEntries(Object.entries(r).reverse()) as typeof r));
    assert.match(runKey(r), /^[0-9a-f]{64}$/);
    for (const change of [{ stamp: '1:3' }, { version: '0.2.0' }, { seed: 3 }, { migrationModel: 'migcost' as const }, { source: { ...spec.source, fileOrder: 'sorted' as const } }]) {
      assert.notEqual(runKey({ ...r, ...change }), runKey(r), JSON.stringify(change));
    }
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] }), '{"a":[{"d":2}],"b":1}');
  });
});
