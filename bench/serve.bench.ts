/**
 * Load on `migcost serve` over loopback: single predictions from 64 concurrent keep-alive clients for 5 s
 * (node:http agent), then one 10,000-row batch. Prints requests/s and latency percentiles.
 * Run: node --import tsx bench/serve.bench.ts  (server and load share the machine's 2 cores)
 */
import http from 'node:http';
import os from 'node:os';
import { serve } from '../src/http/serve.js';

const s = await serve({ port: 0 });
const { port } = new URL(s.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const body = JSON.stringify({ memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s', policy: 'qemu', downtimeLimit: '300ms' });
function request(path: string, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
const lat: number[] = [];
const end = Date.now() + 5000;
await Promise.all(Array.from({ length: 64 }, async () => {
  while (Date.now() < end) lat.push(await request('/v1/predict', body));
}));
lat.sort((a, b) => a - b);
const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
console.log(`# migcost serve on loopback (${os.cpus()[0]?.model}, ${os.cpus().length} cores, node ${process.version})`);
console.log(`single predictions: ${(lat.length / 5).toFixed(0)} requests/s, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (64 connections)`);
const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, memory: `${1 + (i % 16)}GiB`, dirtyRate: `${i % 300}MiB/s`, bandwidth: '10Gbit/s' }));
const big = JSON.stringify({ rows });
const times: number[] = [];
for (let i = 0; i < 5; i++) times.push(await request('/v1/predict/batch', big));
console.log(`10,000-row batch: median ${times.sort((a, b) => a - b)[2].toFixed(0)} ms over 5 requests`);
agent.destroy();
await s.close();
