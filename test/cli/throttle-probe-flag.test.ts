/** `--throttle-probe [percent]` refuses a bad percent, and the libvirt driver without the monitor, before anything is contacted: exit 2 naming the flag. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });

it('sample and lab run: a bad --throttle-probe exits 2 naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['sample', '--qmp', '/nonexistent/vm.qmp', '--throttle-probe', '150'], /--throttle-probe.*whole percent between 1 and 99/],
    [['sample', '--qmp', '/nonexistent/vm.qmp', '--throttle-probe', 'fast'], /--throttle-probe.*whole percent/],
    [['sample', '--libvirt', 'qemu:///system', '--domain', 'vm1', '--throttle-probe'], /--throttle-probe.*needs QEMU's monitor/],
    [['lab', 'run', '--memory', '256MiB', '--workload', 'dirtier', '--throttle-probe', '0%'], /--throttle-probe.*whole percent/],
  ];
  for (const [args, message] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
