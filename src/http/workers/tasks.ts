/**
 * The CPU-heavy work of the API, run in the worker threads of heavy-pool.ts (never on the event loop): plans,
 * batch predictions and simulations. Each task answers a plain value: `{ ok: true, value }`, or `{ ok: false,
 * status, error }` for an expected failure (bad input names its field); anything else thrown is a bug (500).
 */
import { parseCluster } from '../../plan/cluster.js';
import { planMitigation, type Plan, type PlanOptions, type SelectionPolicy, type Objective } from '../../plan/planner.js';
import { consolidateAfterPlan } from '../../plan/consolidate.js';
import type { Detector } from '../../plan/detectors.js';
import { STATUS_CODES } from 'node:http';
import { InputError } from '../../units.js';
import type { RawPredictFields } from '../../input.js';
import type { Platform } from '../../model/types.js';
import { HttpError, type ErrorBody } from '../errors.js';
import { checkedPredict, nonFinite } from '../checked-predict.js';
import { roundForJson } from '../../rounding.js';
import { runSimulation, type SimulateBody } from './simulate-task.js';
import { predictInputFrom } from '../../input.js';
import type { PredictInput } from '../../model/types.js';
import { LIU_WIRED_ENERGY, migrationEnergyJoules } from '../../model/index.js';
import { learnedPredictor, type LearnedModel, type LearnedPredictor } from '../../calibrate/learned.js';
import { learnedField } from '../../calibrate/learned-scalar.js';
import { applyScalarFit, type ScalarFit, type ScalarReading } from '../../calibrate/scalar-fit.js';

export type HeavyTask =
  | { kind: 'plan'; cluster: unknown; policy: SelectionPolicy; objective: Objective; downtimeLimitSec?: number; detector?: 'deng' | Detector; detectorParam?: number; consolidateSec?: number; platform?: Partial<Platform>; budgetMs: number }
  | { kind: 'batch'; rows: RawPredictFields[]; store?: BatchStoreModels }
  | { kind: 'simulate'; body: SimulateBody; tracesPath?: string };

/**
 * What a server with a store applies to batch rows (as to POST /v1/predict): its scalar fit, and its learned
 * correction (restored once per version in each worker) unless `keepAnalytic` (the body's `learned: false`).
 */
export interface BatchStoreModels {
  fit?: ScalarFit;
  learned?: { version: number; model: LearnedModel };
  keepAnalytic: boolean;
}

let restored: { version: number; base: string; predictor: LearnedPredictor } | undefined;
function predictorOf(l: { version: number; model: LearnedModel }): LearnedPredictor {
  if (!restored || restored.version !== l.version || restored.base !== l.model.base) restored = { version: l.version, base: l.model.base, predictor: learnedPredictor(l.model) };
  return restored.predictor;
}

export type HeavyResult = { ok: true; value: unknown } | { ok: false; status: number; error: ErrorBody };

function plan(t: Extract<HeavyTask, { kind: 'plan' }>): unknown {
  const cluster = parseCluster(t.cluster);
  // the bounded search stops improving past half the budget (moa's order from there on), so the plan is
  // answered before the pool's hard limit aborts the task
  const stopAt = performance.now() + t.budgetMs / 2;
  const opts: PlanOptions = { policy: t.policy, objective: t.objective, downtimeLimitSec: t.downtimeLimitSec, detector: t.detector, detectorParam: t.detectorParam, platform: t.platform, searchStop: () => performance.now() > stopAt };
  const p: Plan = planMitigation(cluster, opts);
  const bad = nonFinite(p);
  if (bad !== undefined) {
    const move = /^moves\[(\d+)\]/.exec(bad);
    const vm = move ? p.moves[Number(move[1])].vm : undefined;
    const i = vm === undefined ? -1 : cluster.vms.findIndex((v) => v.id === vm);
    const field = i >= 0 ? `vms[${i}]` : 'cluster';
    throw new InputError(field, vm ?? 'cluster', `makes the plan's ${bad} not a finite number (out of the model's range)`);
  }
  if (t.consolidateSec === undefined) return p;
  return { ...p, consolidation: consolidateAfterPlan(cluster, p, opts, { horizonSec: t.consolidateSec }) };
}

function batch(rows: RawPredictFields[], store?: BatchStoreModels): HeavyResult {
  const out = new Array(rows.length);
  const predictor = store?.learned ? predictorOf(store.learned) : undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    try {
      if (!store) {
        out[i] = { id: (r as { id?: unknown }).id ?? i, ...roundForJson(checkedPredict(r)) };
        continue;
      }
      // As POST /v1/predict on a server with a store: the scalar fit's zero share, the learned figure as the answer
      // where it applies (unless learned: false), the analytic one beside it.
      let input: PredictInput | undefined;
      let reading: ScalarReading | undefined;
      let p = checkedPredict(r, false, (f) => {
        const built = predictInputFrom(f);
        const reads = applyScalarFit(built, store.fit);
        if (!input) {
          input = built;
          reading = reads;
        }
        return built;
      });
      const l = learnedField(predictor, store.learned?.version, input as PredictInput);
      const analytic = { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
      const answer = l.applied && !store.keepAnalytic;
      if (answer && l.applied) p = { ...p, totalTimeSec: l.totalTimeSec, transferredBytes: l.transferredBytes, downtimeSec: l.downtimeSec, energyJoules: migrationEnergyJoules(input!.energy ?? LIU_WIRED_ENERGY, l.transferredBytes, input!.bandwidthBytesPerSec) };
      out[i] = { id: (r as { id?: unknown }).id ?? i, ...roundForJson({ ...p, learned: { ...l, answer }, analytic, ...(reading ? { scalarReading: reading } : {}) }) };
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return { ok: false, status: 400, error: { error: 'bad request', row: i, field: e.field, message: `rows[${i}]: ${e.message}` } };
    }
  }
  return { ok: true, value: { results: out } };
}

/** The worker's entry: one task, its answer. */
export default function run(t: HeavyTask): HeavyResult {
  try {
    if (t.kind === 'batch') return batch(t.rows, t.store);
    if (t.kind === 'plan') return { ok: true, value: roundForJson(plan(t)) };
    return { ok: true, value: runSimulation(t.body, t.tracesPath) };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, status: 400, error: { error: 'bad request', field: e.field, message: e.message } };
    if (e instanceof HttpError) return { ok: false, status: e.statusCode, error: { error: (STATUS_CODES[e.statusCode] ?? 'error').toLowerCase(), field: e.field, message: e.message } };
    throw e;
  }
}
