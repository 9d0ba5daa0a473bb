/** `migcost evaluate`, run as users run it: the built bin in a child process. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { predict } from '../../src/model/index.js';
import { join } from 'node:path';
import { runCli as run } from '../cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-evaluate-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));


before(() => {
  assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build` (npm test does)');
});

/** Ten configurations, two repeats each, measured exactly as the model predicts them (an idle VM over 100 MiB/s). */
function logFile(name: string, extra = ''): string {
  const lines = ['id,workload,technique,memory,dirtyRate,bandwidth,downtimeLimit,totalTime,downtime,transferred'];
  for (let c = 0; c < 10; c++) {
    const p = predict({ vm: { memoryBytes: (1 + c) * 2 ** 30, dirtyRateBytesPerSec: 0 }, bandwidthBytesPerSec: 100 * 2 ** 20, policy: { name: 'qemu', downtimeLimitSec: 0.3 } });
    for (let r = 0; r < 2; r++) lines.push(`c${c}r${r},${c % 2 ? 'web' : 'db'},precopy,${1 + c}GiB,0,100MiB/s,300ms,${p.totalTimeSec},${p.downtimeSec},${1 + c}GiB`);
  }
  const f = join(dir, name);
  writeFileSync(f, `${lines.join('\n')}\n${extra}`);
  return f;
}

describe('migcost evaluate', () => {
  it('prints the cross-validated errors per technique and workload, as a table and as JSON, and draws the SVG', () => {
    const input = logFile('log.csv');
    const t = run(['evaluate', '--input', input]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /20 migrations, 10 configurations, 5-fold cross-validation by configuration/);
    assert.match(t.out, /\| analytic \| all \| all \| 20 \| 0\.0 % \|/);
    const svg = join(dir, 'e.svg');
    const j = run(['evaluate', '--input', input, '--folds', '4', '--json', '--svg', svg]);
    assert.equal(j.code, 0, j.err);
    const ev = JSON.parse(j.out);
    assert.equal(ev.folds, 4);
    assert.deepEqual(ev.prior, { kind: 'saturating', workingSetFactor: 2, rateWindowSec: 1 });
    assert.match(t.out, /analytic: each dirtyRate read as the distinct pages dirtied in 1 s/);
    assert.deepEqual(Object.keys(ev.models.analytic.byWorkload), ['db', 'web']);
    assert.ok(ev.models.analytic.overall.time.p90 < 1e-3, String(ev.models.analytic.overall.time.p90));
    assert.match(readFileSync(svg, 'utf8'), /^<svg[^>]*>.*analytic: predicted against measured/s);
  });

  it('a bad row, or fewer than two folds, is bad input (exit 2) naming it', () => {
    const bad = run(['evaluate', '--input', logFile('bad.csv', 'z,db,precopy,1GiB,0,100MiB/s,300ms,10,0.2,\n')]);
    assert.equal(bad.code, 2, bad.err);
    assert.match(bad.err, /--input: .* has 1 bad row:\n {2}line 22: transferred: "" is required/);
    const folds = run(['evaluate', '--input', logFile('ok.csv'), '--folds', '1']);
    assert.equal(folds.code, 2);
    assert.match(folds.err, /^migcost: --folds: /);
  });
});
