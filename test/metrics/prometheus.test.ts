/**
 * Hosts' utilisation history from a real Prometheus server (Debian's package), which this test starts and points
 * at two small exporters it runs: node_exporter's node_cpu_seconds_total for two hosts, one 75 % busy, one 10 %.
 * Skipped, saying why, where the prometheus binary is missing (scripts/test-all.sh installs it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostUtilisation, utilisationQuery } from '../../src/metrics/prometheus.js';
import { freePort } from '../../src/lab/guest.js';

const bin = spawnSync('which', ['prometheus'], { encoding: 'utf8' }).stdout.trim();
const skip = bin ? false : 'prometheus not installed (scripts/test-all.sh installs Debian\'s package)';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let prom: ChildProcess | undefined;
const exporters: Server[] = [];
let dir = '';
let url = '';

/** An exporter whose 2 CPUs are `busy` busy: idle seconds grow at (1 - busy) per CPU per second. */
async function exporter(busy: number): Promise<number> {
  const t0 = Date.now();
  const port = await freePort();
  const s = createServer((_req, res) => {
    // Samples carry their own timestamps, so a slow scrape on a busy machine cannot skew the rate.
    const now = Date.now();
    const t = (now - t0) / 1000 + 1000;
    const lines = ['# TYPE node_cpu_seconds_total counter'];
    for (const cpu of ['0', '1']) {
      lines.push(`node_cpu_seconds_total{cpu="${cpu}",mode="idle"} ${(t * (1 - busy)).toFixed(3)} ${now}`);
      lines.push(`node_cpu_seconds_total{cpu="${cpu}",mode="user"} ${(t * busy).toFixed(3)} ${now}`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  });
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
  exporters.push(s);
  return port;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'migcost-prom-'));
  const [p1, p2, pp] = [await exporter(0.75), await exporter(0.1), await freePort()];
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ['127.0.0.1:${p1}']\n        labels: { host: h1 }\n      - targets: ['127.0.0.1:${p2}']\n        labels: { host: h2 }\n`);
  prom = spawn(bin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${pp}`], { stdio: 'ignore' });
  url = `http://127.0.0.1:${pp}`;
  // Ready, then long enough for a few scrapes of each exporter.
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
});

after(async () => {
  prom?.kill('SIGTERM');
  if (prom && prom.exitCode === null) await new Promise((r) => prom!.once('exit', r));
  for (const s of exporters) s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the PromQL is node_exporter\'s busy share per host; a bad label is refused', () => {
  assert.equal(utilisationQuery('instance', 300), '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[300s]))');
  assert.throws(() => utilisationQuery('in stance)', 60), /--prometheus-host-label/);
});

test('utilisation history per host from a real Prometheus', { skip }, async () => {
  // Until Prometheus holds 8 s of scrapes of each host (the 3 s history's rate windows reach back 6 s; a
  // window that reaches before the first scrape reads low), at most 60 s: the machine may be busy.
  for (let i = 0; i < 60; i++) {
    const r = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('min by (host) (count_over_time(node_cpu_seconds_total{mode="idle"}[8s]))')}`)).json()) as { data: { result: { value: [number, string] }[] } };
    if (r.data.result.length === 2 && r.data.result.every((x) => Number(x.value[1]) >= 7)) break;
    await sleep(1000);
  }
  const h = await hostUtilisation({ url, historySec: 3, stepSec: 1, hostLabel: 'host', rateWindowSec: 3 });
  assert.deepEqual([...h.keys()].sort(), ['h1', 'h2']);
  for (const [id, want] of [['h1', 0.75], ['h2', 0.1]] as const) {
    const v = h.get(id)!;
    assert.ok(v.length >= 3, `${id}: ${v.length} samples`);
    for (const x of v) assert.ok(Math.abs(x - want) < 0.01, `${id}: ${x} vs ${want}`);
  }
});

test('an unreachable Prometheus or a bad URL is an error naming --prometheus', { skip }, async () => {
  await assert.rejects(hostUtilisation({ url: 'http://127.0.0.1:1', historySec: 60, stepSec: 10 }), /--prometheus http:\/\/127.0.0.1:1/);
  await assert.rejects(hostUtilisation({ url: 'not a url', historySec: 60, stepSec: 10 }), /--prometheus/);
  await assert.rejects(hostUtilisation({ url: 'ftp://x', historySec: 60, stepSec: 10 }), /http\(s\)/);
});
