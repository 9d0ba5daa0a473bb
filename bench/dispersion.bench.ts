/**
 * The round-to-round dispersion of dirt (dirtDispersionFromSample) over the lab's recorded samples, per workload:
 * count, min, median, max of the CV of a 1 s round; and how many samples fall back to the default.
 * Run: node --import tsx bench/dispersion.bench.ts
 */
import fs from 'node:fs';
import { dirtDispersionFromSample } from '../src/model/dispersion.js';
const rows: Record<string, number[]> = {};
let def = 0, n = 0;
for (const f of fs.readdirSync('lab/results').filter((f) => f.startsWith('standard'))) {
  for (const l of fs.readFileSync('lab/results/' + f, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const r = JSON.parse(l);
    const d = dirtDispersionFromSample(r.sample);
    n++;
    if (d.source === 'default') { def++; continue; }
    const k = r.config.workload + (r.config.params?.pattern ? '-' + r.config.params.pattern : '');
    (rows[k] ??= []).push(d.cvAt1Sec);
  }
}
const all: number[] = [];
for (const [k, v] of Object.entries(rows)) { v.sort((a, b) => a - b); all.push(...v); console.log(k, v.length, v[0].toFixed(4), v[v.length >> 1].toFixed(4), v[v.length - 1].toFixed(4)); }
all.sort((a, b) => a - b);
console.log('n', n, 'default', def, 'median', all[all.length >> 1], 'p25', all[Math.floor(all.length * 0.25)], 'p75', all[Math.floor(all.length * 0.75)]);
