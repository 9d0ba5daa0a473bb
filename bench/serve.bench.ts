/**
 * Load on `migcost serve` over loopback with autocannon: the server runs in its own process (this file with
 * --server), so the load generator does not share its event loop; both share the machine's cores.
 * Single predictions for 10 s from 32 keep-alive connections, then 10,000-row batches for 10 s from 2.
 * Prints requests/s and latency percentiles. Run: npm run bench:serve  (or node --import tsx bench/serve.bench.ts)
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

if (process.argv.includes('--server')) {
  const { serve } = await import('../src/http/serve.js');
  const s = await serve({ port: 0, webRoot: false });
  process.stdout.write(`${s.url}\n`);
  process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
} else {
  const { default: autocannon } = await import('autocannon');
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url: string = await new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`server exited (${c})`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  type Result = { requests: { average: number; total: number }; latency: { p50: number; p99: number; max: number }; non2xx: number; errors: number };
  const run = (path: string, body: string, connections: number): Promise<Result> =>
    autocannon({ url: `${url}${path}`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds }) as unknown as Promise<Result>;
  const line = (name: string, r: Result) =>
    `${name}: ${r.requests.average.toFixed(0)} requests/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms (${r.requests.total} requests, ${r.non2xx} non-2xx, ${r.errors} errors)`;
  console.log(`# migcost serve on loopback (${os.cpus()[0]?.model}, ${os.cpus().length} cores, node ${process.version}), autocannon ${seconds} s per figure`);
  const one = JSON.stringify({ memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s', policy: 'qemu', downtimeLimit: '300ms' });
  await run('/v1/predict', one, 32); // warm-up (JIT)
  console.log(line('single predictions, 32 connections', await run('/v1/predict', one, 32)));
  const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, memory: `${1 + (i % 16)}GiB`, dirtyRate: `${i % 300}MiB/s`, bandwidth: '10Gbit/s' }));
  const big = JSON.stringify({ rows });
  const b = await run('/v1/predict/batch', big, 2);
  console.log(line('10,000-row batches, 2 connections', b));
  console.log(`  = ${(b.requests.average * 10_000).toFixed(0)} predictions/s in batches`);
  child.kill('SIGTERM');
}
