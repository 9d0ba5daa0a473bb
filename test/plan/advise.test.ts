/** advise: every technique over a grid, constraints, platform timeouts, ranked by the stated cost (docs/techniques.md). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { advise, ADVISE_TECHNIQUES, PLATFORM_TIMEOUTS } from '../../src/plan/advise.js';
import { predict, predictWithOutlook, type PredictInput, type TechniquePrediction } from '../../src/index.js';
import { assertClose, GiB, MiB } from '../helpers.js';

/** Converges under every technique (idle guest). */
const IDLE: PredictInput = { vm: { memoryBytes: 1 * GiB, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 100 * MiB, policy: { name: 'qemu' } };
/** Writes 160 MiB/s over 256 MiB: plain pre-copy at 50 MiB/s never converges (the lab's H). */
const HOT: PredictInput = { vm: { memoryBytes: 512 * MiB, dirtyRateBytesPerSec: 160 * MiB, workingSetBytes: 256 * MiB }, bandwidthBytesPerSec: 50 * MiB, policy: { name: 'qemu' } };

describe('advise', () => {
  it('tries every technique at every grid point and ranks them by total + 100 x (downtime + post-copy stall)', () => {
    const a = advise(IDLE, { bandwidthsBytesPerSec: [50 * MiB, 100 * MiB], downtimeLimitsSec: [0.3, 1] });
    assert.equal(a.options.length, ADVISE_TECHNIQUES.length * 4);
    for (const x of a.options) {
      // priced as predict answers: the migration at its outlook's median
      const p = predictWithOutlook({ ...IDLE, bandwidthBytesPerSec: x.bandwidthBytesPerSec, policy: { name: 'qemu', downtimeLimitSec: x.downtimeLimitSec, autoConverge: false }, technique: x.technique }) as TechniquePrediction;
      assertClose(x.cost, p.totalTimeSec + 100 * (p.downtimeSec + (p.postcopyBlockedSec ?? 0)));
      assert.equal(x.feasible, true);
    }
    for (let i = 1; i < a.options.length; i++) assert.ok(a.options[i - 1].cost <= a.options[i].cost);
    assert.equal(a.best, a.options[0]);
    assert.match(a.options[1].why!, /costs [0-9.]+ s more than the pick/);
    assert.match(a.costRule, /total time \+ 100 x \(downtime \+ post-copy guest stall\)/);
  });

  it('every option answers P(converges) and the total time\'s [p10, p90] with its prediction, the point at the median', async () => {
    const { predictWithOutlook } = await import('../../src/model/outlook.js');
    const a = advise(HOT, { bandwidthsBytesPerSec: [50 * MiB, 400 * MiB], downtimeLimitsSec: [0.3] });
    for (const x of a.options) {
      const input: PredictInput = { ...HOT, trace: false, bandwidthBytesPerSec: x.bandwidthBytesPerSec, policy: { name: 'qemu', downtimeLimitSec: x.downtimeLimitSec, autoConverge: false }, technique: x.technique };
      const o = predictWithOutlook(input);
      assert.deepEqual(x.prediction, o, x.label);
      assert.equal(x.prediction.totalTimeSec, x.prediction.timeP50Sec, 'the point is the median outcome');
      assert.equal(x.prediction.converged, x.prediction.convergenceProbability >= 0.5, 'the verdict is the probability\'s');
      assert.ok(x.prediction.convergenceProbability >= 0 && x.prediction.convergenceProbability <= 1);
      assert.ok(x.prediction.timeP10Sec <= x.prediction.timeP50Sec && x.prediction.timeP50Sec <= x.prediction.timeP90Sec);
    }
    // plain pre-copy at 50 MiB/s never converges, at any of the rate spread's rates: p = 0; post-copy always does
    assert.equal(a.options.find((x) => x.label === 'precopy' && x.bandwidthBytesPerSec === 50 * MiB)!.prediction.convergenceProbability, 0);
    assert.equal(a.options.find((x) => x.label === 'postcopy' && x.bandwidthBytesPerSec === 50 * MiB)!.prediction.convergenceProbability, 1);
  });

  it('an option that breaks --max-downtime or --max-time ranks after every one that meets them, saying why', () => {
    const a = advise(IDLE, { bandwidthsBytesPerSec: [100 * MiB], downtimeLimitsSec: [0.3], maxDowntimeSec: 0.5, maxTimeSec: 11 });
    const ok = a.options.filter((x) => x.feasible);
    assert.ok(ok.length > 0 && ok.every((x) => x.prediction.downtimeSec <= 0.5 && x.prediction.totalTimeSec <= 11));
    assert.match(a.options.find((x) => x.label === 'multifd+zlib')!.why!, /total 13 s > max 11 s/); // zlib is CPU-bound: 2 channels of 40 MB/s at the default share 1 / 1.1
    assert.ok(ok.length < a.options.length && a.options.slice(ok.length).every((x) => !x.feasible && /> max/.test(x.why!)));
    assert.equal(advise(IDLE, { bandwidthsBytesPerSec: [100 * MiB], downtimeLimitsSec: [0.3], maxDowntimeSec: 1e-6 }).best, undefined);
  });

  it('Nova aborts a pre-copy that does not converge within 800 s per GiB', () => {
    const a = advise(HOT, { bandwidthsBytesPerSec: [50 * MiB], downtimeLimitsSec: [0.3], platformTimeouts: 'nova' });
    assert.equal(a.platformTimeoutSec, 400); // 800 s x 0.5 GiB
    const pre = a.options.find((x) => x.label === 'precopy')!;
    assert.equal(pre.feasible, false);
    assert.equal(pre.platformAction, 'abort');
    assert.match(pre.why!, /Nova aborts it at 400 s \(800 s per GiB\)/);
    assert.match(a.platformOnPrecopy!, /does not converge: Nova aborts it/);
    assert.equal(a.best?.feasible, true);
  });

  it('KubeVirt with post-copy allowed switches it to post-copy at 150 s per GiB', () => {
    const a = advise(HOT, { bandwidthsBytesPerSec: [50 * MiB], downtimeLimitsSec: [0.3], platformTimeouts: 'kubevirt', allowPostcopy: true });
    assert.equal(a.platformTimeoutSec, 75);
    const pre = a.options.find((x) => x.label === 'precopy')!;
    assert.equal(pre.platformAction, 'postcopy');
    assert.equal(pre.feasible, true);
    assertClose(pre.prediction.switchoverSec!, 75);
    assert.equal(pre.prediction.technique, 'precopy');
    assert.ok(pre.prediction.postcopyPhaseSec! > 0);
    // multifd cannot combine with post-copy (QEMU 10 refuses it): aborted.
    assert.equal(a.options.find((x) => x.label === 'multifd')!.platformAction, 'abort');
    assert.equal(PLATFORM_TIMEOUTS.kubevirt.secPerGiB, 150);
  });

  it('a measured setting reaches its technique only', () => {
    const a = advise(HOT, { bandwidthsBytesPerSec: [50 * MiB], downtimeLimitsSec: [0.3], settings: { xbzrleCacheBytes: 256 * MiB, xbzrleDeltaRatio: 0.004, compressionRatio: 3, multifdCompression: 'zstd' } });
    const x = a.options.find((o) => o.label === 'xbzrle')!;
    assert.deepEqual(x.technique, { name: 'xbzrle', xbzrleCacheBytes: 256 * MiB, xbzrleDeltaRatio: 0.004 });
    assert.equal(x.prediction.xbzrleCacheHitRatio, 1); // the cache covers the working set
    assert.equal(a.options.find((o) => o.label === 'multifd+zstd')!.prediction.compressionRatio, 3);
    assert.equal(a.options.find((o) => o.label === 'multifd+zlib')!.prediction.compressionRatio, 1.1);
    assert.equal(a.options.find((o) => o.label === 'precopy')!.technique.xbzrleCacheBytes, undefined);
  });
});

describe('migcost advise', () => {
  const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'advise', ...args], { encoding: 'utf8' });
  it('prints the ranked options and the pick, or JSON; bad flags exit 2 naming them', () => {
    const args = ['--memory', '512MiB', '--dirty-rate', '160MiB/s', '--working-set', '256MiB', '--bandwidths', '50MiB/s,200MiB/s', '--platform-timeouts', 'kubevirt'];
    const t = run(args);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /pick: /);
    assert.match(t.stdout, /KubeVirt: completion timeout .*; plain pre-copy does not converge: KubeVirt aborts it at 75 s/);
    const j = JSON.parse(run([...args, '--json']).stdout);
    assert.equal(j.options.length, ADVISE_TECHNIQUES.length * 2);
    assert.equal(j.best, 0);
    const bad = run(['--memory', '1GiB', '--dirty-rate', '0', '--bandwidth', '1Gbit/s', '--platform-timeouts', 'openstack']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--platform-timeouts: "openstack" must be one of nova, kubevirt/);
  });
});

