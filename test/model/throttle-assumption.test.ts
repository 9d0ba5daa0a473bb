/** What an auto-converge prediction rests on without a throttle probe (model/throttle-assumption.ts): worked examples. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { predictWithOutlook } from '../../src/model/outlook.js';
import { simulate } from '../../src/model/precopy.js';
import { throttleAssumption } from '../../src/model/throttle-assumption.js';
import type { PredictInput, ThrottleResponse } from '../../src/model/types.js';
import { MiB } from '../helpers.js';

/** 32 MiB rewritten in 0.41 s (78 MiB/s) in 256 MiB over 50 MiB/s, 100 ms limit, auto-converge: the clock-paced writer's shape. */
function writer(cpuUtilisation: number, throttleResponse?: ThrottleResponse, autoConverge = true): PredictInput {
  return {
    vm: { memoryBytes: 256 * MiB, dirtyRateBytesPerSec: 78 * MiB, cpuUtilisation, dirtyModel: { kind: 'curve', points: [{ windowSec: 0.1, dirtiedBytes: 7.8 * MiB }, { windowSec: 0.41, dirtiedBytes: 32 * MiB }, { windowSec: 1, dirtiedBytes: 32 * MiB }] }, ...(throttleResponse ? { throttleResponse } : {}) },
    bandwidthBytesPerSec: 50 * MiB,
    policy: { name: 'qemu', downtimeLimitSec: 0.1, timeoutSec: 60, autoConverge },
  };
}

describe('throttleAssumption', () => {
  it('a guest needing 10 % of its vCPU converges at 99 % by the load rule, and would not if it caught up: said', () => {
    const p = predictWithOutlook(writer(0.1));
    assert.equal(p.converged, true);
    assert.equal(p.maxThrottle, 0.99);
    assert.match(p.assumption!, /converges only if throttling cuts this guest's dirt as its vCPU load \(10 %\) says, at a throttle of 99 %/);
    assert.match(p.assumption!, /sample --throttle-probe/);
    // the same writer caught up in full (a probe that saw no cut at 95 %) never converges
    assert.equal(simulate({ ...writer(0.1), vm: { ...writer(0.1).vm, throttleResponse: { throttle: 0.95, dirtShare: 1 } } }).converged, false);
    // the technique's name says the same as the policy's flag
    assert.equal(predictWithOutlook({ ...writer(0.1, undefined, false), technique: { name: 'auto-converge' } }).assumption, p.assumption);
  });
  it('the probability weighs the two readings alike: the load rule\'s and a full catch-up\'s, the migration from the verdict\'s side', () => {
    const p = predictWithOutlook(writer(0.1));
    const caught = predictWithOutlook(writer(0.1, { throttle: 0.95, dirtShare: 1 }));
    assert.equal(caught.convergenceProbability, 0);
    // the load rule alone: the outlook without the assumption's weighing (a probe that read the load rule's own cut at 95 %: 0.05 / 0.1)
    const byLoad = predictWithOutlook(writer(0.1, { throttle: 0.95, dirtShare: 0.5 }));
    assert.ok(byLoad.convergenceProbability > 0.99, `load rule: ${byLoad.convergenceProbability}`);
    assert.ok(Math.abs(p.convergenceProbability - (0.5 * byLoad.convergenceProbability + 0.5 * caught.convergenceProbability)) < 1e-9, `p ${p.convergenceProbability}`);
    // at one half the verdict is the load rule's: converged, its time
    assert.equal(p.converged, true);
    assert.ok(Math.abs(p.totalTimeSec - byLoad.totalTimeSec) / byLoad.totalTimeSec < 0.02, `${p.totalTimeSec} vs ${byLoad.totalTimeSec}`);
  });
  it('nothing is assumed for a CPU-bound guest, a measured response, plain pre-copy, or a throttle that stays under the guest\'s need', () => {
    assert.equal(predictWithOutlook(writer(1)).assumption, undefined);
    assert.equal(predictWithOutlook(writer(0.1, { throttle: 0.95, dirtShare: 0.05 })).assumption, undefined);
    assert.equal(predictWithOutlook(writer(0.1, undefined, false)).assumption, undefined);
    // a throttle of 50 % leaves a guest needing 40 % all it needs: nothing cut, nothing assumed
    assert.equal(throttleAssumption(writer(0.4), { converged: true, maxThrottle: 0.5 }), undefined);
    // not converged: nothing to rest on
    assert.equal(throttleAssumption(writer(0.1), { converged: false, maxThrottle: 0.99 }), undefined);
  });
});

describe('advise shows the assumption under its table when the pick rests on it', () => {
  it('auto-converge picked for the clock-paced shape: the line names it; a CPU-bound guest has none', async () => {
    const { advise } = await import('../../src/plan/advise.js');
    const { adviceTable } = await import('../../src/cli/commands/advise/index.js');
    const only = (u: number) => {
      const a = advise(writer(u, undefined, false), { bandwidthsBytesPerSec: [50 * MiB], downtimeLimitsSec: [0.1] });
      // keep auto-converge alone, as an operator who can only turn it on would
      const ac = a.options.filter((x) => x.label === 'auto-converge');
      return adviceTable({ ...a, options: ac, best: ac[0] });
    };
    assert.match(only(0.1), /the pick, auto-converge, converges only if throttling cuts this guest's dirt/);
    assert.doesNotMatch(only(1), /converges only if/);
  });
});
