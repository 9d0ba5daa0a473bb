/**
 * The store's history: VMs, a VM's migrations with their per-round traces (MigrationRecords), and its dirty-rate
 * samples. POST a sample (as `migcost agent` does) with an idempotency id: a repeat is answered, not stored.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Store } from '../../store/store.js';
import type { VmSample } from '../../model/sample.js';
import { HttpError } from '../errors.js';
import { BEARER } from '../auth.js';
import { anyObject, errors, roundTraceSchema, vmIdSchema, vmSampleSchema } from '../schemas.js';

export function needStore(store: Store | undefined): Store {
  if (!store) throw new HttpError(503, 'store: this server has no history store (serve --db)', 'store');
  return store;
}

const params = { type: 'object', properties: { vmId: vmIdSchema }, required: ['vmId'] } as const;
const limitQuery = { type: 'object', properties: { limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$|^10000$', description: 'at most this many (1-10,000)' } }, additionalProperties: false } as const;
const limitOf = (q: unknown): number | undefined => ((q as { limit?: string }).limit === undefined ? undefined : Number((q as { limit: string }).limit));

const labRecordSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    startedAt: { type: 'string' },
    config: anyObject,
    accelerator: { type: 'string' },
    qemuVersion: { type: 'string' },
    sample: anyObject,
    predicted: anyObject,
    measured: anyObject,
    trace: { type: 'array', items: roundTraceSchema },
    migrationStartedAt: { type: 'string' },
    host: { type: 'object', properties: { cpu: { type: 'string' }, cpus: { type: 'integer' }, pinned: { type: 'boolean' } }, description: 'the lab machine it ran on, when recorded' },
  },
} as const;

const storedSampleSchema = { type: 'object', properties: { id: { type: 'string' }, vmId: { type: 'string' }, source: { type: 'string' }, ...vmSampleSchema.properties } } as const;

export function historyRoutes(app: FastifyInstance, o: { store?: Store; auth: onRequestHookHandler }): void {
  app.get('/v1/vms', {
    schema: {
      summary: 'VMs in the store with their number of recorded migrations',
      tags: ['history'],
      response: { 200: { type: 'object', properties: { vms: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, migrations: { type: 'integer' } } } } } }, ...errors },
    },
  }, async () => ({ vms: await needStore(o.store).listVms() }));

  app.get('/v1/vms/:vmId/migrations', {
    schema: {
      summary: "A VM's recorded migrations, oldest first: sample, predictions, measured outcome and per-round trace",
      tags: ['history'],
      params,
      querystring: limitQuery,
      response: { 200: { type: 'object', properties: { vm: { type: 'string' }, migrations: { type: 'array', items: labRecordSchema } } }, ...errors },
    },
  }, async (req) => {
    const { vmId } = req.params as { vmId: string };
    const limit = limitOf(req.query);
    const store = needStore(o.store);
    const migrations = await store.listMigrations({ vmId, limit });
    if (migrations.length === 0 && !(await store.listVms()).some((v) => v.id === vmId)) throw new HttpError(404, `vmId: no VM "${vmId}" in the store`, 'vmId');
    return { vm: vmId, migrations };
  });

  app.get('/v1/vms/:vmId/samples', {
    schema: {
      summary: "A VM's dirty-rate samples, newest first",
      tags: ['samples'],
      params,
      querystring: limitQuery,
      response: { 200: { type: 'object', properties: { vm: { type: 'string' }, samples: { type: 'array', items: storedSampleSchema } } }, ...errors },
    },
  }, async (req) => {
    const { vmId } = req.params as { vmId: string };
    const limit = limitOf(req.query);
    return { vm: vmId, samples: await needStore(o.store).listSamples({ vmId, limit: limit ?? 100 }) };
  });

  app.post('/v1/vms/:vmId/samples', {
    onRequest: o.auth,
    schema: {
      summary: 'Store a dirty-rate sample of a VM (the output of `migcost sample --json`); `id` makes the call idempotent',
      tags: ['samples'],
      security: BEARER,
      params,
      body: {
        type: 'object',
        properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,128}$' }, sample: vmSampleSchema, source: { type: 'string', maxLength: 64 } },
        required: ['id', 'sample'],
      },
      response: { 200: { type: 'object', properties: { id: { type: 'string' }, created: { type: 'boolean' } } }, 201: { type: 'object', properties: { id: { type: 'string' }, created: { type: 'boolean' } } }, ...errors },
    },
  }, async (req, reply) => {
    const { vmId } = req.params as { vmId: string };
    const body = req.body as { id: string; sample: VmSample; source?: string };
    if (Number.isNaN(Date.parse(body.sample.sampledAt))) throw new HttpError(400, 'sample.sampledAt: must be an ISO 8601 time', 'sample.sampledAt');
    const sample: VmSample = { ...body.sample, pageSizeBytes: body.sample.pageSizeBytes ?? 4096 };
    const { created } = await needStore(o.store).recordSample(vmId, sample, { id: body.id, source: body.source ?? 'api' });
    return reply.code(created ? 201 : 200).send({ id: body.id, created });
  });
}