describe('POST /v1/advise', async () => {
  const { buildApp } = await import('../../src/http/app.js');
  const app = buildApp();
  const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/advise', payload: payload as Record<string, unknown> });
  it('answers the ranked options as the library does; a bad field is a 400 naming it', async () => {
    const r = await post({ memory: '512MiB', dirtyRate: '160MiB/s', workingSet: '256MiB', bandwidths: ['50MiB/s', '200MiB/s'], downtimeLimits: '300ms,1s', platformTimeouts: 'nova', maxDowntime: '500ms' });
    assert.equal(r.statusCode, 200, r.body);
    const want = advise(HOT, { bandwidthsBytesPerSec: [50 * MiB, 200 * MiB], downtimeLimitsSec: [0.3, 1], platformTimeouts: 'nova', maxDowntimeSec: 0.5 });
    const got = r.json();
    assert.equal(got.options.length, want.options.length);
    assert.deepEqual(got.options.map((x: { label: string }) => x.label), want.options.map((x) => x.label));
    assert.equal(got.best, 0);
    assert.equal(got.platformTimeoutSec, 400);
    const bad = await post({ memory: '512MiB', dirtyRate: 0, bandwidths: ['50MiB/s', '0'] });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'bandwidths[1]');
    const tech = await post({ memory: '512MiB', dirtyRate: 0, bandwidth: '1Gbit/s', technique: 'postcopy' });
    assert.equal(tech.statusCode, 400);
    assert.equal(tech.json().field, 'technique');
    await app.close();
  });
});
