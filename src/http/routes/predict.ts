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

export function predictRoutes(app: FastifyInstance, o: { maxBatch: number; predictions: Counter; heavy: HeavyPool }): void {
  app.post('/v1/predict', {
    schema: {
      summary: 'Predict one live migration; with `sample` (the JSON of `migcost sample --json`), priced from it as `predict --vm` prices it, the other fields overriding it',
      tags: ['predict'],
      body: predictFieldsSchema,
      response: { 200: predictionSchema, ...errors },
    },
  }, async (req) => {
    const { sample, trace, ...fields } = req.body as RawPredictFields & { trace?: unknown; sample?: unknown; id?: unknown };
    // The input the answer was predicted from (the first one built) also words its verdict.
    let input: PredictInput | undefined;
    const build = (fl: RawPredictFields) => {
      const i = sample === undefined ? predictInputFrom(fl) : predictInputFromSample(parseSample('sample', sample), fl);
      input ??= i;
      return i;
    };
    const p = checkedPredict(fields, trace === true, build);
    o.predictions.inc();
    return roundForJson({ ...p, verdict: stopVerdict(p, input!).text });
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
