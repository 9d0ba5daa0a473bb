/**
 * The lab through its CLI, with real QEMU: sample -> predict --vm, lab run --json, the CI matrix, and the
 * report over what it recorded. Skipped, saying why, only without QEMU >= 9 and the lab guest.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labAvailable, startGuest } from '../../src/lab/guest.js';
import { labHost } from '../../src/lab/host.js';
import { MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const lab = labAvailable();
const skip = lab.ok ? false : `QEMU lab not available: ${lab.why}`;
const CONTRACT = ['totalTimeSec', 'downtimeSec', 'transferredBytes', 'rounds', 'converged', 'reason', 'energyJoules'];

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('lab CLI with real QEMU', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'migcost-lab-'));
  const results = join(dir, 'results.jsonl');
  const db = join(dir, 'history.sqlite');

  it('migcost sample measures a running VM and its JSON feeds predict --vm', async () => {
    const g = await startGuest({ memoryBytes: 256 * MiB, workload: 'dirtier', params: { wss: '32M', rate: 5000, pattern: 'seq' } });
    try {
      g.qmp.close(); // QEMU serves one client per QMP socket: let the CLI have it
      const vmFile = join(dir, 'vm.json');
      const s = await cli(['sample', '--qmp', g.qmpPath, '--windows', '250ms,500ms,1s', '--json', '--output', vmFile]);
      assert.equal(s.code, 0, s.err);
      const sample = JSON.parse(s.out);
      assert.equal(sample.memoryBytes, 256 * MiB);
      assert.equal(sample.curve.length, 3);
      assert.ok(sample.dirtyRateBytesPerSec > 0);
      const p = spawnSync(process.execPath, [BIN, 'predict', '--vm', vmFile, '--bandwidth', '100MiB/s', '--downtime-limit', '300ms', '--json'], { encoding: 'utf8' });
      assert.equal(p.status, 0, p.stderr);
      const pred = JSON.parse(p.stdout);
      for (const k of CONTRACT) assert.ok(k in pred, k);
      assert.equal(pred.converged, true);
    } finally {
      await g.kill();
    }
  });

  it('migcost lab run --json prints predicted and measured with the fields of predict --json, and records it', async () => {
    const r = await cli(['lab', 'run', '--memory', '256MiB', '--workload', 'dirtier', '--wss', '48MiB', '--rate', '8000', '--pattern', 'random', '--bandwidth', '80MiB/s', '--downtime-limit', '300ms', '--json', '--results', results, '--db', db]);
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out);
    for (const k of CONTRACT) {
      assert.ok(k in o.predicted, `predicted.${k}`);
      assert.ok(k in o.measured, `measured.${k}`);
    }
    assert.equal(o.measured.converged, true);
    assert.ok(o.trace.length >= 1);
    assert.equal(readFileSync(results, 'utf8').trim().split('\n').length, 1);
  });

  it('the CI matrix runs, and the report reads every variant from what was recorded', async () => {
    const m = await cli(['lab', 'matrix', '--preset', 'ci', '--results', results, '--db', db]);
    assert.equal(m.code, 0, m.err);
    assert.equal(readFileSync(results, 'utf8').trim().split('\n').length, 4);
    const svg = join(dir, 'report.svg');
    const rep = await cli(['lab', 'report', '--results', results, '--json', '--svg', svg]);
    assert.equal(rep.code, 0, rep.err);
    const report = JSON.parse(rep.out);
    assert.equal(report.migrations, 4);
    const variants = new Set(report.rows.map((r: { variant: string }) => r.variant));
    for (const v of ['closed-form', 'liu', 'xen', 'qemu', 'qemu+zero', 'qemu+wss+zero', 'deng-curve']) assert.ok(variants.has(v), v);
    assert.ok(existsSync(svg) && readFileSync(svg, 'utf8').startsWith('<svg'));
    // the same records are in the store, whole, and export as CSV
    const fromStore = await cli(['lab', 'report', '--db', db, '--json']);
    assert.equal(JSON.parse(fromStore.out).migrations, 4);
    const csv = await cli(['history', 'export', '--db', db, '--format', 'csv']);
    assert.equal(csv.code, 0, csv.err);
    assert.equal(csv.out.trim().split('\n').length, 5);
    const iv = await cli(['lab', 'report', '--db', db, '--intervals', '--json']);
    assert.equal(iv.code, 0, iv.err);
    const ev = JSON.parse(iv.out);
    assert.ok(ev.n >= 1 && ev.coverage.totalTimeSec >= 0 && ev.coverage.totalTimeSec <= 1);
    const cal = await cli(['lab', 'calibrate', '--db', db, '--out', join(dir, 'platform.json'), '--json']);
    assert.equal(cal.code, 0, cal.err);
    assert.ok(JSON.parse(cal.out).setupSec >= 0);
    // every record names this machine; with 4 of them, the constants are fitted on every host's
    assert.deepEqual(readFileSync(results, 'utf8').trim().split('\n').map((l) => JSON.parse(l).host), Array(4).fill(labHost()));
    assert.match(cal.err, /fitting on 4 records \(every host\)/);
  });

  it('bad lab input is refused before any QEMU starts', async () => {
    const r = await cli(['lab', 'run', '--memory', '-1GiB']);
    assert.equal(r.code, 2);
    assert.match(r.err, /memory: "-1GiB" must not be negative/);
    const p = await cli(['lab', 'run', '--pattern', 'zigzag']);
    assert.notEqual(p.code, 0);
  });
});
