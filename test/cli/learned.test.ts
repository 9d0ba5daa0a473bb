/**
 * The learned correction on the command line, as users run it (the built bin): `history import`, `calibrate
 * --learn`, `predict --db` (single and batch; `--no-learned`; a row outside the trained range), `evaluate
 * --learned`, `predict --rate-window`, and a log's `zeroPages` column.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticRows } from '../calibrate/learned-fixture.js';
import { runCli as run } from '../cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-learned-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 's.sqlite');
const log = join(dir, 'log.csv');

const SCALAR = ['--memory', '2GiB', '--dirty-rate', '70MiB/s', '--bandwidth', '100MiB/s'];

before(() => {
  assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build` (npm test does)');
  const lines = ['id,workload,technique,memory,dirtyRate,bandwidth,downtimeLimit,totalTime,downtime,transferred,zeroPages'];
  for (const r of syntheticRows(60)) lines.push([r.id, r.workload, r.technique, r.memoryBytes, r.dirtyRateBytesPerSec, r.bandwidthBytesPerSec, r.downtimeLimitSec, r.totalTimeSec, r.downtimeSec, Math.round(r.transferredBytes), r.id === 's1' ? '0' : ''].join(','));
  writeFileSync(log, `${lines.join('\n')}\n`);
});

describe('the learned correction on the command line', () => {
  it('predict --db says there is none before calibrate --learn, and calibrate --learn stores one', () => {
    assert.equal(run(['history', 'import', '--input', log, '--db', db]).code, 0);
    const none = JSON.parse(run(['predict', '--db', db, ...SCALAR, '--json']).out);
    assert.deepEqual(none.learned, { applied: false, reason: 'no learned model in the store (run `migcost calibrate --learn`)', answer: false });
    assert.equal(none.totalTimeSec, none.analytic.totalTimeSec);
    const c = run(['calibrate', '--learn', '--db', db]);
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /fitted on 60 migrations \(60 import\)/);
    assert.match(c.out, /stored as learned-correction v1/);
    const j = JSON.parse(run(['calibrate', '--learn', '--db', db, '--json']).out);
    assert.equal(j.learned.version, 2);
    const models = JSON.parse(run(['models', '--db', db, '--json']).out) as { kind: string }[];
    assert.equal(models.filter((m) => m.kind === 'learned-correction').length, 2);
  });

  it('predict --db answers the learned figure with the analytic one beside it; --no-learned the other way round', () => {
    const l = JSON.parse(run(['predict', '--db', db, ...SCALAR, '--json']).out);
    assert.equal(l.learned.applied, true);
    assert.equal(l.learned.version, 2);
    assert.equal(l.learned.answer, true);
    assert.equal(l.totalTimeSec, l.learned.totalTimeSec);
    assert.notEqual(l.totalTimeSec, l.analytic.totalTimeSec);
    const a = JSON.parse(run(['predict', '--db', db, ...SCALAR, '--json', '--no-learned']).out);
    assert.equal(a.learned.answer, false);
    assert.equal(a.totalTimeSec, a.analytic.totalTimeSec);
    assert.equal(a.learned.totalTimeSec, l.learned.totalTimeSec);
    const t = run(['predict', '--db', db, ...SCALAR]);
    assert.match(t.out, /learned \(v2\): total time [\d.]+ s, sent [\d.]+ GiB, downtime [\d.]+ ms \(the answer above\); analytic: total time/);
    // with --db the scalar is read by the store's fit (the whole log's zero share here: the rows name no VM), said in
    // scalarReading; it is what predict gives that share without --db
    assert.equal(a.scalarReading.zeroFrom, 'log');
    assert.match(t.out, /scalar reading: non-zero share \d+ % \(median of 60 past migrations\); the rate held constant/);
    const plain = JSON.parse(run(['predict', ...SCALAR, '--zero-page-fraction', String(a.scalarReading.zeroPageFraction), '--json']).out);
    assert.ok(Math.abs(plain.totalTimeSec - a.totalTimeSec) <= 1e-4 * a.totalTimeSec, `${plain.totalTimeSec} ${a.totalTimeSec}`);
    assert.equal(plain.scalarReading, undefined);
    // --rate-window reads the rate with the fitted working-set factor, and says so
    const w = JSON.parse(run(['predict', '--db', db, ...SCALAR, '--rate-window', '1s', '--json']).out);
    assert.match(w.scalarReading.assumption, /; working set [\d.]+x the dirt of one 1 s window \(fitted on 60 past migrations\)$/);
  });

  it('a row outside the trained range keeps the analytic figure and says why, in batch too', () => {
    const far = JSON.parse(run(['predict', '--db', db, '--memory', '2GiB', '--dirty-rate', '300MiB/s', '--bandwidth', '100MiB/s', '--json']).out);
    assert.equal(far.learned.applied, false);
    assert.match(far.learned.reason, /^dirtyRate\/bandwidth 3 is outside the trained 0\.04-0\.9\d+ \(60 migrations\)/);
    assert.equal(far.totalTimeSec, far.analytic.totalTimeSec);
    const batch = join(dir, 'b.csv');
    writeFileSync(batch, 'id,memory,dirtyRate,bandwidth\na,2GiB,70MiB/s,100MiB/s\nb,2GiB,300MiB/s,100MiB/s\n');
    const b = run(['predict', '--db', db, '--input', batch]);
    assert.equal(b.code, 0, b.err);
    const [ra, rb] = b.out.trim().split('\n').map((x) => JSON.parse(x));
    assert.equal(ra.learned.applied, true);
    assert.ok(Math.abs(ra.totalTimeSec - ra.learned.totalTimeSec) < 1e-5);
    assert.equal(ra.scalarReading.zeroFrom, 'log');
    assert.equal(rb.learned.applied, false);
    assert.equal(rb.totalTimeSec, rb.analytic.totalTimeSec);
    for (const r of [ra, rb]) for (const k of ['totalTimeSec', 'downtimeSec', 'transferredBytes']) assert.ok(Number.isFinite(r[k]) && r[k] >= 0);
  });

  it('evaluate --learned scores the learned correction out of fold beside the analytic and textbook rows', () => {
    const e = run(['evaluate', '--input', log, '--learned', '--json']);
    assert.equal(e.code, 0, e.err);
    const ev = JSON.parse(e.out);
    assert.deepEqual(Object.keys(ev.models), ['analytic', 'learned', 'textbook']);
    assert.ok(ev.models.learned.overall.time.median < ev.models.analytic.overall.time.median);
    const small = join(dir, 'small.csv');
    writeFileSync(small, `id,memory,dirtyRate,bandwidth,totalTime,downtime,transferred\n${[0, 1, 2, 3].map((i) => `x${i},1GiB,${i}MiB/s,100MiB/s,11s,0.2s,1.1GiB`).join('\n')}\n`);
    const s = run(['evaluate', '--input', small, '--learned', '--folds', '2']);
    assert.equal(s.code, 2);
    assert.match(s.err, /--learned: .*at least 10 completed migrations/);
  });

  it('--rate-window reads --dirty-rate as one window of distinct pages (not the default), and a bad one is exit 2', () => {
    const plain = JSON.parse(run(['predict', ...SCALAR, '--json']).out);
    const w = JSON.parse(run(['predict', ...SCALAR, '--rate-window', '1s', '--json']).out);
    assert.ok(w.totalTimeSec < plain.totalTimeSec, `${w.totalTimeSec} vs ${plain.totalTimeSec}`);
    // without a store it says the stated assumptions, and how much the working set's matters
    assert.equal(plain.scalarReading, undefined);
    assert.equal(w.scalarReading.zeroFrom, 'assumed');
    assert.match(w.scalarReading.assumption, /^no zero pages \(assumed with no history.*; working set 2x the dirt of one 1 s window \(the stated prior\)$/);
    assert.deepEqual(w.scalarReading.range.workingSetFactor, [1, 4]);
    assert.ok(w.scalarReading.range.totalTimeSec[0] <= w.totalTimeSec && w.totalTimeSec <= w.scalarReading.range.totalTimeSec[1], JSON.stringify(w.scalarReading.range));
    const t = run(['predict', ...SCALAR, '--rate-window', '1s']);
    assert.match(t.out, /how much the working set matters: with 1x to 4x the window's dirt, total time [\d.]+ s - [\d.]+ s, sent/);
    const bad = run(['predict', ...SCALAR, '--rate-window', '0s']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--rate-window: "0s" must be between 1ms and 1h/);
    const curve = run(['predict', '--memory', '2GiB', '--curve', '1s:10MiB,2s:12MiB', '--bandwidth', '100MiB/s', '--rate-window', '1s']);
    assert.equal(curve.code, 2);
    assert.match(curve.err, /--rate-window: .*not with --vm, --curve/);
    // a curve is not one scalar rate: not corrected; --rate-window's own reading is
    const c = JSON.parse(run(['predict', '--db', db, '--memory', '2GiB', '--curve', '1s:70MiB,2s:90MiB', '--bandwidth', '100MiB/s', '--json']).out);
    assert.equal(c.learned.reason, 'a curve dirty model: the learned correction is of one scalar dirty rate');
    assert.equal(JSON.parse(run(['predict', '--db', db, ...SCALAR, '--rate-window', '1s', '--json']).out).learned.applied, true);
  });

  it("a log's zeroPages column is read, exported and checked", () => {
    const out = join(dir, 'out.csv');
    assert.equal(run(['history', 'export', '--db', db, '--output', out]).code, 0);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,memory,dirtyRate,bandwidth,totalTime,downtime,transferred,zeroPages\nz,1GiB,0,100MiB/s,11s,0.2s,1GiB,1.5\n');
    const r = run(['history', 'import', '--input', bad, '--db', join(dir, 'z.sqlite')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /line 2: zeroPages: "1\.5" must be between 0 and 1/);
  });
});
