import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOC, advisedAction } from './fixtures.js';
import { virshTechniqueFlags } from '../../../src/plan/emit/virsh.js';

const BIN = new URL('../../../bin/migcost.js', import.meta.url).pathname;
const EXAMPLE = new URL('../../../examples/cluster.json', import.meta.url).pathname;

function migcost(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
}

describe('migcost plan --emit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'migcost-emit-cli-'));
  const cluster = join(dir, 'cluster.json');
  writeFileSync(cluster, JSON.stringify(DOC));
  // the same cluster without the hostile VM's "vmi": its id is no Kubernetes name
  const noVmi = join(dir, 'no-vmi.json');
  writeFileSync(noVmi, JSON.stringify({ ...DOC, vms: DOC.vms.map((v) => ({ ...v, vmi: undefined })) }));
  it('writes the moves as a virsh script on standard output, the hostile domain quoted, nothing else', () => {
    const r = migcost('plan', '--cluster', cluster, '--policy', 'mia', '--emit', 'virsh');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^#!\/bin\/sh\n/);
    assert.match(r.stdout, /\nvirsh -c qemu\+tcp:\/\/10\.0\.0\.1\/system migrate --live --persistent --undefinesource --domain 'a; rm -rf \/' --desturi qemu\+ssh:\/\/h3\/system --bandwidth 1024 --timeout 600 --timeout-suspend\n/);
    assert.doesNotMatch(r.stdout, /hot before/);
  });
  it('includes the moves of hosts consolidation switches off, and with --emit-output still prints the plan', () => {
    const out = join(dir, 'plan.sh');
    const r = migcost('plan', '--cluster', EXAMPLE, '--consolidate', '1h', '--emit', 'openstack', '--emit-output', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { moves: { vm: string }[]; consolidation: { switchOff: boolean; moves: { vm: string }[] }[] };
    const expected = [...plan.moves.map((m) => m.vm), ...plan.consolidation.filter((d) => d.switchOff).flatMap((d) => d.moves.map((m) => m.vm))];
    assert.ok(expected.length > plan.moves.length, 'the example consolidates');
    const text = readFileSync(out, 'utf8');
    assert.deepEqual([...text.matchAll(/--wait (\S+)\n/g)].map((m) => m[1]), expected);
    assert.equal(statSync(out).mode & 0o111, 0o111, 'the script is executable');
  });
  it('bad input exits 2 naming the flag or field', () => {
    const bad = [
      [['--emit', 'ansible'], /--emit.*must be one of virsh, openstack, kubevirt/],
      [['--emit-output', join(dir, 'x')], /--emit-output.*needs --emit/],
      [['--emit', 'kubevirt', '--cluster', noVmi], /vmi.*a; rm -rf \/.*set "vmi"/],
    ] as const;
    for (const [args, message] of bad) {
      const r = migcost('plan', '--cluster', cluster, '--policy', 'mia', ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
  it('with --advise, each move carries the technique advise picked, as virsh flags and in the comment', () => {
    const hot = join(dir, 'hot.json');
    writeFileSync(hot, JSON.stringify({
      hosts: [{ id: 'h1', cpu: 8, memory: '32GiB', bandwidth: '100MiB/s' }, { id: 'h2', cpu: 8, memory: '32GiB', bandwidth: '100MiB/s' }],
      vms: [{ id: 'hot', host: 'h1', cpu: 5, memory: '4GiB', dirtyRate: '150MiB/s', workingSet: '512MiB' }, { id: 'calm', host: 'h1', cpu: 4, memory: '16GiB', dirtyRate: '1MiB/s' }],
    }));
    const j = migcost('plan', '--cluster', hot, '--policy', 'mia', '--advise', '--json');
    assert.equal(j.status, 0, j.stderr);
    const [m] = (JSON.parse(j.stdout) as { moves: { technique: Parameters<typeof advisedAction>[1]; advised: { label: string } }[] }).moves;
    const r = migcost('plan', '--cluster', hot, '--policy', 'mia', '--advise', '--emit', 'virsh');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`priced with: advised ${m.advised.label.replace('+', '\\+')}`));
    const line = r.stdout.split('\n').find((l) => l.includes(' migrate --live '))!;
    const want = virshTechniqueFlags(advisedAction(m.advised.label, m.technique)).join(' ');
    assert.ok(line.includes(`--bandwidth 100 ${want}${want ? ' ' : ''}--timeout`), `${line} lacks ${want}`);
  });
});
