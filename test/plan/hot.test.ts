/**
 * Why a host is hot: each hot host carries the rule that flagged it and its figures; a detector that needs
 * utilisation history refuses a cluster without enough of it (the planner, and POST /v1/plan as a 400 naming
 * the field).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseCluster } from '../../src/plan/cluster.js';
import { planMitigation } from '../../src/plan/planner.js';
import { explainOverload, overloaded, historyNeeded, DETECTORS } from '../../src/plan/detectors.js';
import { InputError } from '../../src/units.js';
import { buildApp } from '../../src/http/app.js';
import { rng } from '../helpers.js';

const rising = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75];
const flat = Array.from({ length: 10 }, () => 0.1);

describe('explainOverload: the verdict of overloaded, with its figures', () => {
  it('worked examples', () => {
    // median 0.5, MAD 0.005: threshold 1 - 2.5 x 0.005 = 0.9875
    const steady = [0.5, 0.52, 0.48, 0.5, 0.51, 0.49, 0.5, 0.52, 0.48, 0.5, 0.5, 0.5];
    assert.deepEqual(explainOverload('mad', 2.5, 0.99, steady), { hot: true, reason: 'mad: 0.99 > 1 - 2.5 x MAD 0.005 = 0.988' });
    assert.deepEqual(explainOverload('iqr', 1.5, 0.99, steady), { hot: false, reason: 'iqr: 0.99 <= 1 - 1.5 x IQR 0.005 = 0.993' });
    // OLS through the rising ten predicts 0.8 next: 1.3 x 0.8 = 1.04 >= 1
    assert.deepEqual(explainOverload('lr', 1.3, 0.75, rising), { hot: true, reason: 'lr: predicted 0.8 at the next step >= 1/1.3 = 0.769' });
    assert.deepEqual(explainOverload('thr', 0.8, 0.85, []), { hot: true, reason: 'thr: 0.85 > 0.8' });
  });
  it('agrees with overloaded on random histories', () => {
    const r = rng(5);
    for (let k = 0; k < 2000; k++) {
      const d = DETECTORS[k % DETECTORS.length];
      const hist = Array.from({ length: Math.floor(r() * 14) }, () => r() * 1.2);
      const current = r() * 1.3;
      const param = d === 'thr' ? r() : 0.5 + r() * 2.5;
      assert.equal(explainOverload(d, param, current, hist).hot, overloaded(d, param, current, hist), `${d} ${param} ${current} [${hist}]`);
    }
  });
});

describe('each hot host says which rule flagged it', () => {
  it("Deng's capacity rule: the share and the threshold, CPU or memory", () => {
    const c = parseCluster({
      hosts: [{ id: 'a', cpu: 16, memory: '32GiB' }, { id: 'b', cpu: 10, memory: '10GiB' }, { id: 'c', cpu: 64, memory: '256GiB' }],
      vms: [{ id: 'x', host: 'a', cpu: 14.88, memory: '4GiB' }, { id: 'y', host: 'b', cpu: 1, memory: '9.5GiB' }],
    });
    const p = planMitigation(c, { policy: 'moa', cpuThreshold: 0.9, memoryThreshold: 0.9 });
    assert.deepEqual(p.hot, [
      { host: 'a', rule: 'capacity', reason: 'capacity: cpu 93 % > 90 %' },
      { host: 'b', rule: 'capacity', reason: 'capacity: memory 95 % > 90 %' },
    ]);
    assert.deepEqual(p.stillHot, []);
  });
  it('a detector: its own figures; capacity first when capacity is exceeded', () => {
    const c = parseCluster({
      hosts: [
        { id: 'h1', cpu: 10, memory: '32GiB', utilisationHistory: rising },
        { id: 'h2', cpu: 10, memory: '32GiB', utilisationHistory: flat },
        { id: 'h3', cpu: 4, memory: '32GiB', utilisationHistory: flat },
      ],
      vms: [{ id: 'a', host: 'h1', cpu: 4, memory: '2GiB' }, { id: 'b', host: 'h1', cpu: 4, memory: '2GiB' }, { id: 'c', host: 'h2', cpu: 1, memory: '1GiB' }, { id: 'd', host: 'h3', cpu: 5, memory: '1GiB' }],
    });
    const p = planMitigation(c, { policy: 'mia', detector: 'lr', detectorParam: 1.3 });
    assert.deepEqual(p.hot, [
      { host: 'h1', rule: 'lr', reason: 'lr: predicted 0.8 at the next step >= 1/1.3 = 0.769' },
      { host: 'h3', rule: 'capacity', reason: 'capacity: cpu 125 % > 100 %' },
    ]);
  });
});

describe('a detector that needs history refuses a cluster without it', () => {
  const doc = (n: number) => ({
    hosts: [{ id: 'h1', cpu: 4, memory: '8GiB', utilisationHistory: rising }, { id: 'h2', cpu: 4, memory: '8GiB', utilisationHistory: rising.slice(0, n) }],
    vms: [{ id: 'v', host: 'h1', cpu: 1, memory: '1GiB' }],
  });
  for (const d of ['lr', 'mad', 'iqr'] as const) {
    it(`${d}: needs ${historyNeeded(d)} values on every host; the error names the detector, the need, the counts and the field`, () => {
      assert.equal(historyNeeded(d), 10);
      assert.throws(() => planMitigation(parseCluster(doc(9)), { policy: 'moa', detector: d, detectorFlag: '--detector' }), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.field, 'hosts[1].utilisationHistory');
        assert.match(e.message, new RegExp(`^--detector ${d} needs a utilisation history of at least 10 values on every host`));
        assert.match(e.message, /1 of 2 hosts have fewer: h2 has 9 \(hosts\[1\]\.utilisationHistory\)/);
        return true;
      });
      assert.doesNotThrow(() => planMitigation(parseCluster(doc(10)), { policy: 'moa', detector: d }));
    });
  }
  it('thr and Deng need none', () => {
    const c = parseCluster({ hosts: [{ id: 'h1', cpu: 4, memory: '8GiB' }], vms: [] });
    assert.equal(historyNeeded('thr'), 0);
    assert.doesNotThrow(() => planMitigation(c, { policy: 'moa', detector: 'thr' }));
    assert.doesNotThrow(() => planMitigation(c, { policy: 'moa' }));
  });
});

describe('POST /v1/plan with a detector', () => {
  const TOKEN = 'hot-test-token-0123456789abcdef';
  const app = buildApp({ token: TOKEN, webRoot: false });
  after(() => app.close());
  const cluster = {
    hosts: [{ id: 'h1', cpu: 10, memory: '32GiB', utilisationHistory: rising }, { id: 'h2', cpu: 10, memory: '32GiB' }],
    vms: [{ id: 'a', host: 'h1', cpu: 4, memory: '2GiB' }, { id: 'b', host: 'h1', cpu: 4, memory: '2GiB' }, { id: 'c', host: 'h2', cpu: 1, memory: '1GiB' }],
  };
  it('answers 400 naming the host field that lacks history', async () => {
    const r = await app.inject({ method: 'POST', url: '/v1/plan', payload: { cluster, detector: 'lr', param: 1.3 } });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().field, 'hosts[1].utilisationHistory');
    assert.match(r.json().message, /^detector lr needs a utilisation history of at least 10 values on every host.*h2 has 0/);
  });
  it('with the history: the reason, and consolidation after the moves', async () => {
    const full = { ...cluster, hosts: [cluster.hosts[0], { ...cluster.hosts[1], utilisationHistory: flat }] };
    const r = await app.inject({ method: 'POST', url: '/v1/plan', payload: { cluster: full, detector: 'lr', param: 1.3, policy: 'mia', consolidate: '1h' } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().hot, [{ host: 'h1', rule: 'lr', reason: 'lr: predicted 0.8 at the next step >= 1/1.3 = 0.769' }]);
    assert.deepEqual(r.json().moves.map((m: { to: string }) => m.to), ['h2']);
    // h2 receives a VM, so it is never emptied
    assert.ok(Array.isArray(r.json().consolidation));
    for (const d of r.json().consolidation) assert.ok(!(d.host === 'h2' && d.switchOff));
  });
});
