/**
 * The libvirt flags of `agent`, `plan` and `serve` refuse bad combinations before anything is contacted: exit 2
 * and a message naming the flag (no daemon needed; test/libvirt/libvirt-service.test.ts runs them for real).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, MIGCOST_TOKEN: 'agent-flags-token-1' } });

describe('libvirt flags: bad combinations exit 2 naming the flag', () => {
  it('agent', () => {
    const cases: [string[], RegExp][] = [
      [['--libvirt', 'qemu:///system'], /--domain.*required with --libvirt/],
      [['--libvirt', 'qemu:///system', '--domain', 'vm1', '--windows', '250ms'], /--windows\[0\].*whole seconds/],
      [['--libvirt', 'qemu:///system', '--domain', 'vm1,vm2', '--vm-id', 'a'], /--vm-id.*one VM per --domain/],
      [['--libvirt', 'qemu:///system', '--qmp', '/run/vm1.qmp', '--vm-id', 'a'], /exactly one of --qmp/],
      [['--qmp', '/run/vm1.qmp'], /--vm-id/],
      [['--qmp', '/run/vm1.qmp', '--vm-id', 'a', '--domain', 'vm1'], /--domain.*goes with --libvirt/],
      [['--libvirt', 'qemu:///system', '--domain', 'vm\u0001'], /--domain.*printable/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['agent', ...args, '--service', 'http://127.0.0.1:1']);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });

  it('plan: one cluster source; --prometheus with --inventory only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migcost-plan-flags-'));
    try {
      const f = join(dir, 'c.json');
      writeFileSync(f, JSON.stringify({ hosts: [{ id: 'h1', cpu: 4, memory: '8GiB' }], vms: [] }));
      const cases: [string[], RegExp][] = [
        [[], /exactly one of --cluster FILE or --inventory/],
        [['--cluster', f, '--inventory', 'libvirt:qemu:///system'], /exactly one of --cluster/],
        [['--cluster', f, '--prometheus', 'http://127.0.0.1:9090'], /--prometheus.*goes with --inventory/],
        [['--inventory', 'qemu:///system'], /--inventory.*must be libvirt:URI/],
        [['--cluster', f, '--live'], /--live.*"libvirtUri" and "domain"/],
      ];
      for (const [args, message] of cases) {
        const r = cli(['plan', ...args]);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message, args.join(' '));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve: a libvirt allow-list entry that would run a program, or a domain without its URI', () => {
    const ext = cli(['serve', '--port', '0', '--db', ':memory:', '--allow-libvirt-dest', 'qemu+ext:///system?command=/bin/sh']);
    assert.equal(ext.status, 2, ext.stderr);
    assert.match(ext.stderr, /ext transport/);
    const noUri = cli(['serve', '--port', '0', '--db', ':memory:', '--allow-libvirt-domain', 'vm1']);
    assert.equal(noUri.status, 2, noUri.stderr);
    assert.match(noUri.stderr, /--allow-libvirt-domain.*NAME@URI/);
  });
});
