/**
 * POST /v1/simulate: CloudSim's power-aware consolidation over a PlanetLab day (simulateCluster), run in a worker
 * thread (a few seconds for the full 800 hosts; `vms` and `hosts` make it smaller); the work is in
 * workers/simulate-task.ts. An unknown day answers 400 listing the days this server has.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { CLOUDSIM_HOSTS } from '../../sim/presets.js';
import { SIM_DETECTORS } from '../../sim/detectors.js';
import { SIM_SELECTIONS } from '../../sim/selection.js';
import { BEARER } from '../auth.js';
import type { HeavyPool } from '../heavy-pool.js';
import { anyObject, errors } from '../schemas.js';
import type { SimulateBody } from '../workers/simulate-task.js';
import { simulateOptionsSchema } from './simulate-options.js';

export type { TimelineStep } from '../workers/simulate-task.js';

export function simulateRoutes(app: FastifyInstance, o: { auth: onRequestHookHandler; tracesPath?: string; heavy: HeavyPool }): void {
  app.post('/v1/simulate', {
    onRequest: o.auth,
    schema: {
      summary: 'Simulate a data centre over a PlanetLab day: energy, migrations, SLA figures and a per-step migration timeline',
      tags: ['simulate'],
      security: BEARER,
      body: {
        type: 'object',
        properties: {
          day: { type: 'string', pattern: '^\\d{8}$' },
          detector: { type: 'string', enum: [...SIM_DETECTORS] },
          selection: { type: 'string', enum: [...SIM_SELECTIONS] },
          param: { type: 'number', minimum: 0, maximum: 100 },
          seed: { type: 'integer' },
          vms: { type: 'integer', minimum: 1, maximum: 100_000, description: 'use only the first n traces of the day' },
          hosts: { type: 'integer', minimum: 1, maximum: CLOUDSIM_HOSTS * 10 },
          ...simulateOptionsSchema,
        },
        required: ['day'],
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            inputs: { ...anyObject, description: 'every input the run used, defaults filled in (day, detector and its parameter, selection, objective, consolidation, migration model, pricer, memory source, file order, scale, seed, VMs and hosts, baseline)' },
            result: anyObject,
            timeline: { type: 'array', items: { type: 'object', properties: { step: { type: 'integer' }, timeSec: { type: 'number' }, migrations: { type: 'integer' }, transferredBytes: { type: 'number' }, downtimeSec: { type: 'number' }, energyJoules: { type: 'number' } } } },
            wallSec: { type: 'number' },
          },
        },
        ...errors,
      },
    },
  }, async (req, reply) => {
    const r = await o.heavy.run({ kind: 'simulate', body: req.body as SimulateBody, tracesPath: o.tracesPath });
    if (!r.ok) return reply.code(r.status).send(r.error);
    return r.value;
  });
}
