/** `calibrate --learn`: the learned correction of the scalar analytic model, fitted on the store's migrations. */
import { fitScalarLearned } from '../../../calibrate/learned-scalar.js';
import { LEARNED_KIND, MIN_LEARN_ROWS, type LearnedModel } from '../../../calibrate/learned.js';
import type { LoggedMigration } from '../../../record/logged.js';
import type { Store } from '../../../store/store.js';
import { InputError } from '../../../units.js';

/** Every completed stored migration (lab, execute, imported) as a log row, read in pages. */
async function allLogged(store: Store): Promise<LoggedMigration[]> {
  const out: LoggedMigration[] = [];
  for (let after: string | undefined; ; ) {
    const page = await store.listLogged({ limit: 5000, ...(after !== undefined ? { after } : {}) });
    out.push(...page);
    if (page.length < 5000) return out;
    after = page[page.length - 1].id;
  }
}

export interface LearnSummary {
  version: number;
  rows: number;
  bySource: Record<string, number>;
  base: string;
  ranges: LearnedModel['ranges'];
  workloads: string[];
}

/** Fits the correction on the store's migrations and saves it as the next `learned-correction` version. */
export async function learnFromStore(store: Store): Promise<LearnSummary> {
  const rows = (await allLogged(store)).filter((m) => m.dirtyRateBytesPerSec >= 0 && m.totalTimeSec > 0);
  if (rows.length < MIN_LEARN_ROWS) throw new InputError('--learn', rows.length, `needs at least ${MIN_LEARN_ROWS} completed migrations in ${store.location} (lab, execute or \`history import\`); it has ${rows.length}`);
  const model = fitScalarLearned(rows);
  const saved = await store.saveModel(LEARNED_KIND, model, null);
  const bySource: Record<string, number> = {};
  for (const r of rows) bySource[r.source] = (bySource[r.source] ?? 0) + 1;
  return { version: saved.version, rows: model.n, bySource, base: model.base, ranges: model.ranges, workloads: model.names };
}

export function learnSummaryText(s: LearnSummary): string {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  const r = s.ranges;
  return [
    `learned correction of the ${s.base}: fitted on ${s.rows} migrations (${Object.entries(s.bySource).map(([k, v]) => `${v} ${k}`).join(', ')})`,
    `applies where dirtyRate/bandwidth is ${r.rateOverBandwidth[0].toPrecision(3)}-${r.rateOverBandwidth[1].toPrecision(3)}, memory ${gib(r.memoryBytes[0])}-${gib(r.memoryBytes[1])}, downtime limit ${r.downtimeLimitSec[0]}-${r.downtimeLimitSec[1]} s; elsewhere the analytic figure stands`,
    `workloads it tells apart: ${s.workloads.length ? s.workloads.join(', ') : '(none)'}`,
    `stored as ${'learned-correction'} v${s.version} (predict --db, batch and the API apply it)`,
  ].join('\n');
}
