/**
 * Bad input on the command line, run as users run it (the built bin): every error names the flag typed, lists the
 * valid values where there is a list, and exits 2 — commander's own errors included.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as run } from '../cli-run.js';



before(() => {
  assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build` (npm test does)');
});

const VM = ['--memory', '4GiB', '--dirty-rate', '50MiB/s', '--bandwidth', '1Gbit/s'];

describe("commander's own errors exit 2 and point to the command's --help", () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown option', ['predict', ...VM, '--bogus'], /unknown option '--bogus'/],
    ['missing argument', ['predict', '--memory'], /option '--memory <size>' argument missing/],
    ['missing required option', ['execute', '--targets', 't.json'], /required option '--plan <file>' not specified/],
    ['value outside the choices', ['simulate', '--detector', 'foo'], /Allowed choices are thr, iqr, mad, lr, lrr/],
    ['unknown command', ['predcit'], /unknown command 'predcit'/],
  ];
  for (const [name, args, re] of cases) {
    it(name, () => {
      const r = run(args);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, re);
      assert.equal(r.out, '');
    });
  }
  it('--help and --version still exit 0', () => {
    assert.equal(run(['predict', '--help']).code, 0);
    assert.equal(run(['--version']).code, 0);
  });
  it('simulate --policies lists the selections and objectives', () => {
    const r = run(['simulate', '--compare', '--policies', 'mmt,moa:trafic']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^migcost: --policies: "moa:trafic" is not a policy: a selection \(mmt, mc, rs, mu, moa, optimal\), optionally :objective \(traffic, downtime, .*\) and \+co/);
  });
  it('an empty batch names --input', () => {
    const r = run(['predict', '--input', '-'], '');
    assert.equal(r.code, 2);
    assert.match(r.err, /^migcost: --input: "" is empty/);
  });
  it('a bad argParser value names the flag (lab run --bandwidth 100)', () => {
    const r = run(['lab', 'run', '--bandwidth', '100']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^migcost: --bandwidth 100: a rate needs a unit, e.g. 100MiB\/s/);
  });
  it('a horizon out of range, or a phase list the dirtier cannot read, names the flag', () => {
    const short = run(['sample', '--qmp', '/nonexistent.sock', '--horizon', '500ms']);
    assert.equal(short.code, 2);
    assert.match(short.err, /^migcost: --horizon: "500ms" must be between 1s and 10min/);
    const phases = run(['lab', 'run', '--workload', 'dirtier', '--phases', '2s write']);
    assert.equal(phases.code, 2);
    assert.match(phases.err, /^migcost: --phases: "2s write" must be a list of DURATION:write\|read, e\.g\. 2s:write,3s:read/);
  });
});

describe('flags that change nothing under the chosen policy are refused (single predictions)', () => {
  const cases: [string, string[], string][] = [
    ['qemu-only flag under xen', ['--policy', 'xen', '--downtime-limit', '300ms'], '--downtime-limit applies to --policy qemu only; the policy is xen, which ignores it'],
    ['qemu-only flag under liu', ['--policy', 'liu', '--auto-converge'], '--auto-converge applies to --policy qemu only; the policy is liu, which ignores it'],
    ['xen/liu flag under the default policy', ['--threshold', '1MiB'], '--threshold applies to --policy xen or liu only; the policy is qemu (the default), which ignores it'],
    ['xen-only flag under liu', ['--policy', 'liu', '--max-traffic-factor', '2'], '--max-traffic-factor applies to --policy xen only; the policy is liu, which ignores it'],
    ['adaptive-rate option without it', ['--delta', '10Mbit/s'], '--delta does nothing without --adaptive-rate'],
    ['wws coefficients without wws', ['--wws-coeffs', '1,2,3'], '--wws-coeffs does nothing without --dirty-model wws'],
  ];
  for (const [name, extra, message] of cases) {
    it(name, () => {
      const r = run(['predict', ...VM, ...extra]);
      assert.equal(r.code, 2);
      assert.equal(r.err, `migcost: ${message}\n`);
    });
  }
  it('the same flags are accepted where they count, and as batch defaults for rows of any policy', () => {
    assert.equal(run(['predict', ...VM, '--policy', 'qemu', '--downtime-limit', '300ms', '--timeout', '10min', '--auto-converge', '--json']).code, 0);
    assert.equal(run(['predict', ...VM, '--policy', 'xen', '--threshold', '1MiB', '--max-rounds', '10', '--max-traffic-factor', '2', '--json']).code, 0);
    const b = run(['predict', '--input', '-', '--downtime-limit', '300ms'], 'memory,dirtyRate,bandwidth,policy\n1GiB,10MiB/s,1Gbit/s,xen\n');
    assert.equal(b.code, 0, b.err);
  });
  it('offload prices the radio: the wired energy flags are refused', () => {
    const r = run(['offload', ...VM, '--remaining', '10min', '--run-power', '2W', '--alpha', '1']);
    assert.equal(r.code, 2);
    assert.match(r.err, /--alpha does nothing without the wired energy model/);
  });
});

describe('files and folders', () => {
  it('--db on a folder says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-'));
    const r = run(['models', '--db', dir]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `migcost: --db ${dir}: is a folder; give a database file in it (e.g. ${dir}/migcost.sqlite) or a postgres:// URL\n`);
    assert.doesNotMatch(r.err, /EISDIR/);
  });
  it('simulate --day lists the days the traces hold', () => {
    const traces = mkdtempSync(join(tmpdir(), 'migcost-'));
    for (const d of ['20110306', '20110303']) mkdirSync(join(traces, d));
    const r = run(['simulate', '--traces', traces, '--day', '20110304', '--quiet']);
    assert.equal(r.code, 2);
    assert.equal(r.err, `migcost: --day: "20110304" has no traces in ${traces}; valid days: 20110303, 20110306\n`);
    const bad = run(['simulate', '--traces', traces, '--day', 'march', '--quiet']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--day: "march" must be a date as yyyymmdd; the days in .*: 20110303, 20110306/);
  });
});

describe('honest labels', () => {
  it('a downtime over the limit says by how much and why, not fits-downtime-limit', () => {
    // 1 GiB at 20 MiB/s over 1 Gbit/s, the final copy also at 1 Gbit/s: QEMU's estimate fits 300 ms, the copy
    // takes 296.9 ms and the resume 20 ms.
    const args = ['predict', '--memory', '1GiB', '--dirty-rate', '20MiB/s', '--bandwidth', '1Gbit/s', '--downtime-limit', '300ms', '--stop-copy-rate', '1Gbit/s'];
    const j = JSON.parse(run([...args, '--json']).out);
    assert.ok(j.downtimeSec > 0.3);
    assert.equal(j.reason, 'fits-downtime-limit'); // the stop rule's code, as in every record
    assert.match(j.verdict, /^switched over when QEMU's estimate fit the 300\.0 ms downtime limit, but the downtime is 16\.9 ms over it \(316\.9 ms\): the limit bounds QEMU's estimate of the final copy/);
    assert.match(j.verdict, /not the copy itself \(296\.9 ms here\) nor the resume \(20\.0 ms\)$/);
    const t = run(args).out;
    assert.doesNotMatch(t, /fits-downtime-limit/);
    assert.match(t, /downtime +│ 316\.9 ms \(16\.9 ms over the limit\)/);
    assert.match(t, /switch-over, downtime over the limit/);
  });
  it('a downtime within the limit keeps its label', () => {
    const t = run(['predict', ...VM, '--downtime-limit', '300ms']).out;
    assert.match(t, /fits-downtime-limit/);
    assert.match(t, /downtime, [\d.]+ ms, is within it/);
  });
  it('a forced switch-over at the time-out says that it is one', () => {
    const args = ['predict', '--memory', '4TiB', '--dirty-rate', '500MiB/s', '--bandwidth', '1Gbit/s'];
    const t = run(args).out;
    assert.match(t, /downtime +│ 57\.7 min \(forced switch-over at the time-out\)/);
    assert.match(t, /timeout: forced switch-over/);
    assert.match(t, /NOT converged: QEMU's switch-over condition was never met within the 10\.0 min time-out; the downtime, 57\.7 min, is that of a forced switch-over then/);
    assert.match(JSON.parse(run([...args, '--json']).out).verdict, /forced switch-over/);
  });
});
