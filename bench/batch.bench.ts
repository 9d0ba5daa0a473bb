/**
 * The batch CLI end to end: generates CSVs of 100k and 1M rows, runs `migcost predict --input FILE` as a
 * child process (the built bin, output to /dev/null), and reports rows/s and the child's peak RSS
 * (VmHWM from /proc, read until it exits). Run: npm run build && node --import tsx bench/batch.bench.ts
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../bin/migcost.js', import.meta.url).pathname;
const sizes = (process.argv[2] ?? '100000,1000000').split(',').map(Number);
const dir = mkdtempSync(join(os.tmpdir(), 'migcost-bench-'));

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('id,memory,dirtyRate,bandwidth,policy,downtimeLimit,zeroPageFraction\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += `vm${i},${(1 + (i % 64)) * 268435456},${(i * 7919) % 300000000},${[12500000, 125000000, 1250000000][i % 3]},${['xen', 'liu', 'qemu'][i % 3]},0.3,${(i % 10) / 20}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

function peakRssKb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

console.log(`# batch CLI (${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, node ${process.version})`);
console.log('rows\tinput MB\tseconds\trows/s\tpeak RSS MB');
for (const rows of sizes) {
  const file = join(dir, `${rows}.csv`);
  await writeCsv(file, rows);
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [BIN, 'predict', '--input', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, peakRssKb(child.pid!))), 20);
  const [code] = await once(child, 'exit');
  clearInterval(timer);
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) throw new Error(`batch exited ${code}`);
  console.log(`${rows}\t${(statSync(file).size / 1e6).toFixed(1)}\t${sec.toFixed(2)}\t${Math.round(rows / sec).toLocaleString()}\t${(peak / 1024).toFixed(0)}`);
  rmSync(file);
}
rmSync(dir, { recursive: true, force: true });
