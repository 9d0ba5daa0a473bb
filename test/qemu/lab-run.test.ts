/**
 * `lab run` through the one sample-migrate-record routine records what it always recorded: the same fields,
 * in the same order, as the records in lab/results/, every model variant's prediction, the pseudo-migration's
 * bitmap curve and the RAM layout. Real QEMU.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { labAvailable } from '../../src/lab/guest.js';
import { runLabConfig } from '../../src/lab/run.js';
import { VARIANTS } from '../../src/model/from-sample.js';
import { MiB } from '../helpers.js';

const lab = labAvailable();
const recorded = JSON.parse(readFileSync(new URL('../../lab/results/standard-pass12.jsonl', import.meta.url), 'utf8').split('\n')[0]);

describe('lab run', { skip: lab.ok ? false : `QEMU lab not available: ${lab.why}` }, () => {
  it('records the same fields as the recorded lab runs', async () => {
    const cfg = { memoryBytes: 256 * MiB, workload: 'dirtier' as const, params: { wss: '16M', rate: 2000, pattern: 'random' }, bandwidthBytesPerSec: 200 * MiB, downtimeLimitSec: 0.3, autoConverge: false, timeoutSec: 60 };
    const steps: string[] = [];
    const r = await runLabConfig(cfg, { log: (l) => steps.push(l.split(' ')[0]) });
    assert.deepEqual(steps, ['boot', 'sample', 'boot', 'migrate']);
    assert.deepEqual(Object.keys(r), Object.keys(recorded));
    assert.deepEqual(Object.keys(r.predicted), [...VARIANTS], 'every model variant (the set has grown since pass 12)');
    for (const k of ['bitmapCurve', 'ramLayout', 'zeroPageFraction', 'curve']) assert.ok(k in r.sample, k);
    assert.equal(r.sample.curve.length, recorded.sample.curve.length, 'the full sampling windows');
    assert.deepEqual(r.config, cfg);
    assert.ok(r.startedAt <= r.sample.sampledAt && r.sample.sampledAt <= r.migrationStartedAt!);
    assert.equal(r.measured.status, 'completed');
  });
});
