import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parseCluster, withSamples } from '../../../plan/cluster.js';
import { liveSamples, storeSamples } from '../../../lab/cluster-samples.js';
import { defaultDbLocation } from '../../../store/location.js';
import { loadPlatform } from '../../../lab/platform-file.js';
import type { VmSample } from '../../../model/sample.js';
import { planMitigation, SELECTION_POLICIES, OBJECTIVES, type SelectionPolicy, type Objective, type Plan } from '../../../plan/planner.js';
import { consolidateAfterPlan } from '../../../plan/consolidate.js';
import { DETECTORS, type Detector } from '../../../plan/detectors.js';
import { InputError } from '../../../units.js';
import { hotRule } from '../../../plan/hot.js';
import { planPlotSpec } from '../../render/plan-plot.js';
import { renderPlan } from '../../render/plan.js';

import { durationArg, numberArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';
import { emitOption, emitOutputOption, emitPlan, type EmitFlags } from './emit.js';

/** The options of `migcost plan`. */
export interface PlanFlags extends EmitFlags {
  cluster: string;
  policy: SelectionPolicy;
  objective: Objective;
  detector: 'deng' | Detector;
  param?: number;
  cpuThreshold: number;
  memoryThreshold: number;
  downtimeLimit: number;
  seed: number;
  consolidate?: number;
  live?: true;
  zeroPages?: true;
  fromStore?: true;
  db: string;
  platform?: string;
  svg?: string;
  json?: true;
}

export function planCommand(): Command {
  return new Command('plan')
    .description('which VMs to move off hot hosts, where to, at what predicted cost (Deng 2013 + migcost models)')
    .requiredOption('--cluster <file>', 'cluster JSON: {"hosts":[...], "vms":[...]}; a VM may carry "sample": the JSON of `migcost sample --json`')
    .addOption(new Option('--policy <name>', 'VM selection').choices(SELECTION_POLICIES as unknown as string[]).default('moa'))
    .addOption(new Option('--objective <what>', 'what moa/optimal minimise').choices(OBJECTIVES as unknown as string[]).default('traffic'))
    .addOption(new Option('--detector <name>', "hot-node test: Deng's capacity rule, or a Beloglazov-Buyya detector over hosts' utilisationHistory").choices(['deng', ...DETECTORS]).default('deng'))
    .addOption(parsedOption('--param <x>', 'detector parameter (thr 0.8, mad 2.5, iqr 1.5, lr 1.2 by default)', numberArg('--param', { min: 0 })))
    .addOption(parsedOption('--cpu-threshold <x>', 'hot when CPU demand exceeds this share of capacity', numberArg('--cpu-threshold', { min: 0 }), '1'))
    .addOption(parsedOption('--memory-threshold <x>', 'hot when memory demand exceeds this share of capacity', numberArg('--memory-threshold', { min: 0 }), '1'))
    .addOption(parsedOption('--downtime-limit <time>', 'QEMU downtime limit the moves will use', durationArg('--downtime-limit'), '300ms'))
    .addOption(parsedOption('--seed <n>', 'seed of the random policy', numberArg('--seed', { integer: true }), '1'))
    .addOption(parsedOption('--consolidate <horizon>', "also consider emptying under-used hosts (Liu's break-even over this horizon, e.g. 1h)", durationArg('--consolidate')))
    .option('--live', 'sample every VM that has a "qmp" socket path in the cluster file now, over QMP, and price it from that sample as `predict --vm` would')
    .option('--zero-pages', 'with --live: also count zero pages (dumps each VM\'s memory to a temporary file)')
    .option('--from-store', "price each VM from its latest sample in the store (posted by the agent, taken by `sample`, lab or execute), as `predict --vm` would")
    .option('--db <file|url>', 'history store for --from-store', defaultDbLocation())
    .option('--platform <file>', 'platform constants (from `migcost lab calibrate`) for every prediction')
    .option('--svg <file>', 'write a picture of the plan')
    .option('--json', 'print JSON')
    .addOption(emitOption())
    .addOption(emitOutputOption())
    .action(async (o: PlanFlags) => {
      try {
        let doc: unknown;
        try {
          doc = JSON.parse(readFileSync(o.cluster, 'utf8'));
        } catch (e) {
          throw new InputError('--cluster', o.cluster, `must be a readable JSON file (${(e as Error).message})`);
        }
        let cluster = parseCluster(doc); // bad input fails before any VM is touched
        // Measured samples fill the parsed VMs' `sample` (the live one over the stored one); each is then
        // priced exactly as `predict --vm` prices it.
        const samples = new Map<string, VmSample>();
        if (o.fromStore) for (const [k, v] of await storeSamples(o.db, cluster.vms.map((v) => v.id))) samples.set(k, v);
        if (o.live) for (const [k, v] of await liveSamples(doc, o.zeroPages === true, (vm, qmp) => process.stderr.write(`plan: sampling ${vm} over ${qmp}\n`))) samples.set(k, v);
        cluster = withSamples(cluster, samples);
        const platform = o.platform !== undefined ? loadPlatform(o.platform, '.') : undefined;
        const planOpts = {
          policy: o.policy,
          objective: o.objective,
          cpuThreshold: o.cpuThreshold,
          memoryThreshold: o.memoryThreshold,
          downtimeLimitSec: o.downtimeLimit,
          seed: o.seed,
          detector: o.detector,
          detectorParam: o.param,
          detectorFlag: '--detector',
          platform,
        };
        const plan = planMitigation(cluster, planOpts);
        const consolidation = o.consolidate !== undefined ? consolidateAfterPlan(cluster, plan, planOpts, { horizonSec: o.consolidate }) : undefined;
        if (o.svg) writeFileSync(o.svg, await (await import('../../../plot/svg.js')).renderSvg(planPlotSpec(cluster, plan, consolidation, hotRule(planOpts))));
        if (emitPlan(o, doc, cluster, plan, consolidation)) return;
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...plan, moves: plan.moves.map((m) => ({ vm: m.vm, from: m.from, to: m.to, bandwidthBytesPerSec: m.bandwidthBytesPerSec, predicted: m.predicted })), consolidation })}\n`);
          return;
        }
        process.stdout.write(renderPlan(plan, consolidation, o.consolidate));
      } catch (e) {
        exitWithError(e);
      }
    });
}
