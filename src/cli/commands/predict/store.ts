/**
 * What `migcost predict` reads from the store (imported lazily: plain predictions need no database): a VM's
 * migration history (--vm-id), the model's past errors (--interval) and the latest fitted models (--db).
 */
import type { PredictInput } from '../../../model/index.js';
import type { RawPredictFields } from '../../../input.js';
import { applyHistory, pastErrors, type HistoryMode, type HistoryReplay } from '../../../calibrate/history.js';
import { InputError } from '../../../units.js';

/**
 * Liu's refined model for one VM: replay its recorded migrations (eq. 11 realised rates, eq. 12 EWMA and the
 * self-tuning phi), then blend the fresh rate with that history (eq. 13). A curve is scaled alike.
 */
export async function storedHistory(input: PredictInput, vmId: string, db: string | undefined, how: HistoryMode): Promise<HistoryReplay> {
  const { openStore, defaultDbLocation } = await import('../../../store/store.js');
  const store = await openStore(db ?? defaultDbLocation());
  try {
    const records = await store.listMigrations({ vmId });
    if (records.length === 0) {
      const known = (await store.listVms()).map((v) => v.id);
      throw new InputError('--vm-id', vmId, `has no recorded migrations in ${store.location}${known.length ? ` (known: ${known.slice(0, 10).join(', ')})` : ''}`);
    }
    return applyHistory(input, records, how);
  } finally {
    await store.close();
  }
}

/** The model's past relative errors over the store's completed migrations. */
export async function storedPastErrors(db: string | undefined): Promise<ReturnType<typeof pastErrors>> {
  const { openStore, defaultDbLocation } = await import('../../../store/store.js');
  const store = await openStore(db ?? defaultDbLocation());
  try {
    return pastErrors(await store.listMigrations());
  } finally {
    await store.close();
  }
}

/** Prediction fields from the store's latest fitted models. */
export async function fittedFields(db: string): Promise<RawPredictFields> {
  const { openStore } = await import('../../../store/store.js');
  const store = await openStore(db);
  try {
    const out: RawPredictFields = {};
    const energy = (await store.latestModel('wired-energy'))?.params as { alphaJoulesPerMiB?: number; betaJoules?: number } | undefined;
    if (energy?.alphaJoulesPerMiB !== undefined) Object.assign(out, { energy: 'wired', alpha: energy.alphaJoulesPerMiB, beta: energy.betaJoules });
    // the whole fitted platform (first-touch rate included), read as `--platform FILE` is; --platform and the flags win
    const platform = (await store.latestModel('qemu-platform'))?.params;
    if (platform) out.platform = platform;
    return out;
  } finally {
    await store.close();
  }
}

/** The store's latest learned correction, restored, or undefined when it holds none. */
export async function storedLearned(db: string): Promise<{ version: number; predictor: import('../../../calibrate/learned.js').LearnedPredictor } | undefined> {
  const { openStore } = await import('../../../store/store.js');
  const { LEARNED_KIND, isLearnedModel, learnedPredictor } = await import('../../../calibrate/learned.js');
  const store = await openStore(db);
  try {
    const m = await store.latestModel(LEARNED_KIND);
    if (!m || !isLearnedModel(m.params)) return undefined;
    return { version: m.version, predictor: learnedPredictor(m.params) };
  } finally {
    await store.close();
  }
}

/** The store's latest scalar fit (non-zero memory per VM and workload, k), or undefined when it holds none. */
export async function storedScalarFit(db: string): Promise<import('../../../calibrate/scalar-fit.js').ScalarFit | undefined> {
  const { openStore } = await import('../../../store/store.js');
  const { SCALAR_FIT_KIND, isScalarFit } = await import('../../../calibrate/scalar-fit.js');
  const store = await openStore(db);
  try {
    const m = await store.latestModel(SCALAR_FIT_KIND);
    return m && isScalarFit(m.params) ? m.params : undefined;
  } finally {
    await store.close();
  }
}
