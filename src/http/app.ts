/**
 * The HTTP API as a function of its dependencies: it never opens a socket (serve.ts does). Requests with bad
 * input get a 400 that names the field. (No route changes state yet; those will need a bearer token.)
 */
import Fastify, { type FastifyInstance, type FastifyError } from 'fastify';
import { Registry, Counter, Histogram, collectDefaultMetrics } from 'prom-client';
import { predict } from '../model/index.js';
import { predictInputFrom, type RawPredictFields } from '../input.js';
import { InputError } from '../units.js';
import { parseCluster } from '../plan/cluster.js';
import { planMitigation, SELECTION_POLICIES, OBJECTIVES, type SelectionPolicy, type Objective } from '../plan/planner.js';

export interface AppOptions {
  /** Most rows one batch request may carry. Default 10,000. */
  maxBatch?: number;
  logger?: boolean;
}

function badRequest(reply: { code: (n: number) => { send: (b: unknown) => unknown } }, e: unknown) {
  const field = e instanceof InputError ? e.field : undefined;
  return reply.code(400).send({ error: 'bad request', field, message: e instanceof Error ? e.message : String(e) });
}

/** Builds the app. Call `app.inject()` in tests; `serve.ts` listens. */
export function buildApp(opts: AppOptions = {}): FastifyInstance {
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 32 * 1024 * 1024 });
  const maxBatch = opts.maxBatch ?? 10_000;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'migcost_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] });
  const predictions = new Counter({ name: 'migcost_predictions_total', help: 'Predictions made', registers: [registry] });
  const latency = new Histogram({ name: 'migcost_http_request_seconds', help: 'Request latency', labelNames: ['route'], buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    requests.inc({ route, status: String(reply.statusCode) });
    latency.observe({ route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((e: FastifyError, _req, reply) => {
    if (e.validation || e.statusCode === 400 || e instanceof SyntaxError) return reply.code(400).send({ error: 'bad request', message: e.message });
    if (e.statusCode && e.statusCode < 500) return reply.code(e.statusCode).send({ error: e.message });
    return reply.code(500).send({ error: 'internal error' });
  });


  app.get('/v1/health', async () => ({ ok: true }));

  app.post('/v1/predict', async (req, reply) => {
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return reply.code(400).send({ error: 'bad request', message: 'body: must be a JSON object of prediction fields' });
    try {
      const input = predictInputFrom(body as RawPredictFields);
      input.trace = (body as { trace?: unknown }).trace === true;
      const p = predict(input);
      predictions.inc();
      return p;
    } catch (e) {
      return badRequest(reply, e);
    }
  });

  app.post('/v1/predict/batch', async (req, reply) => {
    const rows = (req.body as { rows?: unknown } | null)?.rows;
    if (!Array.isArray(rows)) return reply.code(400).send({ error: 'bad request', field: 'rows', message: 'rows: must be an array of prediction objects' });
    if (rows.length > maxBatch) return reply.code(413).send({ error: `rows: at most ${maxBatch} a request` });
    const out = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      try {
        if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new InputError('row', r, 'must be an object');
        const p = predict(predictInputFrom(r as RawPredictFields));
        out[i] = { id: (r as { id?: unknown }).id ?? i, ...p };
      } catch (e) {
        return reply.code(400).send({ error: 'bad request', row: i, field: e instanceof InputError ? e.field : undefined, message: `rows[${i}]: ${(e as Error).message}` });
      }
    }
    predictions.inc(rows.length);
    return { results: out };
  });

  app.post('/v1/plan', async (req, reply) => {
    const body = (req.body ?? {}) as { cluster?: unknown; policy?: unknown; objective?: unknown };
    try {
      const policy = (body.policy ?? 'moa') as SelectionPolicy;
      if (!SELECTION_POLICIES.includes(policy)) throw new InputError('policy', body.policy, `must be one of ${SELECTION_POLICIES.join(', ')}`);
      const objective = (body.objective ?? 'traffic') as Objective;
      if (!OBJECTIVES.includes(objective)) throw new InputError('objective', body.objective, `must be one of ${OBJECTIVES.join(', ')}`);
      return planMitigation(parseCluster(body.cluster), { policy, objective });
    } catch (e) {
      return badRequest(reply, e);
    }
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return app;
}
