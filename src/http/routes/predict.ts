/** POST /v1/predict (one VM) and /v1/predict/batch (up to maxBatch rows). */
import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import { predict } from '../../model/index.js';
import { parseSample, predictInputFrom, predictInputFromSample, type RawPredictFields } from '../../input.js';
import { InputError } from '../../units.js';
import { errors, predictFieldsSchema, predictionSchema } from '../schemas.js';

export function predictRoutes(app: FastifyInstance, o: { maxBatch: number; predictions: Counter }): void {
  app.post('/v1/predict', {
    schema: {
      summary: 'Predict one live migration; with `sample` (the JSON of `migcost sample --json`), priced from it as `predict --vm` prices it, the other fields overriding it',
      tags: ['predict'],
      body: predictFieldsSchema,
      response: { 200: predictionSchema, ...errors },
    },
  }, async (req) => {
    const { sample, trace, ...fields } = req.body as RawPredictFields & { trace?: unknown; sample?: unknown; id?: unknown };
    const input = sample === undefined ? predictInputFrom(fields) : predictInputFromSample(parseSample('sample', sample), fields);
    input.trace = trace === true;
    const p = predict(input);
    o.predictions.inc();
    return p;
  });

  app.post('/v1/predict/batch', {
    schema: {
      summary: `Predict many migrations (at most ${o.maxBatch} rows)`,
      tags: ['predict'],
      body: { type: 'object', properties: { rows: { type: 'array', items: predictFieldsSchema } }, required: ['rows'] },
      response: { 200: { type: 'object', properties: { results: { type: 'array', items: predictionSchema } } }, ...errors },
    },
  }, async (req, reply) => {
    const rows = (req.body as { rows: RawPredictFields[] }).rows;
    if (rows.length > o.maxBatch) return reply.code(413).send({ error: 'too large', field: 'rows', message: `rows: at most ${o.maxBatch} a request` });
    const out = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      try {
        out[i] = { id: (r as { id?: unknown }).id ?? i, ...predict(predictInputFrom(r)) };
      } catch (e) {
        const field = e instanceof InputError ? e.field : undefined;
        return reply.code(400).send({ error: 'bad request', row: i, field, message: `rows[${i}]: ${(e as Error).message}` });
      }
    }
    o.predictions.inc(rows.length);
    return { results: out };
  });
}
