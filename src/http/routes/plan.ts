/** POST /v1/plan: which VMs to move off hot hosts, where, and what each move costs. */
import type { FastifyInstance } from 'fastify';
import { parseCluster } from '../../plan/cluster.js';
import { planMitigation, SELECTION_POLICIES, OBJECTIVES, type SelectionPolicy, type Objective } from '../../plan/planner.js';
import { anyObject, errors } from '../schemas.js';

export function planRoutes(app: FastifyInstance): void {
  app.post('/v1/plan', {
    schema: {
      summary: 'Plan the mitigation of hot hosts in a cluster (the JSON of examples/cluster.json)',
      tags: ['plan'],
      body: {
        type: 'object',
        properties: { cluster: anyObject, policy: { type: 'string', enum: [...SELECTION_POLICIES] }, objective: { type: 'string', enum: [...OBJECTIVES] } },
        required: ['cluster'],
      },
      response: { 200: anyObject, ...errors },
    },
  }, async (req) => {
    const body = req.body as { cluster: unknown; policy?: SelectionPolicy; objective?: Objective };
    return planMitigation(parseCluster(body.cluster), { policy: body.policy ?? 'moa', objective: body.objective ?? 'traffic' });
  });
}
