/**
 * `migcost plan` as users run it (the built bin): consolidation after the moves, shown in the table; each hot
 * host's rule and figures in the table and the JSON; a detector without history refused (exit 2); and the
 * --svg picture naming every host and every move's predicted figures.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes, formatSeconds } from '../../src/units.js';
import { runCli as run } from '../cli-run.js';

const EXAMPLE = new URL('../../examples/cluster.json', import.meta.url).pathname;
const LR = ['plan', '--cluster', EXAMPLE, '--policy', 'optimal', '--detector', 'lr', '--param', '1.2', '--consolidate', '1h'];


interface Priced { totalTimeSec: number; transferredBytes: number; downtimeSec: number }
interface PlanJson {
  moves: { vm: string; from: string; to: string; predicted: Priced }[];
  hot: { host: string; rule: string; reason: string }[];
  hotBefore: string[];
  consolidation: { host: string; switchOff: boolean; why: string; moves: { vm: string; from: string; to: string; predicted: Priced; energyJoules: number }[] }[];
}

before(() => {
  assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build` (npm test does)');
});

describe('migcost plan --detector lr --consolidate 1h on the example cluster', () => {
  it('JSON: consolidation on the cluster after the moves (no receiving host switched off), and a reason per hot host', () => {
    const r = run([...LR, '--json']);
    assert.equal(r.code, 0, r.err);
    const p = JSON.parse(r.out) as PlanJson;
    assert.deepEqual(p.hot, [{ host: 'h1', rule: 'capacity', reason: 'capacity: cpu 125 % > 100 %' }]);
    const to = new Set(p.moves.map((m) => m.to));
    assert.deepEqual([...to], ['h3']);
    const off = p.consolidation.filter((d) => d.switchOff);
    assert.deepEqual(off.map((d) => d.host), ['h4']);
    for (const d of off) assert.ok(!to.has(d.host), `${d.host} receives VMs and is switched off`);
    const [m] = off[0].moves;
    assert.equal(m.vm, 'idle2');
    assert.ok(m.predicted.totalTimeSec > 0 && m.energyJoules > 0);
  });
  it('the table: hot hosts with their figures, the moves, and the consolidation moves', () => {
    const r = run(LR);
    assert.equal(r.code, 0, r.err);
    const p = JSON.parse(run([...LR, '--json']).out) as PlanJson;
    assert.match(r.out, /hot before the plan:\n {2}h1 {2}capacity: cpu 125 % > 100 %\nhot after it: none\n/);
    assert.match(r.out, /consolidation over 60\.0 min, after the moves above: switch off h4\n/);
    const cm = p.consolidation.find((d) => d.switchOff)!.moves[0];
    // the consolidation move is a row of its own, numbered after the plan's moves, with its predicted figures
    const row = r.out.split('\n').find((l) => l.includes(` ${cm.vm} `));
    assert.ok(row, r.out);
    for (const cell of [String(p.moves.length + 1), cm.from, cm.to, formatSeconds(cm.predicted.totalTimeSec), formatSeconds(cm.predicted.downtimeSec), formatBytes(cm.predicted.transferredBytes), `${cm.energyJoules.toFixed(0)} J`]) assert.ok(row!.includes(` ${cell} `), `${cell} in ${row}`);
    assert.match(r.out, / {2}h4: switch off \(saves \d+ J over the horizon/);
  });
  it('--svg: every host, the threshold, the switched-off host, and every move with its predicted time, bytes and downtime', () => {
    const svg = join(mkdtempSync(join(tmpdir(), 'migcost-plan-')), 'plan.svg');
    const r = run([...LR, '--json', '--svg', svg]);
    assert.equal(r.code, 0, r.err);
    const p = JSON.parse(r.out) as PlanJson;
    const text = readFileSync(svg, 'utf8');
    assert.ok(text.startsWith('<svg'));
    for (const h of ['h1 (hot)', 'h2', 'h3', 'h4 (switched off)']) assert.ok(text.includes(`>${h}<`), h);
    assert.ok(text.includes('capacity (lr also tests each host&#39;s history): 100 %') || text.includes("capacity (lr also tests each host's history): 100 %"), 'the threshold line');
    assert.ok(text.includes('>off<'), 'the switched-off bar is marked');
    assert.ok(text.includes('hot before: h1, capacity: cpu 125 % &gt; 100 %') || text.includes('hot before: h1, capacity: cpu 125 % > 100 %'), 'the reason');
    const moves = [...p.moves, ...p.consolidation.filter((d) => d.switchOff).flatMap((d) => d.moves)];
    assert.equal(moves.length, 3);
    for (const m of moves) {
      for (const s of [`${m.from} → ${m.to}`, m.vm, formatSeconds(m.predicted.totalTimeSec), formatBytes(m.predicted.transferredBytes), formatSeconds(m.predicted.downtimeSec)]) assert.ok(text.includes(`>${s}<`), `${s} (${m.vm}) in the SVG`);
    }
  });
});

describe('migcost plan: a detector that needs history', () => {
  it('refuses a cluster without it: exit 2, naming the detector, the need and what the hosts have', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'migcost-plan-')), 'c.json');
    const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    for (const h of doc.hosts) delete h.utilisationHistory;
    doc.hosts[2].utilisationHistory = [0.1, 0.2, 0.1];
    writeFileSync(f, JSON.stringify(doc));
    for (const d of ['lr', 'mad', 'iqr']) {
      const r = run(['plan', '--cluster', f, '--detector', d]);
      assert.equal(r.code, 2, `${d}: ${r.err}`);
      assert.match(r.err, new RegExp(`^migcost: --detector ${d} needs a utilisation history of at least 10 values on every host`));
      assert.match(r.err, /4 of 4 hosts have fewer: h1 has 0, h2 has 0, h3 has 3, h4 has 0 \(hosts\[0\]\.utilisationHistory\)/);
      assert.match(r.err, /or use --detector deng/);
    }
    assert.equal(run(['plan', '--cluster', f, '--detector', 'thr']).code, 0);
    assert.equal(run(['plan', '--cluster', f]).code, 0);
  });
});
