/** `migcost lab calibrate`: the platform constants fitted on recorded migrations, stored and written to a file. */
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { fitPlatformFromRecords, recordsForHost } from '../../../evaluate/cross-validate.js';
import { labHost } from '../../../lab/host.js';
import { labDir } from '../../../lab/lab-dir.js';
import { platformFileName, savePlatformFile } from '../../../lab/platform-file.js';
import { loadRecords } from '../../../record/load.js';
import { hostKey } from '../../../record/record.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError } from '../../../units.js';
import { listArg, parsedOption } from '../../options.js';
import { platformTable } from '../../render/lab-run.js';
import { exitWithError } from '../../errors.js';

export interface LabCalibrateFlags {
  db: string;
  results?: string[];
  out?: string;
  host: string;
  driver: 'qmp' | 'libvirt';
  json?: true;
}

export function labCalibrateCommand(): Command {
  return new Command('calibrate')
    .description("fit the platform constants (setup, resume, stop-and-copy rate, line rate) on recorded migrations")
    .option('--db <file|url>', 'history store to read, and to keep the fitted model in', defaultDbLocation())
    .addOption(parsedOption('--results <files>', 'read JSON Lines files of records (comma-separated) instead of the store', listArg))
    .option('--out <file>', `where to write them (default ${join(labDir(), 'platform.json')}, or platform-libvirt.json with --driver libvirt)`)
    .option('--host <name>', "whose records: 'this' machine's (when it has >= 20 completed, else every machine's), 'all', or a host as records name it (e.g. \"AMD EPYC x2\")", 'this')
    .addOption(new Option('--driver <name>', "with --host this: the records of migrations migcost's QMP driver ran, or libvirt ran (a platform of their own: libvirt's job time starts before the destination QEMU)").choices(['qmp', 'libvirt']).default('qmp'))
    .option('--json', 'print them as JSON')
    .action(async (o: LabCalibrateFlags) => {
      try {
        const all = await loadRecords({ files: o.results, db: o.db });
        const wanted = o.host === 'this' ? hostKey({ host: labHost(), driver: o.driver === 'libvirt' ? 'libvirt' : undefined }) : o.host;
        const out = o.out ?? join(labDir(), platformFileName(o.driver));
        const { records, scope } = wanted === 'all' ? { records: all, scope: 'all' as const } : recordsForHost(all, wanted);
        if (o.host !== 'this' && o.host !== 'all' && scope === 'all') throw new InputError('--host', o.host, `must name a host with >= 20 completed records (hosts: ${[...new Set(all.map(hostKey))].join(', ')})`);
        process.stderr.write(`fitting on ${records.length} records (${scope === 'host' ? `host ${wanted}` : scope === 'driver' ? `every host, ${o.driver === 'libvirt' || wanted.endsWith(' via libvirt') ? 'libvirt' : 'QMP'}-driven` : 'every host'})\n`);
        const platform = fitPlatformFromRecords(records);
        const store = await (await import('../../../store/store.js')).openStore(o.db);
        // libvirt's constants are kept apart: `predict --db` reads the QMP driver's 'qemu-platform'.
        const kind = o.driver === 'libvirt' ? 'qemu-platform-libvirt' : 'qemu-platform';
        const saved = await store.saveModel(kind, platform, null);
        await store.close();
        process.stderr.write(`stored as model ${kind} v${saved.version}\n`);
        savePlatformFile(out, { migrations: records.length, host: scope === 'host' ? wanted : scope, platform });
        if (o.json) process.stdout.write(`${JSON.stringify(platform)}\n`);
        else process.stdout.write(`${platformTable(platform)}\nwritten to ${out}\n`);
      } catch (e) {
        exitWithError(e);
      }
    });
}
