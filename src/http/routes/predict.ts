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
import { LEARNED_KIND, isLearnedModel, learnedPredictor, type LearnedPredictor } from '../../calibrate/learned.js';
import { learnedField } from '../../calibrate/learned-scalar.js';
import { LIU_WIRED_ENERGY, migrationEnergyJoules } from '../../model/index.js';

/** How long a restored learned model is reused before the store is asked again for a newer version. */
const LEARNED_TTL_MS = 10_000;

/** The store's latest learned correction, restored once and re-read at most every LEARNED_TTL_MS. */
function learnedCache(store: Store): () => Promise<{ version: number; predictor: LearnedPredictor } | undefined> {
  let held: { at: number; value: { version: number; predictor: LearnedPredictor } | undefined } | undefined;
  return async () => {
    if (held && Date.now() - held.at < LEARNED_TTL_MS) return held.value;
    const m = await store.latestModel(LEARNED_KIND);
    const value = m && isLearnedModel(m.params) ? (held?.value?.version === m.version ? held.value : { version: m.version, predictor: learnedPredictor(m.params) }) : undefined;
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
    // The input the answer was predicted from (the first one built) also words its verdict.
    let input: PredictInput | undefined;
    const build = (fl: RawPredictFields) => {
      const i = sample === undefined ? predictInputFrom(fl) : predictInputFromSample(parseSample('sample', sample), fl);
      input ??= i;
      return i;
    };
    let p = checkedPredict(fields, trace === true, build);
    o.predictions.inc();
    if (!learned) return roundForJson({ ...p, verdict: stopVerdict(p, input!).text });
    // A store: its learned correction is the answer where it applies (unless `learned: false`), the analytic figure beside it.
    const stored = await learned();
    const l = learnedField(stored?.predictor, stored?.version, input!, {}, { fullSample: sample !== undefined });
    const analytic = { totalTimeSec: p.totalTimeSec, transferredBytes: p.transferredBytes, downtimeSec: p.downtimeSec };
    const answer = l.applied && useLearned !== false;
    if (answer && l.applied) p = { ...p, totalTimeSec: l.totalTimeSec, transferredBytes: l.transferredBytes, downtimeSec: l.downtimeSec, energyJoules: migrationEnergyJoules(input!.energy ?? LIU_WIRED_ENERGY, l.transferredBytes, input!.bandwidthBytesPerSec) };
    return roundForJson({ ...p, verdict: stopVerdict(p, input!).text, learned: { ...l, answer }, analytic });
  });

  app.post('/v1/predict/batch', {
    schema: {
      summary: `Predict many migrations (at most ${o.maxBatch} rows; run in a worker thread)`,
      tags: ['predict'],
      body: { type: 'object', properties: { rows: { type: 'array', items: predictFieldsSchema } }, required: ['rows'] },
      response: { 200: { type: 'object', properties: { results: { type: 'array', items: predictionSchema } } }, ...errors },
    },
  }, async (req, reply) => {
    const rows = (req.body as { rows: RawPredictFields[] }).rows;
    if (rows.length > o.maxBatch) return reply.code(413).send({ error: 'too large', field: 'rows', message: `rows: at most ${o.maxBatch} a request` });
    const r = await o.heavy.run({ kind: 'batch', rows });
    if (!r.ok) return reply.code(r.status).send(r.error);
    o.predictions.inc(rows.length);
    return r.value;
  });
}
