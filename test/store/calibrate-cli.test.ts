/** `migcost calibrate` through the real bin, on a temporary store. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/store.js';
import { fakeRecord } from './fixtures.js';
import { assertClose } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const MiB = 2 ** 20;

describe('migcost calibrate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migcost-cal-'));
  const db = join(dir, 'c.sqlite');

  it('--energy fits alpha and beta from pairs, stores them, and predict --db uses them', () => {
    const f = join(dir, 'pairs.csv');
    writeFileSync(f, `transferredBytes,energyJoules\n${[256, 512, 1024, 2048].map((mb) => `${mb * MiB},${0.6 * mb + 10}`).join('\n')}\n`);
    const r = run(['calibrate', '--energy', f, '--db', db, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const fit = JSON.parse(r.stdout).energy;
    assertClose(fit.params.alphaJoulesPerMiB, 0.6);
    assertClose(fit.params.betaJoules, 10);
    const p = JSON.parse(run(['predict', '--memory', '1GiB', '--dirty-rate', '0', '--bandwidth', '1GiB/s', '--db', db, '--json']).stdout);
    assertClose(p.energyJoules, 0.6 * 1024 + 10);
    const models = JSON.parse(run(['models', '--db', db, '--json']).stdout);
    assert.equal(models[0].kind, 'wired-energy');
    // the residual plot: one point per pair, around the zero line
    const g = join(dir, 'noisy.csv');
    writeFileSync(g, `transferredBytes,energyJoules\n${[256, 512, 1024, 2048, 3072].map((mb, i) => `${mb * MiB},${0.6 * mb + 10 + (i % 2 ? 5 : -5)}`).join('\n')}\n`);
    const svg = join(dir, 'res.svg');
    const rp = run(['calibrate', '--energy', g, '--db', db, '--svg', svg]);
    assert.equal(rp.status, 0, rp.stderr);
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /^<svg/);
    assert.match(text, /residual/);
    assert.equal((text.match(/<path[^>]*aria-roledescription="point"/g) ?? []).length, 5, 'five residual points');
  });

  it('--power imports samples and --energy-from-power recovers the model by eq. 16', async () => {
    const s = await openStore(db);
    const recs = [1, 2, 3].map((i) => fakeRecord(i));
    recs.forEach((r, i) => {
      r.startedAt = new Date(Date.UTC(2026, 10, 22, 1, i * 5)).toISOString();
      r.measured.totalTimeSec = 4.5; // ceil -> 5 one-second samples
      r.measured.transferredBytes = (i + 1) * 512 * MiB;
    });
    for (const r of recs) await s.recordMigration(r);
    await s.close();
    // 100 W idle; during each migration the extra power spreads E = 0.5 J/MiB x V + 20 J over its 5 seconds
    const lines = ['timestamp,watts'];
    for (const r of recs) {
      const start = Date.parse(r.startedAt) / 1000;
      const extra = (0.5 * (r.measured.transferredBytes / MiB) + 20) / 5;
      for (let t = -3; t < 8; t++) lines.push(`${start + t},${t >= 0 && t < 5 ? 100 + extra : 100}`);
    }
    const f = join(dir, 'power.csv');
    writeFileSync(f, `${lines.join('\n')}\n`);
    const r = run(['calibrate', '--power', f, '--host', 'h1', '--energy-from-power', '--idle-watts', '100', '--db', db, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const fit = JSON.parse(r.stdout).energyFromPower;
    assertClose(fit.params.alphaJoulesPerMiB, 0.5, 1e-6);
    assertClose(fit.params.betaJoules, 20, 1e-6);
  });

  it('--wws recovers gamma = aT + bD + c from stored per-round traces', async () => {
    const wdb = join(dir, 'w.sqlite');
    const s = await openStore(wdb);
    const [a, b, c] = [-0.04, -0.001, 0.5];
    for (let i = 0; i < 4; i++) {
      const r = fakeRecord(i, 6);
      const D = (20 + 30 * i) * MiB;
      r.sample.dirtyRateBytesPerSec = D;
      r.trace = r.trace.map((t, k) => {
        const T = 0.2 + 0.7 * k;
        const gamma = a * T + b * (D / MiB) + c;
        return { ...t, kind: 'pre-copy' as const, durationSec: T, dirtiedBytes: (1 - gamma) * D * T };
      });
      await s.recordMigration(r);
    }
    await s.close();
    const out = run(['calibrate', '--wws', '--db', wdb, '--json']);
    assert.equal(out.status, 0, out.stderr);
    const fit = JSON.parse(out.stdout).wws;
    assertClose(fit.params.a, a, 1e-6);
    assertClose(fit.params.b, b, 1e-6);
    assertClose(fit.params.c, c, 1e-6);
  });

  it('bad input is named', () => {
    const f = join(dir, 'bad.csv');
    writeFileSync(f, 'bytes,joules\n1,2\n');
    const r = run(['calibrate', '--energy', f, '--db', db]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--energy header: "bytes,joules" must name the columns transferredBytes and energyJoules/);
    assert.equal(run(['calibrate', '--energy-from-power', '--db', db]).status, 2);
  });
});
