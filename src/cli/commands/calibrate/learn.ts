/** `calibrate --learn`: the learned correction of the scalar analytic model, fitted on the store's migrations. */
import { fitScalarLearned } from '../../../calibrate/learned-scalar.js';
import { LEARNED_KIND, MIN_LEARN_ROWS, type LearnedModel } from '../../../calibrate/learned.js';
import type { LoggedMigration } from '../../../record/logged.js';
import { SCALAR_FIT_KIND } from '../../../calibrate/scalar-fit.js';
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
  /** The scalar fit saved beside it (kind `scalar-fit`). */
  scalarFit?: { version: number; workingSetFactor: number; vms: number; workloads: number; nonZeroShare: number | null };
}

/** Fits the correction on the store's migrations and saves it as the next `learned-correction` version. */
export async function learnFromStore(store: Store): Promise<LearnSummary> {
  const rows = (await allLogged(store)).filter((m) => m.dirtyRateBytesPerSec >= 0 && m.totalTimeSec > 0);
  if (rows.length < MIN_LEARN_ROWS) throw new InputError('--learn', rows.length, `needs at least ${MIN_LEARN_ROWS} completed migrations in ${store.location} (lab, execute or \`history import\`); it has ${rows.length}`);
  const model = fitScalarLearned(rows);
  const saved = await store.saveModel(LEARNED_KIND, model, null);
  // The scalar fit on its own (non-zero memory per VM and workload, k): what predict --db, batch and the API read
  // a scalar by, with or without the correction.
  const fit = model.scalarFit ? await store.saveModel(SCALAR_FIT_KIND, model.scalarFit, null) : undefined;
  const bySource: Record<string, number> = {};
  for (const r of rows) bySource[r.source] = (bySource[r.source] ?? 0) + 1;
  return {
    version: saved.version,
    rows: model.n,
    bySource,
    base: model.base,
    ranges: model.ranges,
    workloads: model.names,
    ...(fit && model.scalarFit ? { scalarFit: { version: fit.version, workingSetFactor: model.scalarFit.workingSetFactor, vms: Object.keys(model.scalarFit.byVm).length, workloads: Object.keys(model.scalarFit.byWorkload).length, nonZeroShare: model.scalarFit.all?.nonZeroShare ?? null } } : {}),
  };
}

export function learnSummaryText(s: LearnSummary): string {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  const r = s.ranges;
  return [
    `learned correction of the ${s.base}: fitted on ${s.rows} migrations (${Object.entries(s.bySource).map(([k, v]) => `${v} ${k}`).join(', ')})`,
    `applies where dirtyRate/bandwidth is ${r.rateOverBandwidth[0].toPrecision(3)}-${r.rateOverBandwidth[1].toPrecision(3)}, memory ${gib(r.memoryBytes[0])}-${gib(r.memoryBytes[1])}, downtime limit ${r.downtimeLimitSec[0]}-${r.downtimeLimitSec[1]} s; elsewhere the analytic figure stands`,
    `workloads it tells apart: ${s.workloads.length ? s.workloads.join(', ') : '(none)'}`,
    `stored as ${'learned-correction'} v${s.version} (predict --db, batch and the API apply it)`,
    ...(s.scalarFit ? [`scalar fit v${s.scalarFit.version}: working set ${s.scalarFit.workingSetFactor}x the one-window dirt; non-zero memory of ${s.scalarFit.vms} VMs and ${s.scalarFit.workloads} workloads${s.scalarFit.nonZeroShare !== null ? `, ${(s.scalarFit.nonZeroShare * 100).toFixed(0)} % over the whole log` : ''} (predict --db, batch and the API read scalar inputs by it)`] : []),
  ].join('\n');
}
