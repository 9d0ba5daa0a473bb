/**
 * The store's history: VMs, a VM's migrations with their per-round traces (MigrationRecords), and its dirty-rate
 * samples. POST a sample (as `migcost agent` does) with an idempotency id: a repeat is answered, not stored; an id
 * already stored under another VM is a 409.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { SampleIdTaken, type Store } from '../../store/store.js';
import type { VmSample } from '../../model/sample.js';
import { parseSample } from '../../input.js';
import { HttpError } from '../errors.js';
import { BEARER } from '../auth.js';
import { anyObject, errors, roundTraceSchema, vmIdSchema, vmSampleSchema } from '../schemas.js';

export function needStore(store: Store | undefined): Store {
  if (!store) throw new HttpError(503, 'store: this server has no history store (serve --db)', 'store');
  return store;
}

const params = { type: 'object', properties: { vmId: vmIdSchema }, required: ['vmId'] } as const;
const limitSchema = { type: 'string', pattern: '^[1-9][0-9]{0,3}$|^10000$', description: 'at most this many (1-10,000)' } as const;
const cursorSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,1024}$', description: "where the page starts: the previous page's `next`" } as const;
const pageQuery = (defaultLimit: number) => ({ type: 'object', properties: { limit: { ...limitSchema, description: `at most this many (1-10,000; default ${defaultLimit})` }, cursor: cursorSchema }, additionalProperties: false }) as const;
const nextSchema = { type: 'string', description: 'the cursor of the next page; absent on the last page' } as const;
const limitOf = (q: unknown, defaultLimit: number): number => ((q as { limit?: string }).limit === undefined ? defaultLimit : Number((q as { limit: string }).limit));

/** Default page sizes: every list answers a bounded page and a `next` cursor when there is more. */
export const PAGE = { vms: 1000, migrations: 100, samples: 100 } as const;

/** A page cursor: the sort key of the last item answered, as base64url JSON. */
const encodeCursor = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url');
function decodeCursor<T>(q: unknown, valid: (v: unknown) => v is T): T | undefined {
  const c = (q as { cursor?: string }).cursor;
  if (c === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!valid(v)) throw new HttpError(400, "cursor: not a cursor this list answered (use the previous page's next)", 'cursor');
  return v;
}
const isMark = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';
const isId = (v: unknown): v is string => typeof v === 'string';

/** One page: `limit` items, read with one more to know whether a next page exists. */
function page<T>(items: T[], limit: number, key: (t: T) => unknown): { items: T[]; next?: string } {
  if (items.length <= limit) return { items };
  const kept = items.slice(0, limit);
  return { items: kept, next: encodeCursor(key(kept[kept.length - 1])) };
}

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
      summary: 'VMs in the store by id with their number of recorded migrations, a page at a time',
      tags: ['history'],
      querystring: pageQuery(PAGE.vms),
      response: { 200: { type: 'object', properties: { vms: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, migrations: { type: 'integer' } } } }, next: nextSchema } }, ...errors },
    },
  }, async (req) => {
    const limit = limitOf(req.query, PAGE.vms);
    const after = decodeCursor(req.query, isId);
    const p = page(await needStore(o.store).listVms({ limit: limit + 1, after }), limit, (v) => v.id);
    return { vms: p.items, ...(p.next ? { next: p.next } : {}) };
  });

  app.get('/v1/vms/:vmId/migrations', {
    schema: {
      summary: "A VM's recorded migrations, oldest first, a page at a time: sample, predictions, measured outcome and per-round trace",
      tags: ['history'],
      params,
      querystring: pageQuery(PAGE.migrations),
      response: { 200: { type: 'object', properties: { vm: { type: 'string' }, migrations: { type: 'array', items: labRecordSchema }, next: nextSchema } }, ...errors },
    },
  }, async (req) => {
    const { vmId } = req.params as { vmId: string };
    const limit = limitOf(req.query, PAGE.migrations);
    const mark = decodeCursor(req.query, isMark);
    const store = needStore(o.store);
    const p = page(await store.listMigrations({ vmId, limit: limit + 1, after: mark && { at: mark[0], id: mark[1] } }), limit, (m) => [m.startedAt, m.id]);
    if (p.items.length === 0 && !(await store.hasVm(vmId))) throw new HttpError(404, `vmId: no VM "${vmId}" in the store`, 'vmId');
    return { vm: vmId, migrations: p.items, ...(p.next ? { next: p.next } : {}) };
  });

  app.get('/v1/vms/:vmId/samples', {
    schema: {
      summary: "A VM's dirty-rate samples, newest first, a page at a time",
      tags: ['samples'],
      params,
      querystring: pageQuery(PAGE.samples),
      response: { 200: { type: 'object', properties: { vm: { type: 'string' }, samples: { type: 'array', items: storedSampleSchema }, next: nextSchema } }, ...errors },
    },
  }, async (req) => {
    const { vmId } = req.params as { vmId: string };
    const limit = limitOf(req.query, PAGE.samples);
    const mark = decodeCursor(req.query, isMark);
    const p = page(await needStore(o.store).listSamples({ vmId, limit: limit + 1, before: mark && { at: mark[0], id: mark[1] } }), limit, (s) => [s.sampledAt, s.id]);
    return { vm: vmId, samples: p.items, ...(p.next ? { next: p.next } : {}) };
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
    // the checks every reader of a sample makes (plan, predict): a sample stored is one they can price
    parseSample('sample', body.sample);
    const sample: VmSample = { ...body.sample, pageSizeBytes: body.sample.pageSizeBytes ?? 4096 };
    let created: boolean;
    try {
      ({ created } = await needStore(o.store).recordSample(vmId, sample, { id: body.id, source: body.source ?? 'api' }));
    } catch (e) {
      if (e instanceof SampleIdTaken) throw new HttpError(409, `id: sample id ${e.sampleId} is already stored under VM ${e.heldBy}; use a new id for a sample of ${vmId}`, 'id', { cause: e });
      throw e;
    }
    return reply.code(created ? 201 : 200).send({ id: body.id, created });
  });
}
