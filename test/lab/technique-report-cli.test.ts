/** `lab report --techniques` and `lab matrix --preset techniques-groups` through the CLI (no QEMU: recorded runs). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rec } from '../evaluate/technique-records.js';
import type { VmSample } from '../../src/model/sample.js';
import { MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'migcost-techreport-'));
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, MIGCOST_LAB_DIR: dir } });

const sample: VmSample = {
  memoryBytes: 256 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 60 * MiB, zeroPageFraction: 0.5, sampledAt: '2026-12-06T22:00:00.000Z',
  curve: [{ windowSec: 0.5, dirtiedBytes: 30 * MiB }, { windowSec: 1, dirtiedBytes: 48 * MiB }, { windowSec: 2, dirtiedBytes: 48 * MiB }],
};

describe('lab report --techniques', () => {
  const file = join(dir, 'groups.jsonl');
  const lines: string[] = [];
  for (const round of [1, 2]) {
    const o = { config: { group: `hot r${round}` }, sample };
    lines.push(
      JSON.stringify(rec(`pre${round}`, { name: 'precopy' }, { t: 30, mib: 1500, d: 0, converged: false }, { t: 30, mib: 1500, d: 0, status: 'cancelled' }, o)),
      JSON.stringify(rec(`post${round}`, { name: 'postcopy' }, { t: 8, mib: 300, d: 0.002, phase: 1 }, { t: 8 + round, mib: 300, d: 0.002, phase: 1, faults: 4 }, o)),
      JSON.stringify(rec(`xbz${round}`, { name: 'xbzrle' }, { t: 9, mib: 320, d: 0.02 }, { t: 10, mib: 330, d: 0.02 }, o)),
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);

  it('prints every technique with its oracle and each group with its pick, best and regret (--json)', () => {
    const r = cli(['lab', 'report', '--results', file, '--techniques', '--as-recorded', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.techniques.map((t: { technique: string }) => t.technique), ['precopy', 'postcopy', 'xbzrle']);
    const post = j.techniques[1];
    assert.equal(post.oracle.totalTimeSec.n, 2);
    assert.equal(post.postcopyPhase.n, 2);
    assert.equal(j.decisions.groups, 2);
    // costs: post-copy 9 + 100 x (0.002 + 0.1) = 19.2 (r1), 20.2 (r2); xbzrle 10 + 2 = 12 (best)
    for (const g of j.decisions.perGroup) assert.equal(g.best, 'xbzrle');
  });
  it('as tables, and --refined is refused with it (exit 2, naming the flag)', () => {
    const r = cli(['lab', 'report', '--results', file, '--techniques', '--as-recorded']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| postcopy \| 2 \| 2 \|/);
    assert.match(r.stdout, /\| hot r1 \| .* \| xbzrle \|/);
    assert.match(r.stdout, /regret: mean/);
    const bad = cli(['lab', 'report', '--results', file, '--techniques', '--refined']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--refined/);
  });
  it('lab matrix --preset techniques-groups --repeats 0 is refused before anything runs', () => {
    const r = cli(['lab', 'matrix', '--preset', 'techniques-groups', '--repeats', '0', '--db', join(dir, 'db.sqlite')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--repeats/);
  });
});
