/**
 * The throttle probe (`sample --throttle-probe`) against real QEMU: it tells a writer paced by the clock (full
 * catch-up) from one that drops what a throttled tick could not write, and it leaves the VM as it found it —
 * every migration capability and parameter (auto-converge's own included), no throttle left on, the guest
 * running — after it ends, when its destination refuses, when it runs out of time and when the sampler is
 * interrupted (SIGINT, SIGTERM).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labAvailable, startGuest, freePort, type Guest } from '../../src/lab/guest.js';
import { QmpClient } from '../../src/hypervisor/qemu/qmp.js';
import { sampleVm } from '../../src/hypervisor/qemu/sample.js';
import { probeThrottle } from '../../src/hypervisor/qemu/throttle-probe.js';
import { responseFromProbe } from '../../src/model/throttle-response.js';
import { MiB } from '../helpers.js';
import { spawnCli as runCli } from '../cli-run.js';
import { allSettings } from './settings-snapshot.js';

const lab = labAvailable();
const skip = lab.ok ? false : `QEMU lab not available: ${lab.why}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An operator's own auto-converge tuning, none of it the probe's. */
async function operatorSettings(qmp: QmpClient): Promise<void> {
  await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'auto-converge', state: false }, { capability: 'events', state: false }] });
  await qmp.execute('migrate-set-parameters', { 'max-bandwidth': 12_345_678, 'downtime-limit': 777, 'throttle-trigger-threshold': 40, 'cpu-throttle-initial': 30, 'cpu-throttle-increment': 5, 'max-cpu-throttle': 80 });
}

/** No migration active, no throttle left on, the guest running. */
async function leftAlone(qmp: QmpClient): Promise<void> {
  const q = await qmp.queryMigrate();
  assert.ok(['cancelled', 'failed', 'none'].includes(q.status ?? 'none'), `migration ${q.status}`);
  assert.equal(q['cpu-throttle-percentage'], undefined, 'no throttle left on');
  assert.equal((await qmp.queryStatus()).status, 'running');
}

async function withGuest(workload: string, params: Record<string, string | number>, fn: (g: Guest) => Promise<void>): Promise<void> {
  const g = await startGuest({ memoryBytes: 256 * MiB, workload, params });
  try {
    await sleep(1000);
    await fn(g);
  } finally {
    await g.kill();
  }
}


describe('the throttle probe', { skip }, () => {
  it('reads a clock-paced writer as full catch-up and a tick-paced one as cut, and restores every setting', async () => {
    // 32 MiB written sequentially at 20,000 pages/s (78 MiB/s): paced by the clock, it writes all it owes.
    await withGuest('dirtier', { wss: '32M', rate: 20000, pattern: 'seq', pace: 'clock' }, async (g) => {
      await operatorSettings(g.qmp);
      const before = await allSettings(g.qmp);
      const s = await sampleVm(g.qmp, { windowsSec: [0.05, 0.1, 0.25, 0.5, 1], zeroPages: false, throttleProbe: {} });
      assert.deepEqual(await allSettings(g.qmp), before, 'every capability and parameter as before');
      await leftAlone(g.qmp);
      const r = s.throttleResponse!;
      assert.ok(r, 'a response');
      assert.equal(r.throttle, 0.95);
      assert.ok(r.unthrottledWindows >= 1 && r.throttledWindows >= 1);
      assert.ok(r.exponent < 0.3, `clock-paced: exponent ${r.exponent} (rates ${r.rateUnthrottled} -> ${r.rateThrottled})`);
    });
    // scatter: 20 ms ticks, what a tick could not write is dropped — about proportional.
    await withGuest('scatter', { wss: '64M', rate: 20000 }, async (g) => {
      const s = await sampleVm(g.qmp, { windowsSec: [0.05, 0.1, 0.25, 0.5, 1], zeroPages: false, throttleProbe: {} });
      await leftAlone(g.qmp);
      const r = s.throttleResponse!;
      assert.ok(r.exponent > 0.5, `tick-paced: exponent ${r.exponent} (rates ${r.rateUnthrottled} -> ${r.rateThrottled})`);
      assert.ok(responseFromProbe(r, s.curve)!.dirtShare < 0.3);
    });
  });

  it('restores them when its destination refuses and when it runs out of time', async () => {
    await withGuest('dirtier', { wss: '32M', rate: 20000, pattern: 'seq', pace: 'clock' }, async (g) => {
      await operatorSettings(g.qmp);
      const before = await allSettings(g.qmp);
      const why: string[] = [];
      assert.equal(await probeThrottle(g.qmp, 256 * MiB, 0.5, 80 * MiB, { uri: `tcp:127.0.0.1:${await freePort()}`, onSkip: (r) => why.push(r) }), undefined);
      assert.match(why.join(), /pseudo-migration (ended|left 'active')/, 'it says why it measured nothing');
      assert.deepEqual(await allSettings(g.qmp), before, 'after a refused destination');
      await leftAlone(g.qmp);
      // A budget shorter than QEMU's two checks: cancelled before any throttle, no response.
      assert.equal(await probeThrottle(g.qmp, 256 * MiB, 0.5, 80 * MiB, { budgetSec: 0.8, onSkip: (r) => why.push(r) }), undefined);
      assert.match(why.at(-1)!, /did not throttle within 0.8 s of the first pass \(.*\): \d+ unthrottled and 0 throttled windows/);
      assert.deepEqual(await allSettings(g.qmp), before, 'after the time-out');
      await leftAlone(g.qmp);
    });
  });

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    it(`the sampler killed by ${sig} while the throttle is on restores every setting and lifts the throttle`, async () => {
      await withGuest('dirtier', { wss: '32M', rate: 20000, pattern: 'seq', pace: 'clock' }, async (g) => {
        const mon = await QmpClient.connect(g.monitorPath);
        try {
          await operatorSettings(g.qmp);
          const before = await allSettings(g.qmp);
          g.qmp.close(); // one client per QMP socket: the CLI takes it
          let sawThrottle = false;
          const r = await runCli(['sample', '--qmp', g.qmpPath, '--windows', '250ms', '--no-zero-pages', '--throttle-probe', '--json'], (kill) => {
            void (async () => {
              const deadline = Date.now() + 60_000;
              while (Date.now() < deadline) {
                const q = await mon.queryMigrate();
                if ((q['cpu-throttle-percentage'] ?? 0) > 0) {
                  sawThrottle = true;
                  await sleep(200);
                  break;
                }
                await sleep(20);
              }
              kill(sig);
            })();
          });
          assert.ok(sawThrottle, 'the throttle came on');
          assert.equal(r.signal, sig, `the process ends by the signal (code ${r.code}): ${r.err}`);
          assert.match(r.err, new RegExp(`interrupted \\(${sig}\\)`));
          assert.deepEqual(await allSettings(mon), before, 'every capability and parameter as before');
          await leftAlone(mon);
        } finally {
          mon.close();
        }
      });
    });
  }
});
