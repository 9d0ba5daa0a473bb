/** `migcost lab decide`: the papers' decision experiments on real migrations (run now, or recorded). */
import { join } from 'node:path';
import { Command } from 'commander';
import { decisionReport, decisionSet, DECISION_WORKLOADS, type TaggedRecord } from '../../../evaluate/decide.js';
import { fitPlatformFromRecords, repredict } from '../../../evaluate/cross-validate.js';
import { loadPlatform } from '../../../lab/platform-file.js';
import { labDir } from '../../../lab/lab-dir.js';
import { runAndRecord } from '../../../lab/run-many.js';
import { loadRecords, readRecordsFile } from '../../../record/load.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError } from '../../../units.js';
import { formatBytes, formatSeconds } from '../../render/format.js';
import { checkedNumberArg, durationArg, listArg, parsedOption } from '../../options.js';
import { renderDecision } from '../../render/decision.js';
import { exitWithError } from '../../errors.js';
import { progressReporter } from '../../progress.js';

export interface LabDecideFlags {
  repeats: number;
  from?: string[];
  results: string;
  timeout: number;
  capacityShare: number;
  platform?: string;
  platformFrom?: string[];
  db: string;
  save: boolean;
  json?: true;
}

/** Runs `repeats` decision groups for real, appending each tagged record to `results`; what was recorded there. */
async function runGroups(o: LabDecideFlags, platform: ReturnType<typeof loadPlatform>): Promise<TaggedRecord[]> {
  const set = decisionSet({ timeoutSec: o.timeout });
  const names = DECISION_WORKLOADS.flatMap((w) => [`${w.name}-256M`, `${w.name}-512M`]);
  const configs = Array.from({ length: o.repeats }, () => set).flat();
  const store = o.save ? await (await import('../../../store/store.js')).openStore(o.db) : undefined;
  const progress = progressReporter('migrations');
  const where = (i: number) => ({ g: Math.floor(i / set.length), vm: names[i % set.length] });
  let group = '';
  try {
    const { recorded } = await runAndRecord<TaggedRecord>(configs, {
      run: { platform },
      store,
      results: o.results,
      onStart: (i, total) => {
        if (i % set.length === 0) group = `${new Date().toISOString()}#${where(i).g + 1}`;
        progress.update(i, total);
      },
      tag: (i, r) => ({ ...r, experiment: { name: 'decide', group, vm: where(i).vm } }),
      onRecord: (i, r) => {
        if (!process.stderr.isTTY) process.stderr.write(`decide: group ${where(i).g + 1}/${o.repeats} ${where(i).vm} -> ${r.measured.status} in ${formatSeconds(r.measured.totalTimeSec)}, ${formatBytes(r.measured.transferredBytes)}\n`);
      },
      onFailure: (i, e) => process.stderr.write(`decide: group ${where(i).g + 1} ${where(i).vm}: ${e.message}\n`),
    });
    progress.done(`${recorded} migrations recorded in ${o.results}`);
  } finally {
    await store?.close();
  }
  return readRecordsFile(o.results) as TaggedRecord[];
}

export function labDecideCommand(): Command {
  return new Command('decide')
    .description("the papers' decision experiments on real migrations: Liu's model-guided against random choice, Deng's MOA against RA and MIA, with the regret against the best choice in hindsight")
    .addOption(parsedOption('--repeats <n>', 'groups to run (each: 8 VMs, two each of 4 workloads, every one migrated for real)', checkedNumberArg('--repeats', (n) => Number.isInteger(n) && n >= 1, 'must be an integer >= 1'), '3'))
    .addOption(parsedOption('--from <files>', 'evaluate recorded groups from these JSON Lines files (comma-separated) instead of running new ones', listArg))
    .option('--results <file>', 'JSON Lines file the records are appended to (and read from)', join(labDir(), 'decide.jsonl'))
    .addOption(parsedOption('--timeout <time>', 'cancel each migration after', durationArg('--timeout'), '60s'))
    .addOption(parsedOption('--capacity-share <x>', "Deng: the hot host's CPU capacity as a share of its VMs' demand", checkedNumberArg('--capacity-share', (x) => x > 0 && x < 1, 'must be a number in (0, 1)'), '0.7'))
    .option('--platform <file>', 'platform constants file (default: the lab dir\'s platform.json if present)')
    .addOption(parsedOption('--platform-from <files>', "re-predict every VM from its own pre-migration sample with the current model and platform constants fitted on these records (comma-separated JSON Lines, e.g. the standard matrix); default: the predictions recorded before each migration", listArg))
    .option('--db <file|url>', 'history store the migrations are also recorded in', defaultDbLocation())
    .option('--no-save', 'record nothing in the store')
    .option('--json', 'print the report as JSON')
    .action(async (o: LabDecideFlags) => {
      try {
        let platform = loadPlatform(o.platform, labDir());
        let refit: ((rs: TaggedRecord[]) => TaggedRecord[]) | undefined;
        if (o.platformFrom !== undefined) {
          const basis = await loadRecords({ files: o.platformFrom, field: '--platform-from' });
          if (basis.length === 0) throw new InputError('--platform-from', o.platformFrom.join(','), 'holds no records');
          const fitted = fitPlatformFromRecords(basis);
          platform = { ...platform, ...fitted };
          refit = (rs) => repredict(rs, fitted);
        }
        let records = o.from !== undefined ? ((await loadRecords({ files: o.from, field: '--from' })) as TaggedRecord[]) : await runGroups(o, platform);
        if (refit) records = refit(records);
        const rep = decisionReport(records, { platform, capacityShare: o.capacityShare });
        if (rep.groups === 0) throw new InputError('--from', o.from?.join(',') ?? o.results, 'holds no complete decision group (8 tagged records)');
        if (o.json) process.stdout.write(`${JSON.stringify(rep)}\n`);
        else process.stdout.write(renderDecision(rep));
      } catch (e) {
        exitWithError(e);
      }
    });
}
