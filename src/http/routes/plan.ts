/** POST /v1/plan: which VMs to move off hot hosts, where, and what each move costs (in a worker thread). */
import type { FastifyInstance } from 'fastify';
import { SELECTION_POLICIES, OBJECTIVES, type SelectionPolicy, type Objective } from '../../plan/planner.js';
import { DETECTORS, type Detector } from '../../plan/detectors.js';
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
          detector: { type: 'string', enum: ['deng', ...DETECTORS], description: "hot-host test: Deng's capacity rule (default) or a Beloglazov-Buyya detector over each host's utilisationHistory (lr, mad and iqr need 10 values on every host)" },
          param: { type: 'number', minimum: 0, description: 'detector parameter (thr 0.8, mad 2.5, iqr 1.5, lr 1.2 by default)' },
          consolidate: { type: ['number', 'string'], description: "also empty under-used hosts when the idle power saved over this horizon exceeds the migration energy (e.g. 1h), on the cluster after the moves" },
          platform: { type: 'object', additionalProperties: true, description: 'platform constants for every prediction, as `plan --platform FILE` reads them (see POST /v1/predict)' },
        },
        required: ['cluster'],
      },
      response: { 200: anyObject, ...errors },
    },
  }, async (req, reply) => {
    const body = req.body as { cluster: unknown; policy?: SelectionPolicy; objective?: Objective; downtimeLimit?: unknown; detector?: 'deng' | Detector; param?: number; consolidate?: unknown; platform?: unknown };
    const platform = body.platform === undefined ? undefined : parsePlatform('platform', body.platform);
    const downtimeLimitSec = body.downtimeLimit === undefined ? undefined : parseDuration('downtimeLimit', body.downtimeLimit);
    if (downtimeLimitSec !== undefined && !(downtimeLimitSec > 0)) throw new InputError('downtimeLimit', body.downtimeLimit, 'must be greater than 0');
    const consolidateSec = body.consolidate === undefined ? undefined : parseDuration('consolidate', body.consolidate);
    if (consolidateSec !== undefined && !(consolidateSec > 0)) throw new InputError('consolidate', body.consolidate, 'must be greater than 0');
    const r = await o.heavy.run({ kind: 'plan', cluster: body.cluster, policy: body.policy ?? 'moa', objective: body.objective ?? 'traffic', downtimeLimitSec, detector: body.detector, detectorParam: body.param, consolidateSec, platform, budgetMs: o.heavy.budgetMs });
    if (!r.ok) return reply.code(r.status).send(r.error);
    return r.value;
  });
}
