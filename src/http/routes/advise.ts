/**
 * POST /v1/advise: every QEMU technique for one VM over a grid of bandwidths and downtime limits, under constraints
 * and a platform's completion timeout, ranked by the stated cost (docs/techniques.md). A few hundred predictions:
 * answered on the event loop.
 */
import type { FastifyInstance } from 'fastify';
import { adviseFrom, type RawAdviseFields } from '../../advise-input.js';
import { parseSample } from '../../input.js';
import { anyObject, errors, predictFieldsSchema } from '../schemas.js';

export function adviseRoutes(app: FastifyInstance): void {
  app.post('/v1/advise', {
    schema: {
      summary: 'Rank every migration technique for one VM (fields as /v1/predict, or `sample`) over `bandwidths` x `downtimeLimits`, with `maxDowntime`, `maxTime`, `platformTimeouts` (nova, kubevirt), `allowPostcopy`, `downtimeWeight`',
      tags: ['predict'],
      body: { ...predictFieldsSchema, properties: { ...predictFieldsSchema.properties, bandwidths: {}, downtimeLimits: {}, maxDowntime: { type: ['number', 'string'] }, maxTime: { type: ['number', 'string'] }, platformTimeouts: { type: 'string' }, allowPostcopy: { type: 'boolean' }, downtimeWeight: { type: ['number', 'string'] } } },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    const { sample, trace: _t, id: _i, ...fields } = req.body as RawAdviseFields & { sample?: unknown; trace?: unknown; id?: unknown };
    const a = adviseFrom(fields, sample === undefined ? undefined : parseSample('sample', sample));
    return { ...a, best: a.best ? a.options.indexOf(a.best) : null };
  });
}
