/**
 * Every selection policy (mmt, mc, rs, mu, and moa / optimal under each cost objective) on several PlanetLab
 * days of the cloudsim-planetlab preset, with ESV, migration traffic and downtime against MMT's.
 * Usage: node --import tsx bench/simulate-policies.bench.ts [--days 20110303,20110306] [--detector lr]
 *        [--model migcost|cloudsim] [--policies mmt,moa:sla,optimal:sla-per-mips+co] [--memory-source bitbrains [--seed 1]] [--json]
 */
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE } from '../src/sim/planetlab-loader.js';
import { cloudsimPlanetLabPreset, comparePolicies, SIM_DETECTOR_DEFAULTS, type CompareRow, type MigrationModel, type SimDetector } from '../src/sim/index.js';
import { renderCompareTable } from '../src/cli/render/simulation.js';
import { withBitbrainsMemory } from '../src/sim/presets.js';
import { loadBitbrainsMemoryMb, DEFAULT_BITBRAINS_DIR } from '../src/sim/bitbrains-loader.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const days = opt('days', '20110303,20110306,20110309,20110322').split(',');
const detector = opt('detector', 'lr') as SimDetector;
const model = opt('model', 'migcost') as MigrationModel;
const policiesArg = opt('policies', '');
const memorySource = opt('memory-source', 'vm-type');
const seed = Number(opt('seed', '1'));
const bitbrains = memorySource === 'bitbrains' ? loadBitbrainsMemoryMb(DEFAULT_BITBRAINS_DIR) : null;
const rows: CompareRow[] = [];
for (const day of days) {
  const traces = loadPlanetLabDay(DEFAULT_PLANETLAB_ARCHIVE, day, 'tar');
  const cluster = cloudsimPlanetLabPreset(traces);
  if (bitbrains) cluster.vms = withBitbrainsMemory(cluster.vms, bitbrains, seed);
  rows.push(
    ...comparePolicies({
      day,
      cluster,
      seed,
      detector,
      detectorParam: SIM_DETECTOR_DEFAULTS[detector],
      migrationModel: model,
      ...(policiesArg ? { policies: policiesArg.split(',') } : {}),
      onRun: (p, r) => process.stderr.write(`${day} ${p}: ESV ${r.esv.toExponential(3)}\n`),
    }),
  );
}
if (args.includes('--json')) console.log(JSON.stringify(rows));
else console.log(renderCompareTable(rows, `${detector} ${SIM_DETECTOR_DEFAULTS[detector]}, migration model ${model}${bitbrains ? `, Bitbrains memory (seed ${seed})` : ''}`));
