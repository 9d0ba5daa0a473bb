/**
 * POST /v1/predict (one VM, on the event loop: microseconds) and /v1/predict/batch (up to maxBatch rows, in
 * a worker thread). Every figure answered is a finite number; an input that would make one infinite is a 400
 * naming it.
 */
import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import { parseSample, predictInputFrom, predictInputFromSample, type RawPredictFields } from '../../input.js';
import { checkedPredict } from '../checked-predict.js';
import { stopVerdict } from '../../model/verdict.js';
import type { PredictInput } from '../../model/types.js';
import { roundForJson } from '../../rounding.js';
import type { HeavyPool } from '../heavy-pool.js';
import { errors, predictFieldsSchema, predictionSchema } from '../schemas.js';
import type { Store } from '../../store/store.js';
import { LEARNED_KIND, isLearnedModel, learnedPredictor, type LearnedModel, type LearnedPredictor } from '../../calibrate/learned.js';
import { SCALAR_FIT_KIND, applyScalarFit, isScalarFit, type ScalarFit, type ScalarReading } from '../../calibrate/scalar-fit.js';
import type { BatchStoreModels } from '../workers/tasks.js';
import { learnedField } from '../../calibrate/learned-scalar.js';
import { LIU_WIRED_ENERGY, migrationEnergyJoules } from '../../model/index.js';

/** How long a restored learned model is reused before the store is asked again for a newer version. */
const LEARNED_TTL_MS = 10_000;

interface StoreModels {
  learned?: { version: number; model: LearnedModel; predictor: LearnedPredictor };
  fit?: ScalarFit;
}

/**
 * The store's latest learned correction (restored once) and scalar fit, re-read at most every LEARNED_TTL_MS.
 */
function learnedCache(store: Store): () => Promise<StoreModels> {
  let held: { at: number; value: StoreModels } | undefined;
  return async () => {
    if (held && Date.now() - held.at < LEARNED_TTL_MS) return held.value;
    const m = await store.latestModel(LEARNED_KIND);
    const f = await store.latestModel(SCALAR_FIT_KIND);
    const learned = m && isLearnedModel(m.params) ? (held?.value.learned?.version === m.version ? held.value.learned : { version: m.version, model: m.params, predictor: learnedPredictor(m.params) }) : undefined;
    const value: StoreModels = { ...(learned ? { learned } : {}), ...(f && isScalarFit(f.params) ? { fit: f.params } : {}) };
    held = { at: Date.now(), value };
    return value;
  };
}

export function predictRoutes(app: FastifyInstance, o: { maxBatch: number; predictions: Counter; heavy: HeavyPool; store?: Store }): void {
  const learned = o.store ? learnedCache(o.store) : undefined;
  app.post('/v1/predict', {
    schema: {
      summary: 'Predict one live migration; with `sample` (the JSON of `migcost sample --json`), priced from it as `predict --vm` prices it, the other fields overriding it',
      tags: ['predict'],
      body: predictFieldsSchema,
      response: { 200: predictionSchema, ...errors },
    },
  }, async (req) => {
    const { sample, trace, learned: useLearned, ...fields } = req.body as RawPredictFields & { trace?: unknown; sample?: unknown; id?: unknown; learned?: boolean };
    const stored = learned ? await learned() : undefined;
    // The input the answer was predicted from (the first one built) also words its verdict; with a store, a scalar
    // input is read by the store's scalar fit (or the stated assumption), and the answer says which.
    let input: PredictInput | undefined;
    let reading: ScalarReading | undefined;
    const build = (fl: RawPredictFields) => {
      const i = sample === undefined ? predictInputFrom(fl) : predictInputFromSample(parseSample('sample', sample), fl);
      const r = stored && sample === undefined ? applyScalarFit(i, stored.fit) : undefined;
      if (!input) {
        input = i;
        reading = r;
      }
      return i;
    };
    let p = checkedPredict(fields, trace === true, build);
    o.predictions.inc();
    if (!stored) return roundForJson({ ...p, verdict: stopVerdict(p, input!).text });
    // A store: its learned correction is the answer where it applies (unless `learned: false`), the analytic figure beside it.
    const l = learnedField(stored.learned?.predictor, stored.learned?.version, input!, {}, { fullSample: sample !== undefined });
    const analytic = { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
    const answer = l.applied && useLearned !== false;
    if (answer && l.applied) p = { ...p, totalTimeSec: l.totalTimeSec, transferredBytes: l.transferredBytes, downtimeSec: l.downtimeSec, energyJoules: migrationEnergyJoules(input!.energy ?? LIU_WIRED_ENERGY, l.transferredBytes, input!.bandwidthBytesPerSec) };
    return roundForJson({ ...p, verdict: stopVerdict(p, input!).text, learned: { ...l, answer }, analytic, ...(reading ? { scalarReading: reading } : {}) });
  });

  app.post('/v1/predict/batch', {
    schema: {
      summary: `Predict many migrations (at most ${o.maxBatch} rows; run in a worker thread); on a server with a store, each row as POST /v1/predict answers it (the scalar fit, the learned correction with the analytic figure beside it)`,
      tags: ['predict'],
      body: { type: 'object', properties: { rows: { type: 'array', items: predictFieldsSchema }, learned: { type: 'boolean', description: "false: keep the analytic figure as each row's answer (the store's learned correction is still shown beside it)" } }, required: ['rows'] },
      response: { 200: { type: 'object', properties: { results: { type: 'array', items: predictionSchema } } }, ...errors },
    },
  }, async (req, reply) => {
    const { rows, learned: useLearned } = req.body as { rows: RawPredictFields[]; learned?: boolean };
    if (rows.length > o.maxBatch) return reply.code(413).send({ error: 'too large', field: 'rows', message: `rows: at most ${o.maxBatch} a request` });
    const stored = learned ? await learned() : undefined;
    const store: BatchStoreModels | undefined = stored ? { ...(stored.fit ? { fit: stored.fit } : {}), ...(stored.learned ? { learned: { version: stored.learned.version, model: stored.learned.model } } : {}), keepAnalytic: useLearned === false } : undefined;
    const r = await o.heavy.run({ kind: 'batch', rows, ...(store ? { store } : {}) });
    if (!r.ok) return reply.code(r.status).send(r.error);
    o.predictions.inc(rows.length);
    return r.value;
  });
}
