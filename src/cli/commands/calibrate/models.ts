/** `migcost models`: the fitted models kept in the store. */
import { Command } from 'commander';
import Table from 'cli-table3';
import { defaultDbLocation } from '../../../store/location.js';
import { exitWithError } from '../../errors.js';
import { LEARNED_KIND, isLearnedModel } from '../../../calibrate/learned.js';

export interface ModelsFlags {
  db: string;
  json?: true;
}

export function modelsCommand(): Command {
  return new Command('models')
    .description('list the fitted models in the store')
    .option('--db <file|url>', 'history store', defaultDbLocation())
    .option('--json', 'print JSON')
    .action(async (o: ModelsFlags) => {
      try {
        const store = await (await import('../../../store/store.js')).openStore(o.db);
        // A learned correction's forests are kept whole in the store but listed by what they are fitted on.
        const models = (await store.listModels()).map((m) => (m.kind === LEARNED_KIND && isLearnedModel(m.params) ? { ...m, params: { ...m.params, forests: `${JSON.stringify(m.params.forests).length} characters (3 random forests)` } } : m));
        await store.close();
        if (o.json) process.stdout.write(`${JSON.stringify(models)}\n`);
        else {
          const t = new Table({ head: ['kind', 'version', 'R^2', 'created', 'parameters'], style: { head: [], border: [] } });
          for (const m of models) t.push([m.kind, String(m.version), m.r2 === null ? '' : m.r2.toFixed(4), m.createdAt, JSON.stringify(m.params).slice(0, 80)]);
          process.stdout.write(`${t.toString()}\n`);
        }
      } catch (e) {
        exitWithError(e);
      }
    });
}
