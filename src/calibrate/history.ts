/**
 * A VM's recorded migrations applied to a fresh prediction: Liu's refined model (eq. 11 realised rates, eq. 12
 * EWMA and the self-tuning phi, eq. 13 the blend with the fresh rate) and the model's past relative errors.
 * Pure: the records come from the caller (`migcost predict --vm-id` reads them from the store).
 */
import type { PredictInput } from '../model/index.js';
import type { MigrationRecord } from '../record/record.js';
import { realisedRate } from '../evaluate/refined-eval.js';
import { initialRefinedState, refinedRate, updateRefined } from './refined.js';
import { initialResidualState, updateResidual, type ResidualState } from './residual.js';

export const HISTORY_MODES = ['error', 'rate', 'both'] as const;
export type HistoryMode = (typeof HISTORY_MODES)[number];

/** What a VM's history did to its prediction. */
export interface HistoryReplay {
  migrations: number;
  mode: HistoryMode;
  phi: number;
  sampleRate: number;
  refinedRate: number;
  /** The past errors' correction (modes error and both). */
  residual?: ResidualState;
  /** The sampled and realised rates seen, and the fresh sample's last. */
  observedRates: number[];
}

/**
 * Replays `records` (one VM's migrations, oldest first) and, in modes rate and both, sets `input`'s dirty rate
 * to the refined rate (a curve is scaled alike). Modes error and both also return the residual state.
 */
export function applyHistory(input: PredictInput, records: MigrationRecord[], how: HistoryMode): HistoryReplay {
  let state = initialRefinedState();
  let residual = initialResidualState();
  const rates: number[] = [];
  for (const r of records) {
    const past = r.predicted['deng-bitmap'] ?? r.predicted['deng-curve'] ?? r.predicted.plan ?? r.predicted.qemu;
    if (past) residual = updateResidual(residual, past, { totalTimeSec: r.measured.totalTimeSec, transferredBytes: r.measured.transferredBytes, downtimeSec: r.measured.downtimeSec, completed: r.measured.status === 'completed' });
    const real = r.measured.status === 'completed' ? realisedRate(r) : undefined;
    if (real !== undefined) state = updateRefined(state, r.sample.dirtyRateBytesPerSec, real);
    rates.push(r.sample.dirtyRateBytesPerSec);
    if (real !== undefined) rates.push(real);
  }
  const sampleRate = input.vm.dirtyRateBytesPerSec;
  const rate = how === 'error' ? sampleRate : refinedRate(state, sampleRate);
  const k = sampleRate > 0 ? rate / sampleRate : 1;
  input.vm.dirtyRateBytesPerSec = rate;
  if (input.vm.dirtyModel?.kind === 'curve') input.vm.dirtyModel = { kind: 'curve', points: input.vm.dirtyModel.points.map((q) => ({ windowSec: q.windowSec, dirtiedBytes: q.dirtiedBytes * k })) };
  return { migrations: records.length, mode: how, phi: state.phi, sampleRate, refinedRate: rate, residual: how === 'rate' ? undefined : residual, observedRates: [...rates, sampleRate] };
}

/**
 * The model's past relative errors (measured / predicted - 1) over completed migrations, for the prediction
 * each was recorded with (the QEMU curve model when present).
 */
export function pastErrors(records: MigrationRecord[]): { totalTimeSec: number[]; transferredBytes: number[]; downtimeSec: number[] } {
  const out = { totalTimeSec: [] as number[], transferredBytes: [] as number[], downtimeSec: [] as number[] };
  for (const r of records) {
    const p = r.predicted['deng-bitmap'] ?? r.predicted['deng-curve'] ?? r.predicted.qemu;
    if (r.measured.status !== 'completed' || !p?.converged) continue;
    for (const m of ['totalTimeSec', 'transferredBytes', 'downtimeSec'] as const) if (p[m] > 0) out[m].push(r.measured[m] / p[m] - 1);
  }
  return out;
}
