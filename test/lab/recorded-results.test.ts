/**
 * The recorded lab runs in lab/results (real QEMU migrations, see its README) read back through the real bin:
 * several files at once, the figures' shape, and a missing file named. No QEMU needed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const DIR = new URL('../../lab/results/', import.meta.url).pathname;
const lines = (f: string) => readFileSync(DIR + f, 'utf8').split('\n').filter((l) => l.trim()).length;

describe('recorded lab results', () => {
  it('lab report reads a comma-separated list of files, every record once, and scores deng-bitmap on the completed ones', () => {
    const files = ['standard-pass1.jsonl', 'standard-pass3.jsonl'];
    const r = spawnSync(process.execPath, [BIN, 'lab', 'report', '--results', files.map((f) => DIR + f).join(','), '--overall', '--json', '--variant', 'deng-bitmap'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    assert.equal(o.migrations, lines(files[0]) + lines(files[1]));
    assert.equal(o.completed + o.notConverged, o.migrations);
    const row = o.rows.find((x: { variant: string; workload: string }) => x.variant === 'deng-bitmap' && x.workload === 'all');
    assert.ok(row.errors.totalTimeSec.n > 0 && row.errors.totalTimeSec.n <= o.completed);
    assert.ok(row.errors.totalTimeSec.median <= row.errors.totalTimeSec.p90);
    assert.ok(row.convergenceRight <= row.convergenceTotal && row.convergenceTotal === o.migrations);
  });

  it("lab calibrate fits a named machine's constants on its own records, and refuses a machine with too few", () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-cal-'));
    const files = [`${DIR}standard-pass5.jsonl`, `${DIR}standard-pass6.jsonl`].join(',');
    const cal = (host: string) => spawnSync(process.execPath, [BIN, 'lab', 'calibrate', '--results', files, '--host', host, '--db', join(dir, 'h.sqlite'), '--out', join(dir, 'p.json'), '--json'], { encoding: 'utf8' });
    const epyc = cal('AMD EPYC x2');
    assert.equal(epyc.status, 0, epyc.stderr);
    assert.match(epyc.stderr, new RegExp(`fitting on ${lines('standard-pass6.jsonl')} records \\(host AMD EPYC x2\\)`));
    // pass 7, scored with the constants fitted on pass 6 (the same machine) instead of out of fold
    const rep = spawnSync(process.execPath, [BIN, 'lab', 'report', '--results', `${DIR}standard-pass7.jsonl`, '--platform', join(dir, 'p.json'), '--overall', '--json', '--variant', 'deng-bitmap'], { encoding: 'utf8' });
    assert.equal(rep.status, 0, rep.stderr);
    assert.equal(JSON.parse(rep.stdout).migrations, lines('standard-pass7.jsonl'));
    const missing = spawnSync(process.execPath, [BIN, 'lab', 'report', '--results', `${DIR}standard-pass7.jsonl`, '--platform', join(dir, 'nope.json')], { encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--platform: ".*nope\.json" does not exist/);
    const both = cal('all');
    assert.match(both.stderr, new RegExp(`fitting on ${lines('standard-pass5.jsonl') + lines('standard-pass6.jsonl')} records \\(every host\\)`));
    // the EPYC's fitted stop-and-copy rate is below the pooled one (its few long switch-overs pull it)
    assert.ok(JSON.parse(epyc.stdout).stopCopyRateBytesPerSec < JSON.parse(both.stdout).stopCopyRateBytesPerSec);
    const bad = cal('Nope x9');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /host: "Nope x9" must name a host with >= 20 completed records \(hosts: unrecorded, AMD EPYC x2\)/);
  });

  it('lab report --outlook scores the default model\'s convergence outlook; not with another mode', () => {
    const file = `${DIR}standard-pass12.jsonl`;
    const r = spawnSync(process.execPath, [BIN, 'lab', 'report', '--outlook', '--results', file, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout);
    const all = o.rows[0];
    assert.equal(all.workload, 'all');
    assert.equal(all.runs + o.failed, lines('standard-pass12.jsonl'));
    assert.ok(all.deterministicRight <= all.runs && all.probabilityRight <= all.runs);
    assert.ok(all.brier >= 0 && all.brier <= 1);
    assert.ok(all.interval.covered <= all.interval.n && all.interval.n === all.completed);
    const text = spawnSync(process.execPath, [BIN, 'lab', 'report', '--outlook', '--results', file], { encoding: 'utf8' });
    assert.match(text.stdout, /\| all \| \d+ \| \d+ \/ \d+ \|/);
    const both = spawnSync(process.execPath, [BIN, 'lab', 'report', '--outlook', '--intervals', '--results', file], { encoding: 'utf8' });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--outlook scores the default model from each sample; not with --intervals/);
  });

  it('a missing file in the list is named, exit 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'lab', 'report', '--results', `${DIR}standard-pass1.jsonl,${DIR}nope.jsonl`], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--results: ".*nope\.jsonl" does not exist/);
  });
});
