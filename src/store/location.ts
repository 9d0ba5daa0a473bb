import { join } from 'node:path';
import envPaths from 'env-paths';

/** The default database: migcost.sqlite in the user's data directory, or $MIGCOST_DB. */
export function defaultDbLocation(): string {
  return process.env.MIGCOST_DB ?? join(envPaths('migcost', { suffix: '' }).data, 'migcost.sqlite');
}
