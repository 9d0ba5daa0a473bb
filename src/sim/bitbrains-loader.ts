/**
 * Reads the memory sizes of the Bitbrains Rnd VMs (GWA-T-12, `<n>.csv.gz`, n = 1..40) in place from the
 * shared data folder: each VM's mean "Memory usage [KB]" over its month, in MB (KB / 1024). VMs whose mean
 * use is under 1 MB (an empty trace) are left out. The only other file in src/sim that touches the file system.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_PLANETLAB_ARCHIVE } from './planetlab-loader.js';

export const DEFAULT_BITBRAINS_DIR = join(DEFAULT_PLANETLAB_ARCHIVE, '..', '..', 'bitbrains-rnd');

/** Mean memory use (MB) of each Bitbrains VM, in file-number order. */
export function loadBitbrainsMemoryMb(dir: string = DEFAULT_BITBRAINS_DIR): number[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d+\.csv\.gz$/.test(f))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  const out: number[] = [];
  for (const f of files) {
    const text = gunzipSync(readFileSync(join(dir, f))).toString('utf8');
    let sum = 0;
    let n = 0;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.split(';');
      if (cols.length < 7) continue;
      const kb = Number.parseFloat(cols[6]);
      if (!Number.isFinite(kb)) continue;
      sum += kb;
      n++;
    }
    const mb = n > 0 ? sum / n / 1024 : 0;
    if (mb >= 1) out.push(Math.round(mb));
  }
  if (out.length === 0) throw new RangeError(`loadBitbrainsMemoryMb: no Bitbrains VM with memory use in ${dir}`);
  return out;
}
