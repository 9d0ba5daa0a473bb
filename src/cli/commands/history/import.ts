/** `migcost history import`: an operator's migration log (CSV or JSON Lines) into the store, as migrations without a sample. */
import { Command } from 'commander';
import { formatRowError } from '../../../record/logged.js';
import { readLoggedMigrations } from '../../../record/log-file.js';
import { defaultDbLocation } from '../../../store/location.js';
import { exitWithError } from '../../errors.js';

export interface HistoryImportFlags {
  input: string;
  db: string;
  skipBad?: true;
  json?: true;
}

export function historyImportCommand(): Command {
  return new Command('import')
    .description('store a log of past migrations (CSV with a header, or JSON Lines) as migrations without a sample; see docs/history.md')
    .requiredOption('--input <file>', 'the log: columns id, vmId?, workload?, technique?, memory, dirtyRate, bandwidth, downtimeLimit?, totalTime, downtime, transferred')
    .option('--db <file|url>', 'history store to write', defaultDbLocation())
    .option('--skip-bad', 'store the good rows and report the bad ones (default: store nothing when a row is bad)')
    .option('--json', 'print the outcome as JSON')
    .action(async (o: HistoryImportFlags) => {
      try {
        // The database drivers load only when a store is opened.
        const { openStore } = await import('../../../store/store.js');
        const { importLog } = await import('../../../store/import-log.js');
        const store = await openStore(o.db);
        try {
          const r = await importLog(store, () => readLoggedMigrations(o.input), { skipBad: o.skipBad, field: '--input' });
          if (o.json) process.stdout.write(`${JSON.stringify({ db: store.location, ...r })}\n`);
          else {
            process.stdout.write(`${o.input}: ${r.rows} rows, ${r.stored} stored in ${store.location}, ${r.alreadyStored} already stored (same id)${o.skipBad ? `, ${r.badRows} bad rows skipped` : ''}\n`);
            for (const e of r.errors) process.stdout.write(`  skipped ${formatRowError(e)}\n`);
            if (r.errors.length < r.badRows) process.stdout.write(`  ... and ${r.badRows - r.errors.length} more bad rows\n`);
          }
        } finally {
          await store.close();
        }
      } catch (e) {
        exitWithError(e);
      }
    });
}
