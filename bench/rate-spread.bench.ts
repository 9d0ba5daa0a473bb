/**
 * How far a guest's dirt during its migration strays from its sample, the two ways DIRT_RATE_SPREAD
 * (src/model/rate-spread.ts) is read off recorded lab passes:
 * - repeats: the same configuration sampled in repeated runs of one pass; per pair, |log D(0.25 s) - log D'(0.25 s)|;
 *   its median / (0.6745 x sqrt 2) is the robust sd of one sample, and sqrt 2 times that the sd of the difference
 *   between a sample and the guest minutes later;
 * - rounds: per run, the median over its unthrottled pre-copy rounds (after the first) of the dirt QEMU counted
 *   over the sampled curve (bitmap-corrected, as the model reads it) at the round's length; the robust sd (1.4826
 *   x MAD) of its log over the runs.
 * Per workload, then pooled. Run: node --import tsx bench/rate-spread.bench.ts lab/results/standard-pass{1,...,13}.jsonl
 */
import fs from 'node:fs';
import { curveDirtiedBytes } from '../src/model/dirty.js';
import { correctedCurve } from '../src/model/from-sample.js';
import { configKey, type MigrationRecord } from '../src/record/record.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node --import tsx bench/rate-spread.bench.ts RESULTS.jsonl ...');
  process.exit(2);
}
const quantile = (a: readonly number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))];
};
const robustSd = (a: readonly number[]) => {
  const m = quantile(a, 0.5);
  return 1.4826 * quantile(a.map((x) => Math.abs(x - m)), 0.5);
};

const groups = new Map<string, { workload: string; logs: number[] }>();
const rounds: Record<string, number[]> = {};
for (const f of files) {
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as MigrationRecord;
    if (!r.sample?.curve?.length) continue;
    const d = curveDirtiedBytes(r.sample.curve, 0.25);
    if (d > 0) {
      const k = `${f} ${configKey(r.config)}`;
      const g = groups.get(k) ?? { workload: r.config.workload, logs: [] };
      g.logs.push(Math.log(d));
      groups.set(k, g);
    }
    const curve = correctedCurve(r.sample);
    const ratios = (r.trace ?? [])
      .slice(1)
      .filter((x) => x.kind === 'pre-copy' && x.durationSec > 0.05 && !(x.throttle > 0))
      .map((x) => x.dirtiedBytes / curveDirtiedBytes(curve, x.durationSec))
      .filter((x) => Number.isFinite(x) && x > 0);
    if (ratios.length >= 2) (rounds[r.config.workload] ??= []).push(Math.log(quantile(ratios, 0.5)));
  }
}
const pairs: Record<string, number[]> = {};
for (const g of groups.values()) {
  for (let i = 0; i < g.logs.length; i++) for (let j = i + 1; j < g.logs.length; j++) (pairs[g.workload] ??= []).push(Math.abs(g.logs[i] - g.logs[j]));
}
const perSample = (d: readonly number[]) => quantile(d, 0.5) / (0.6745 * Math.SQRT2);
console.log('repeats: |log D(0.25 s)| differences between runs of one configuration');
console.log('workload | pairs | sd of one sample | sd of sample vs later');
for (const [w, d] of [...Object.entries(pairs), ['all', Object.values(pairs).flat()] as const]) console.log(`${w} | ${d.length} | ${perSample(d).toFixed(3)} | ${(perSample(d) * Math.SQRT2).toFixed(3)}`);
console.log('\nrounds: per run, log of the median round dirt over the sampled curve at the round\'s length');
console.log('workload | runs | median | robust sd');
for (const [w, d] of [...Object.entries(rounds), ['all', Object.values(rounds).flat()] as const]) console.log(`${w} | ${d.length} | ${quantile(d, 0.5).toFixed(3)} | ${robustSd(d).toFixed(3)}`);
