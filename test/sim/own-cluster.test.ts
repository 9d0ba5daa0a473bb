/** Your own cluster's CSV layout: the shipped example loads and simulates; every error names file, line and column. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { OwnClusterError, parseOwnCluster } from '../../src/sim/own-cluster.js';
import { simulateCluster } from '../../src/sim/engine.js';
import { readOwnClusterFiles } from '../../src/sweep/cluster.js';

const EXAMPLE = new URL('../../examples/own-cluster/', import.meta.url).pathname;
const MAIN = new URL('../../src/cli/main.ts', import.meta.url).href;

/** A one-VM day: 288 samples of `pct`. */
const day = (vm: string, pct = 10) => `vm,time_sec,cpu_percent\n${Array.from({ length: 288 }, (_, i) => `${vm},${i * 300},${pct}`).join('\n')}\n`;

function fails(files: { vms: string; utilisation: string; hosts?: string }, where: string, what: RegExp) {
  assert.throws(() => parseOwnCluster(files), (e) => {
    assert.ok(e instanceof OwnClusterError, String(e));
    assert.ok(e.message.startsWith(`${where}: `), `${e.message} should start with ${where}`);
    assert.match(e.message, what);
    return true;
  });
}

describe('own cluster (CSV)', () => {
  it('the example: 8 VMs from vms.csv in order, 10 hosts from hosts.csv, a day of samples each', () => {
    const c = parseOwnCluster(readOwnClusterFiles(EXAMPLE));
    assert.deepEqual(c.vms.map((v) => v.name), ['web-1', 'web-2', 'db-1', 'batch-1', 'batch-2', 'cache-1', 'idle-1', 'api-1']);
    assert.deepEqual(c.vms.map((v) => [v.ramMb, v.mips]).slice(0, 3), [[2048, 1500], [2048, 1500], [3072, 1800]]);
    assert.equal(c.hosts.length, 10);
    assert.equal(c.hosts[1].coreMips, 2660);
    const first = readFileSync(`${EXAMPLE}/utilisation.csv`, 'utf8').split('\n')[1].split(',');
    assert.equal(c.vms[0].utilisation.length, 289);
    assert.equal(c.vms[0].utilisation[0], Number(first[2]) / 100);
    assert.equal(c.vms[0].utilisation[288], c.vms[0].utilisation[287]);
    const r = simulateCluster({ ...c, detector: 'thr', detectorParam: 0.8, selection: 'mmt' });
    assert.equal(r.vms, 8);
    assert.ok(r.energyKWh > 0 && r.migrations > 0);
  });

  it('without hosts.csv: CloudSim ratio of hosts (800 per 1,052 VMs, rounded up), G4 and G5 alternating; mips defaults to 1000', () => {
    const c = parseOwnCluster({ vms: 'vm,memory_mb\na,512\n', utilisation: day('a') });
    assert.equal(c.hosts.length, 1);
    assert.equal(c.vms[0].mips, 1000);
  });

  it('names the file, line and column of what is wrong', () => {
    const vms = '# comment\nvm,memory_mb,mips\na,512,1000\n';
    fails({ vms: 'vm,memory_mb,mips\na,lots,1000\n', utilisation: day('a') }, 'vms.csv:2:2', /memory_mb "lots" must be a number of MB > 0/);
    fails({ vms: 'vm,ram\na,512\n', utilisation: day('a') }, 'vms.csv:1:2', /"ram" is not a column/);
    fails({ vms: 'vm\na\n', utilisation: day('a') }, 'vms.csv:1', /lacks the column "memory_mb"/);
    fails({ vms, utilisation: day('a').replace('a,300,10', 'a,300,140') }, 'utilisation.csv:3:3', /cpu_percent "140" must be a percentage from 0 to 100/);
    fails({ vms, utilisation: day('a').replace('a,300,10', 'a,301,10') }, 'utilisation.csv:3:2', /time_sec "301" must be a multiple of 300/);
    fails({ vms, utilisation: `${day('a')}b,0,5\n` }, 'utilisation.csv:290:1', /VM "b" is not in vms.csv/);
    fails({ vms, utilisation: `${day('a')}a,0,5\n` }, 'utilisation.csv:290:2', /second sample at 0 s/);
    fails({ vms, utilisation: day('a').replace('a,600,10\n', '') }, 'vms.csv:3', /VM "a" has no sample at 600 s/);
    fails({ vms, utilisation: day('a').replace('a,600,10', 'a,600') }, 'utilisation.csv:4:3', /has 2 fields; the header has 3/);
    fails({ vms: 'vm,memory_mb,mips\na,512,3000\n', utilisation: day('a') }, 'vms.csv:2:3', /more than any host's core/);
    fails({ vms, utilisation: day('a'), hosts: 'host,type\nh1,dl380\n' }, 'hosts.csv:2:2', /type "dl380" is not a host type/);
  });

  it('simulate --trace-dir: a bad file exits 2 naming it; sweep --trace-dir runs the example with every policy asked', () => {
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(['node', 'migcost', ...JSON.parse(process.argv[1])]))`, JSON.stringify(args)], { encoding: 'utf8' });
    const bad = cli(['simulate', '--trace-dir', '/nonexistent-dir']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--trace-dir/);
    const dir = mkdtempSync(join(tmpdir(), 'migcost-own-'));
    writeFileSync(join(dir, 'vms.csv'), 'vm,memory_mb\na,12x\n');
    writeFileSync(join(dir, 'utilisation.csv'), day('a'));
    const cell = cli(['sweep', '--trace-dir', dir, '--no-store']);
    assert.equal(cell.status, 2);
    assert.ok(cell.stderr.includes(`${dir}/vms.csv:2:2: memory_mb "12x" must be a number of MB > 0`), cell.stderr);
    const r = cli(['sweep', '--trace-dir', EXAMPLE, '--policies', 'mmt,moa:sla', '--no-store', '--workers', '1', '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { runs: number; rows: Array<{ day: string; policy: string; esvVsMmt: number }> };
    assert.deepEqual(out.rows.map((x) => [x.day, x.policy]), [['own-cluster', 'mmt'], ['own-cluster', 'moa:sla']]);
    assert.equal(out.rows[0].esvVsMmt, 0);
  });
});
