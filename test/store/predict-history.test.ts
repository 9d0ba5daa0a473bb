/** `predict --vm-id`: a VM's recorded migrations correct its prediction (past errors, or Liu's refined rate), through the real bin. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.js';
import { fakeRecord } from './fixtures.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;

describe('predict --vm-id', () => {
  it("blends the fresh rate with the VM's history, and says so", async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'migcost-hist-')), 'h.sqlite');
    const s = await openStore(db);
    await s.recordMigration(fakeRecord(1));
    await s.recordMigration(fakeRecord(2));
    await s.close();
    // the fixtures' rounds dirty 1e6 bytes in 0.1 s: a realised rate of 1e7 B/s; the fresh sample says 2e7
    const r = spawnSync(process.execPath, [BIN, 'predict', '--memory', '256MiB', '--dirty-rate', '20000000B/s', '--bandwidth', '100MiB/s', '--vm-id', 'lab-dirtier-256M', '--history', 'rate', '--db', db, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.history.migrations, 2);
    assert.ok(o.history.refinedRate > 1e7 && o.history.refinedRate < 2e7, `refined ${o.history.refinedRate}`);
    const plain = JSON.parse(spawnSync(process.execPath, [BIN, 'predict', '--memory', '256MiB', '--dirty-rate', '20000000B/s', '--bandwidth', '100MiB/s', '--json'], { encoding: 'utf8' }).stdout);
    assert.ok(o.transferredBytes < plain.transferredBytes, 'a lower refined rate sends less');
    // --history error (the default): the fixtures measured 2.101 s and 2.102 s where 2 s was predicted, so
    // the next prediction is scaled by exp(w x (0.5 ln 1.051 + 0.5 ln 1.0505)) (EWMA mu 0.5), w the
    // variance shrinkage of calibrate/residual.ts: two errors that nearly agree, s^2 = (m2 + 0.1^2) / 2,
    // w = 2 x 0.15^2 / (2 x 0.15^2 + s^2).
    const e = JSON.parse(spawnSync(process.execPath, [BIN, 'predict', '--memory', '256MiB', '--dirty-rate', '20000000B/s', '--bandwidth', '100MiB/s', '--vm-id', 'lab-dirtier-256M', '--db', db, '--json'], { encoding: 'utf8' }).stdout);
    const [r1, r2] = [Math.log(2.101 / 2), Math.log(2.102 / 2)];
    const w = (2 * 0.0225) / (2 * 0.0225 + ((r2 - r1) ** 2 / 2 + 0.01) / 2);
    const k = Math.exp(w * (0.5 * r1 + 0.5 * r2));
    assert.equal(e.history.mode, 'error');
    // JSON rounding (src/rounding.ts): the factor, a ratio, to 4 significant digits; times to the microsecond
    assert.equal(e.history.correction.totalTimeSec, Number(k.toPrecision(4)), String(e.history.correction.totalTimeSec));
    assert.ok(Math.abs(e.totalTimeSec - plain.totalTimeSec * k) < 2e-6, `${e.totalTimeSec} against ${plain.totalTimeSec * k}`);
    assert.equal(e.history.refinedRate, 2e7, 'the rate is the fresh one');
    const iv = JSON.parse(spawnSync(process.execPath, [BIN, 'predict', '--memory', '256MiB', '--dirty-rate', '20000000B/s', '--bandwidth', '100MiB/s', '--vm-id', 'lab-dirtier-256M', '--history', 'rate', '--db', db, '--interval', '--json'], { encoding: 'utf8' }).stdout);
    assert.ok(iv.interval.lo.totalTimeSec <= iv.totalTimeSec && iv.totalTimeSec <= iv.interval.hi.totalTimeSec);
    assert.ok(iv.interval.lo.transferredBytes < iv.interval.hi.transferredBytes, 'past rates 1e7..2e7 spread the bytes');
    assert.equal(iv.interval.basedOn.errors, 2);
    const unknown = spawnSync(process.execPath, [BIN, 'predict', '--memory', '256MiB', '--dirty-rate', '1B/s', '--bandwidth', '1B/s', '--vm-id', 'nope', '--db', db], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--vm-id: "nope" has no recorded migrations .*known: lab-dirtier-256M/);
  });
});
