/**
 * The held-out lab workloads on a real QEMU guest (lab/guest/init; docs/lab.md, "Held-out workloads"): each boots,
 * reaches MIGCOST-READY and dirties memory as configured, as page-sampling measures it. The phased ones are watched
 * over a horizon (`sample --horizon`), which shows their quiet share. Bands are wide: TCG on a shared machine.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labAvailable, startGuest } from '../../src/lab/guest.js';
import { sampleVm } from '../../src/hypervisor/qemu/sample.js';
import { phaseSummary, phasesFromSample } from '../../src/model/phases.js';
import { HELDOUT_WORKLOAD_SETS } from '../../src/lab/matrix.js';
import { MiB } from '../helpers.js';

const lab = labAvailable();
const skip = lab.ok ? false : `QEMU lab not available: ${lab.why}`;

/** Boots a 256 MiB guest with the workload, runs `f` on it, and kills it. */
async function withGuest<T>(workload: string, params: Record<string, string | number>, f: (g: Awaited<ReturnType<typeof startGuest>>) => Promise<T>): Promise<T> {
  const g = await startGuest({ memoryBytes: 256 * MiB, workload, params, readyTimeoutMs: 120_000 });
  try {
    assert.match(g.serial(), new RegExp(`MIGCOST-READY ${workload}`));
    return await f(g);
  } finally {
    await g.kill();
  }
}

const mibs = (bytesPerSec: number) => (bytesPerSec / MiB).toFixed(1);

describe('held-out workloads in the lab guest', { skip }, () => {
  it('the heldout preset uses only workloads the guest knows', () => {
    for (const w of HELDOUT_WORKLOAD_SETS) assert.ok(['dirtier', 'scatter', 'redis-load'].includes(w.workload), w.name);
  });

  it('dirtier pace=clock: a sequential writer at its asked rate (2,000 pages/s: 7.8 MiB/s)', async (t) => {
    await withGuest('dirtier', { wss: '32M', rate: 2000, pattern: 'seq', pace: 'clock' }, async (g) => {
      assert.match(g.serial(), /pace=clock/);
      const s = await sampleVm(g.qmp, { windowsSec: [1], zeroPages: false });
      const rate = s.curve[0].dirtiedBytes;
      t.diagnostic(`${mibs(rate)} MiB dirtied within 1 s`);
      // ~125 sampled pages dirty (sd ~9 %), plus whatever a vCPU stall just before the window makes the clock-paced
      // writer owe: < 13 MiB is over 6 sd
      assert.ok(rate > 3 * MiB && rate < 13 * MiB, `${mibs(rate)} MiB dirtied within 1 s`);
    });
  });

  it('scatter: a second random writer, every page once per pass (2,000 pages/s: 7.8 MiB/s)', async (t) => {
    await withGuest('scatter', { wss: '32M', rate: 2000 }, async (g) => {
      const s = await sampleVm(g.qmp, { windowsSec: [1], zeroPages: false });
      const rate = s.curve[0].dirtiedBytes;
      t.diagnostic(`${mibs(rate)} MiB dirtied within 1 s`);
      // ~125 sampled pages dirty (sd ~9 %): < 13 MiB is over 6 sd (scatter never catches up: it can only run low)
      assert.ok(rate > 3 * MiB && rate < 13 * MiB, `${mibs(rate)} MiB dirtied within 1 s`);
    });
  });

  it('dirtier phases=2s:write,3s:read: a 10 s horizon sees a quiet share near 3/5', async (t) => {
    await withGuest('dirtier', { wss: '32M', rate: 4000, pattern: 'random', phases: '2s:write,3s:read' }, async (g) => {
      const s = await sampleVm(g.qmp, { windowsSec: [0.25], zeroPages: false, horizon: { sec: 10 } });
      assert.ok(s.phases, 'the sample has phases');
      assert.equal(s.phases.rates.length, 100); // 0.1 s windows (PHASE_WINDOW_SEC)
      const p = phaseSummary(s.phases)!;
      t.diagnostic(`rates (MiB/s) ${s.phases!.rates.map(mibs).join(' ')}; quiet share ${p.quietShare}, factor ${p.quietFactor.toFixed(3)}, run ${p.quietRunSec} s`);
      // write phases: 4,000 random draws/s over 8,192 pages, about 15 MiB/s of distinct pages in 0.1 s windows
      assert.ok(p.p90 > 4 * MiB, `p90 ${mibs(p.p90)} MiB/s`);
      assert.ok(p.quietShare >= 0.3 && p.quietShare <= 0.8, `quiet share ${p.quietShare} (rates ${s.phases.rates.map(mibs).join(' ')})`);
      assert.ok(p.quietFactor < 0.2, `quiet at ${p.quietFactor} of the busy rate`);
      // the model reads the quiet phase off the sample
      assert.ok(phasesFromSample(s)?.quietShare === p.quietShare);
    });
  });

  it('redis-load load=steps: the dirt follows the load (1,800 then 200 SET/s, 2 s each)', async (t) => {
    await withGuest('redis-load', { rate: 1000, load: 'steps', period: 4, keys: 20000, warmup: 1 }, async (g) => {
      const s = await sampleVm(g.qmp, { windowsSec: [0.25], zeroPages: false, horizon: { sec: 8 } });
      const p = phaseSummary(s.phases)!;
      t.diagnostic(`rates (MiB/s) ${s.phases!.rates.map(mibs).join(' ')}; quiet share ${p.quietShare}, factor ${p.quietFactor.toFixed(3)}, run ${p.quietRunSec} s`);
      assert.ok(p.p90 > 1 * MiB, `p90 ${mibs(p.p90)} MiB/s`);
      assert.ok(p.p90 > 2 * p.p10, `p10 ${mibs(p.p10)} vs p90 ${mibs(p.p90)} MiB/s (rates ${s.phases!.rates.map(mibs).join(' ')})`);
    });
  });
});
