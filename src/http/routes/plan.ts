/** POST /v1/plan: which VMs to move off hot hosts, where, and what each move costs (in a worker thread). */
import type { FastifyInstance } from 'fastify';
import { SELECTION_POLICIES, OBJECTIVES, type SelectionPolicy, type Objective } from '../../plan/planner.js';
import { InputError, parseDuration } from '../../units.js';
import { parsePlatform } from '../../input.js';
import type { HeavyPool } from '../heavy-pool.js';
import { anyObject, clusterSchema, errors } from '../schemas.js';

export function planRoutes(app: FastifyInstance, o: { heavy: HeavyPool }): void {
  app.post('/v1/plan', {
    schema: {
      summary: 'Plan the mitigation of hot hosts in a cluster (the JSON of examples/cluster.json); a VM carrying `sample` (the JSON of `migcost sample --json`) is priced from it as `predict --vm` prices it',
      tags: ['plan'],
      body: {
        type: 'object',
        properties: {
          cluster: clusterSchema,
          policy: { type: 'string', enum: [...SELECTION_POLICIES] },
          objective: { type: 'string', enum: [...OBJECTIVES] },
          downtimeLimit: { type: ['number', 'string'], description: 'QEMU downtime limit the moves will use (default 300ms)' },
          platform: { type: 'object', additionalProperties: true, description: 'platform constants for every prediction, as `plan --platform FILE` reads them (see POST /v1/predict)' },
        },
        required: ['cluster'],
      },
      response: { 200: anyObject, ...errors },
    },
  }, async (req, reply) => {
    const body = req.body as { cluster: unknown; policy?: SelectionPolicy; objective?: Objective; downtimeLimit?: unknown; platform?: unknown };
    const platform = body.platform === undefined ? undefined : parsePlatform('platform', body.platform);
    const downtimeLimitSec = body.downtimeLimit === undefined ? undefined : parseDuration('downtimeLimit', body.downtimeLimit);
    if (downtimeLimitSec !== undefined && !(downtimeLimitSec > 0)) throw new InputError('downtimeLimit', body.downtimeLimit, 'must be greater than 0');
    const r = await o.heavy.run({ kind: 'plan', cluster: body.cluster, policy: body.policy ?? 'moa', objective: body.objective ?? 'traffic', downtimeLimitSec, platform, budgetMs: o.heavy.budgetMs });
    if (!r.ok) return reply.code(r.status).send(r.error);
    return r.value;
  });
}
