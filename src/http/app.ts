/**
 * The HTTP API as a function of its dependencies (store, token, the QEMU move runner): it never opens a
 * socket (serve.ts does). Every route has request and response JSON schemas, published as OpenAPI at /docs.
 * Bad input gets a 4xx naming the field. Routes that change state or start work need the bearer token.
 */
import { existsSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { Registry, Counter, Histogram, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/store.js';
import { errorHandler } from './errors.js';
import { requireToken } from './auth.js';
import { predictRoutes } from './routes/predict.js';
import { adviseRoutes } from './routes/advise.js';
import { planRoutes } from './routes/plan.js';
import { historyRoutes } from './routes/history.js';
import { calibrateRoutes } from './routes/calibrate.js';
import { executeRoutes, qemuMoveRunner, type MoveRunner } from './routes/execute.js';
import type { AllowedTargets } from '../hypervisor/qemu/migration-target.js';
import { simulateRoutes } from './routes/simulate.js';
import { HeavyPool, type HeavyPoolConfig } from './heavy-pool.js';
import { hostCheck } from './host-check.js';

/** The dashboard's bundle: web/dist beside src/ and dist/ (both two levels below the repository root). */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

export interface AppOptions {
  /** Most rows one batch request may carry. Default 10,000. */
  maxBatch?: number;
  /** true: log every request (JSON lines on stdout). Otherwise only errors (every 500 with its cause), on `logStream`. */
  logger?: boolean;
  /** Where the errors-only log goes. Default stderr. */
  logStream?: NodeJS.WritableStream;
  /** The worker-thread pool of plan, simulate and batch predictions (threads, queue, time budget). */
  heavy?: HeavyPoolConfig;
  /**
   * Host header names (DNS rebinding): a request naming another host is refused with 421. An entry without a
   * port allows the port the server listens on. Default: no check (serve.ts passes localhost, 127.0.0.1, [::1]).
   */
  allowedHosts?: readonly string[];
  /** Largest request body in bytes. Default BODY_LIMIT_BYTES. */
  bodyLimit?: number;
  /** The history store (samples, migrations, models). Without one those routes answer 503. */
  store?: Store;
  /** Bearer token for the routes that change state. Without one they always answer 401. */
  token?: string;
  /** Runs one move of POST /v1/execute. Default: the QEMU driver. */
  runMove?: MoveRunner;
  /** What POST /v1/execute may migrate: the destinations and QMP sockets the operator listed. Default: nothing. */
  allowedTargets?: AllowedTargets;
  /** PlanetLab archive or folder for POST /v1/simulate. Default: the shared archive. */
  tracesPath?: string;
  /** Folder of the built dashboard served at `/`; `false` serves none. Default web/dist when it exists. */
  webRoot?: string | false;
}

/**
 * The largest legitimate request: a batch of 10,000 rows each with a sampled 30-point dirty curve (about
 * 1.4 KiB a row: 13 MiB), or a plan of 300,000 hosts (12 MiB); 16 MiB holds either (test/http/heavy.test.ts).
 * A plan of 300,000 hosts and as many VMs (30 MiB) does not fit.
 */
export const BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Socket limits: a request (headers and body) must arrive within REQUEST_TIMEOUT_MS, its headers within HEADERS_TIMEOUT_MS. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** Builds the app. Call `app.inject()` in tests; `serve.ts` listens. */
export function buildApp(opts: AppOptions = {}): FastifyInstance {
  // No type coercion: a JSON `true` is not the number 1. Query strings are declared as strings and parsed.
  const heavy = new HeavyPool(opts.heavy);
  const app = Fastify({
    logger: opts.logger === true ? true : { level: 'error', stream: opts.logStream ?? process.stderr },
    bodyLimit: opts.bodyLimit ?? BODY_LIMIT_BYTES,
    // VM ids are up to 128 characters (vmIdSchema); longer path parameters reach the schema and answer 400
    routerOptions: { maxParamLength: 512 },
    requestTimeout: REQUEST_TIMEOUT_MS,
    // an idle socket is closed after this; a heavy request may be computed for up to its budget
    connectionTimeout: heavy.budgetMs + REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    ajv: { customOptions: { allowUnionTypes: true, coerceTypes: false } },
    // a path segment longer than maxParamLength (414) or not decodable (400): the standard error body
    frameworkErrors: (e, _req, reply) => {
      const status = e.statusCode ?? 400;
      return (reply as FastifyReply).code(status).send({ error: (STATUS_CODES[status] ?? 'error').toLowerCase(), field: 'url', message: `url: ${status === 414 ? 'a path segment is longer than 512 characters (VM ids are at most 128)' : e.message}` });
    },
  });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  app.addHook('onClose', () => heavy.close());
  if (opts.allowedHosts) app.addHook('onRequest', hostCheck(opts.allowedHosts, () => app.server.address()));
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
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not found', field: 'url', message: `url: no route ${req.method} ${req.url.split('?')[0]}` }));

  app.register(swagger, {
    openapi: {
      info: { title: 'migcost', description: 'Predict, plan, execute and measure live VM migrations', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });

  const auth = requireToken(opts.token);
  app.register(async (api) => {
    api.get('/v1/health', { schema: { summary: 'Liveness', tags: ['meta'], response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));
    predictRoutes(api, { maxBatch: opts.maxBatch ?? 10_000, predictions, heavy });
    adviseRoutes(api);
    planRoutes(api, { heavy });
    historyRoutes(api, { store: opts.store, auth });
    calibrateRoutes(api, { store: opts.store, auth });
    executeRoutes(api, { store: opts.store, auth, runMove: opts.runMove ?? qemuMoveRunner, allowed: opts.allowedTargets });
    simulateRoutes(api, { auth, tracesPath: opts.tracesPath, heavy });
    api.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['meta'], response: { 200: { type: 'string' } } } }, async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  });

  const webRoot = opts.webRoot ?? (existsSync(DEFAULT_WEB_ROOT) ? DEFAULT_WEB_ROOT : false);
  if (webRoot) app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: ['index.html'] });
  return app;
}
