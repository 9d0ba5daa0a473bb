/**
 * In-process prediction speed, single core: 1M generated VMs per policy (sizes 256 MiB-16 GiB, dirty rates
 * 0-300 MiB/s, links 100 Mbit/s-10 Gbit/s, zero pages 0-45 %), timed over the whole loop.
 * Then each QEMU technique (qemu policy, the same VMs, a quarter as many) at its default settings.
 * Run: npm run bench:predict   (or: node --import tsx bench/predict.bench.ts [count])
 */
import os from 'node:os';
import { predict, TECHNIQUES, type PolicyName, type PredictInput, type TechniqueName } from '../src/index.js';

const N = Number(process.argv[2] ?? 1_000_000);
const MiB = 1024 ** 2;

function generate(policy: PolicyName): PredictInput[] {
  let seed = 12345;
  const r = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const out: PredictInput[] = new Array(N);
  for (let i = 0; i < N; i++) {
    out[i] = {
      vm: { memoryBytes: (256 + Math.floor(r() * 64) * 256) * MiB, dirtyRateBytesPerSec: r() * 300 * MiB, zeroPageFraction: r() * 0.45 },
      bandwidthBytesPerSec: [100e6, 1e9, 10e9][i % 3] / 8,
      policy: { name: policy, downtimeLimitSec: 0.3, autoConverge: policy === 'qemu' && i % 2 === 0 },
    };
  }
  return out;
}

console.log(`# predict, in process, one core: ${N.toLocaleString()} VMs per policy (${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version})`);
console.log('policy\tpredictions/s\tconverged\tmean rounds');
for (const policy of ['xen', 'liu', 'qemu'] as PolicyName[]) {
  const inputs = generate(policy);
  for (let i = 0; i < Math.min(N, 50_000); i++) predict(inputs[i]); // warm-up
  let converged = 0;
  let rounds = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const p = predict(inputs[i]);
    if (p.converged) converged++;
    rounds += p.rounds;
  }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${policy}\t${Math.round(N / sec).toLocaleString()}\t${((100 * converged) / N).toFixed(1)} %\t${(rounds / N).toFixed(1)}`);
}

const NT = Math.max(1, Math.floor(N / 4));
console.log(`# techniques: ${NT.toLocaleString()} VMs each (qemu policy, default settings)`);
console.log('technique\tpredictions/s\tconverged\tmean rounds');
for (const name of TECHNIQUES as readonly TechniqueName[]) {
  const inputs = generate('qemu')
    .slice(0, NT)
    .map((x) => ({ ...x, policy: { ...x.policy, autoConverge: false }, technique: { name } }));
  for (let i = 0; i < Math.min(NT, 20_000); i++) predict(inputs[i]); // warm-up
  let converged = 0;
  let rounds = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < NT; i++) {
    const p = predict(inputs[i]);
    if (p.converged) converged++;
    rounds += p.rounds;
  }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name}\t${Math.round(NT / sec).toLocaleString()}\t${((100 * converged) / NT).toFixed(1)} %\t${(rounds / NT).toFixed(1)}`);
}
