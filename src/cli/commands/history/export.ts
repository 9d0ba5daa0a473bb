/** `migcost history export`: every recorded migration as CSV or JSON Lines. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { MIGRATION_COLUMNS, csvCell, migrationRow } from '../../../record/export.js';
import { loadRecords } from '../../../record/load.js';
import { defaultDbLocation } from '../../../store/location.js';
import { listArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';

export interface HistoryExportFlags {
  format: 'csv' | 'jsonl';
  db: string;
  results?: string[];
  full?: true;
  output?: string;
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

export function historyExportCommand(): Command {
  return new Command('export')
    .description('write every recorded migration (sample, prediction, measured outcome) as CSV or JSON Lines')
    .addOption(new Option('--format <f>', 'output format').choices(['csv', 'jsonl']).default('jsonl'))
    .option('--db <file|url>', 'history store to read', defaultDbLocation())
    .addOption(parsedOption('--results <file>', 'read a JSON Lines file of lab records instead of the store', listArg))
    .option('--full', 'jsonl: whole records, with per-round traces and every variant')
    .option('--output <file>', 'write here instead of stdout')
    .action(async (o: HistoryExportFlags) => {
      try {
        const records = await loadRecords({ files: o.results, db: o.db });
        const out: Writable = o.output ? createWriteStream(o.output) : process.stdout;
        if (o.format === 'csv') {
          await write(out, `${MIGRATION_COLUMNS.join(',')}\n`);
          for (const r of records) {
            const row = migrationRow(r);
            await write(out, `${MIGRATION_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`);
          }
        } else {
          for (const r of records) await write(out, `${JSON.stringify(o.full ? r : migrationRow(r))}\n`);
        }
        if (o.output) {
          out.end();
          await once(out, 'finish');
        }
      } catch (e) {
        exitWithError(e);
      }
    });
}
