/**
 * `migcost history export`: every stored migration (lab, execute, imported) as a log row, the columns `history
 * import` reads, in CSV or JSON Lines, streamed page by page; `--wide` the lab's wide rows (sample and prediction
 * too), `--full` whole records.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { MIGRATION_COLUMNS, csvCell, migrationRow } from '../../../record/export.js';
import { LOG_COLUMNS, logRow, loggedFromRecord, type LoggedMigration } from '../../../record/logged.js';
import { loadRecords } from '../../../record/load.js';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError } from '../../../units.js';
import { listArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';

export interface HistoryExportFlags {
  format: 'csv' | 'jsonl';
  db: string;
  results?: string[];
  wide?: true;
  full?: true;
  output?: string;
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

/** Every stored migration as a log row, a page at a time. */
async function* storedLogRows(db: string): AsyncGenerator<LoggedMigration> {
  const { openStore } = await import('../../../store/store.js');
  const store = await openStore(db);
  try {
    let after: string | undefined;
    for (;;) {
      const page = await store.listLogged({ limit: 5000, after });
      for (const m of page) yield m;
      if (page.length < 5000) return;
      after = page[page.length - 1].id;
    }
  } finally {
    await store.close();
  }
}

export function historyExportCommand(): Command {
  return new Command('export')
    .description('write every stored migration (lab, execute, imported) as a log row (the columns `history import` reads), CSV or JSON Lines')
    .addOption(new Option('--format <f>', 'output format').choices(['csv', 'jsonl']).default('jsonl'))
    .option('--db <file|url>', 'history store to read', defaultDbLocation())
    .addOption(parsedOption('--results <file>', 'read a JSON Lines file of lab records instead of the store', listArg))
    .option('--wide', "the lab's wide rows instead (sample, prediction and measured outcome; migrations with a sample only)")
    .option('--full', 'jsonl: whole records, with per-round traces and every variant (migrations with a sample only)')
    .option('--output <file>', 'write here instead of stdout')
    .action(async (o: HistoryExportFlags) => {
      try {
        if (o.full && o.format === 'csv') throw new InputError('--full', true, 'needs --format jsonl');
        const out: Writable = o.output ? createWriteStream(o.output) : process.stdout;
        if (o.wide || o.full) {
          const records = await loadRecords({ files: o.results, db: o.db });
          if (o.format === 'csv') {
            await write(out, `${MIGRATION_COLUMNS.join(',')}\n`);
            for (const r of records) {
              const row = migrationRow(r);
              await write(out, `${MIGRATION_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`);
            }
          } else {
            for (const r of records) await write(out, `${JSON.stringify(o.full ? r : migrationRow(r))}\n`);
          }
        } else {
          const rows: AsyncIterable<LoggedMigration> | Iterable<LoggedMigration> = o.results ? (await loadRecords({ files: o.results })).filter((r) => r.measured.status === 'completed').map((r) => loggedFromRecord(r)) : storedLogRows(o.db);
          if (o.format === 'csv') await write(out, `${LOG_COLUMNS.join(',')}\n`);
          for await (const m of rows) {
            const row = logRow(m);
            if (o.format === 'csv') await write(out, `${LOG_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`);
            else await write(out, `${JSON.stringify(Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)))}\n`);
          }
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
