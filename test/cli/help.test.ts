/** `--help`: an example per command, every unit spelling, defaults shown, required options marked. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { program } from '../../src/cli/main.js';
import { EXAMPLES } from '../../src/cli/help.js';
import { RATE_SPELLINGS, SIZE_SPELLINGS, TIME_SPELLINGS } from '../../src/units.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const help = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

/** Every command's path: '' for migcost itself, 'lab run' for a subcommand. */
function paths(cmd: Command, path = ''): string[] {
  return [path, ...cmd.commands.flatMap((c) => paths(c, path ? `${path} ${c.name()}` : c.name()))];
}

describe('--help', () => {
  it('every command has an example, and every example names a real command and its options', () => {
    const cli = program();
    const all = paths(cli);
    assert.deepEqual(all.filter((p) => !EXAMPLES[p]), []);
    for (const [path, examples] of Object.entries(EXAMPLES)) {
      assert.ok(all.includes(path), `no command "${path}"`);
      for (const e of examples) {
        const words = e.split(' ');
        assert.equal(words[0], 'migcost');
        // The command the example runs: the words after `migcost` that name (sub)commands.
        let cmd: Command = cli;
        const names: string[] = [];
        for (const w of words.slice(1)) {
          const sub = cmd.commands.find((c) => c.name() === w);
          if (!sub) break;
          cmd = sub;
          names.push(w);
        }
        const target = names.join(' ');
        assert.ok(path === '' || target === path || target.startsWith(`${path} `), `${e}: not an example of ${path}`);
        const longs = new Set(cmd.options.map((o) => o.long));
        for (const w of words.filter((x) => x.startsWith('--'))) assert.ok(longs.has(w), `${e}: ${w} is no option of ${target}`);
      }
    }
  });
  it('shows the examples of the command', () => {
    const out = help('predict');
    for (const e of EXAMPLES.predict) assert.ok(out.includes(`$ ${e}`), e);
    assert.ok(help('lab', 'run').includes(`$ ${EXAMPLES['lab run'][0]}`));
  });
  it('lists every accepted unit spelling (migcost and predict)', () => {
    for (const out of [help(), help('predict')]) {
      const units = out.slice(out.indexOf('Units'));
      const words = new Set(units.split(/[\s,:;=]+/));
      for (const s of [...SIZE_SPELLINGS, ...RATE_SPELLINGS, ...TIME_SPELLINGS]) assert.ok(words.has(s.unit), s.unit);
      assert.match(units, /4G = 4GiB/);
      assert.match(units, /1Gbps = 1Gbit\/s = 125MB\/s; 1GBps = 1GB\/s/);
    }
  });
  it('shows the defaults and marks what is required', () => {
    const p = help('predict').replace(/\s+/g, ' ');
    assert.match(p, /--policy <name> stop policy \(default: qemu\)/);
    assert.match(p, /--downtime-limit <time> .*\(default: 300ms\)/);
    assert.match(p, /--timeout <time> .*\(default: 600s\)/);
    assert.match(p, /--memory <size> VM memory, e\.g\. 4GiB or 4G \(required unless --vm or --input gives it\)/);
    const plan = help('plan').replace(/\s+/g, ' ');
    assert.match(plan, /--cluster <file> .* \(or --inventory\)/);
    assert.match(help('execute').replace(/\s+/g, ' '), /--plan <file> .* \[required\]/);
    assert.match(plan, /--downtime-limit <time> .*\(default: "300ms"\)/);
    assert.match(help('offload').replace(/\s+/g, ' '), /--remaining <time> .* \[required\]/);
  });
});
