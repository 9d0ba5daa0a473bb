import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { MIGRATION_COLUMNS, csvCell, migrationRow } from '../../record/export.js';
import { loadRecords } from './lab.js';
import { defaultDbLocation } from '../../store/location.js';
import { exitWithError } from '../errors.js';

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

export function historyCommand(): Command {
  const history = new Command('history').description('the recorded migrations');
  history
    .command('export')
    .description('write every recorded migration (sample, prediction, measured outcome) as CSV or JSON Lines')
    .addOption(new Option('--format <f>', 'output format').choices(['csv', 'jsonl']).default('jsonl'))
    .option('--db <file|url>', 'history store to read', defaultDbLocation())
    .option('--results <file>', 'read a JSON Lines file of lab records instead of the store')
    .option('--full', 'jsonl: whole records, with per-round traces and every variant')
    .option('--output <file>', 'write here instead of stdout')
    .action(async (o: Record<string, unknown>) => {
      try {
        const records = await loadRecords(o);
        const out: Writable = o.output ? createWriteStream(String(o.output)) : process.stdout;
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
  return history;
}
