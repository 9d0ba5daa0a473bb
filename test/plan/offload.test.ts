import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { decideOffload } from '../../src/plan/offload.js';
import { parseWatts } from '../../src/units.js';

const radio = { kind: 'wireless' as const, channelBandwidthHz: 1e6, noiseDensityWattsPerHz: 1e-9 };
const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;

describe("Liu's wireless offloading decision", () => {
  it('worked example: 1 MB at 1 Mbit/s over 1 MHz costs 8e6 bits x N0 (2^1 - 1) / 1 = 0.008 J', () => {
    const d = decideOffload({ migration: { transferredBytes: 1e6, totalTimeSec: 1, converged: true }, radio, rateBytesPerSec: 125000, runWatts: 2, waitWatts: 0.2, remainingSec: 60 });
    assert.ok(Math.abs(d.radioJoules - 0.008) < 1e-15);
    assert.equal(d.stayJoules, 120);
    // 2 W x 1 s while the VM still runs during pre-copy + 0.008 J radio + 0.2 W x 59 s waiting
    assert.ok(Math.abs(d.offloadJoules - 13.808) < 1e-12);
    assert.ok(Math.abs(d.breakEvenRemainingSec - (1 + 0.008 / 1.8)) < 1e-12);
    assert.equal(d.offload, true);
  });

  it('offloads exactly when the work left exceeds the break-even time', () => {
    let seed = 3;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let k = 0; k < 500; k++) {
      const i = {
        migration: { transferredBytes: 1e6 + r() * 1e9, totalTimeSec: 0.5 + r() * 100, converged: true },
        radio: { kind: 'wireless' as const, channelBandwidthHz: 20e6, noiseDensityWattsPerHz: 10 ** (-12 + r() * 6) },
        rateBytesPerSec: 1e5 + r() * 1e7,
        runWatts: r() * 3,
        waitWatts: r() * 0.5,
        remainingSec: r() * 3600,
        speedup: 0.5 + r() * 4,
      };
      const d = decideOffload(i);
      if (Math.abs(i.remainingSec - d.breakEvenRemainingSec) < 1e-6) continue;
      assert.equal(d.offload, i.remainingSec > d.breakEvenRemainingSec, JSON.stringify({ i, d }));
      assert.ok(d.radioJoules > 0);
    }
  });

  it('never offloads a migration predicted not to converge, nor work that ends before the move', () => {
    const base = { radio, rateBytesPerSec: 125000, runWatts: 2, waitWatts: 0.2 };
    assert.equal(decideOffload({ ...base, migration: { transferredBytes: 1e6, totalTimeSec: 1, converged: false }, remainingSec: 600 }).offload, false);
    const short = decideOffload({ ...base, migration: { transferredBytes: 1e6, totalTimeSec: 10, converged: true }, remainingSec: 5 });
    assert.equal(short.offload, false);
    assert.match(short.why, /ends before/);
    assert.throws(() => decideOffload({ ...base, migration: { transferredBytes: 1, totalTimeSec: 1, converged: true }, remainingSec: Number.NaN }), /remainingSec/);
  });

  it('parses watts and refuses the rest', () => {
    assert.equal(parseWatts('p', '350mW'), 0.35);
    assert.equal(parseWatts('p', '2W'), 2);
    assert.equal(parseWatts('p', '1.5'), 1.5);
    assert.throws(() => parseWatts('--run-power', '-2W'), /--run-power/);
    assert.throws(() => parseWatts('--run-power', '2 furlongs'), /--run-power/);
  });

  it('migcost offload prints JSON and names the field of bad input', () => {
    const ok = spawnSync(process.execPath, [BIN, 'offload', '--memory', '256MiB', '--dirty-rate', '1MiB/s', '--bandwidth', '20Mbit/s', '--remaining', '10min', '--run-power', '2W', '--noise-density', '1e-7', '--json'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const j = JSON.parse(ok.stdout);
    assert.equal(j.offload, true);
    assert.ok(j.radioJoules > 0 && j.migration.transferredBytes > 256 * 2 ** 20 * 0.5);
    const bad = spawnSync(process.execPath, [BIN, 'offload', '--memory', '256MiB', '--dirty-rate', '1MiB/s', '--bandwidth', '20Mbit/s', '--remaining', '10min', '--run-power', 'lots'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--run-power/);
  });
});
