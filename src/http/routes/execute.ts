/**
 * POST /v1/execute: runs a plan's moves for real through the QEMU driver (the steps of `migcost execute`:
 * sample the VM on its QMP socket, migrate it to the URI its destination listens on, record the outcome with
 * its trace in the store). Moves run one after another in a background job; GET /v1/jobs/:id reports it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Store } from '../../store/store.js';
import type { Prediction } from '../../model/types.js';
import type { MigrationRecord } from '../../record/record.js';
import type { Measured } from '../../model/sample.js';
import { parseDuration } from '../../units.js';
import { HttpError } from '../errors.js';
import { BEARER } from '../auth.js';
import { anyObject, errors, vmIdSchema } from '../schemas.js';
import { needStore } from './history.js';
import { checkTarget, timeoutIssue, type AllowedTargets } from '../../hypervisor/qemu/migration-target.js';

export interface PlannedMove {
  vm: string;
  from: string;
  to: string;
  bandwidthBytesPerSec: number;
  predicted: Prediction;
}

export interface MoveTarget {
  qmp: string;
  uri: string;
}

export interface MoveOptions {
  downtimeLimitSec: number;
  timeoutSec: number;
  autoConverge: boolean;
}

/** Runs one move and returns the record to store. Injected in tests (a real one needs QEMU guests). */
export type MoveRunner = (m: PlannedMove, t: MoveTarget, o: MoveOptions) => Promise<MigrationRecord>;

/** The real runner: sample, migrate, record (the routine `migcost execute` and `lab run` use). */
export const qemuMoveRunner: MoveRunner = async (m, t, o) => {
  const { QmpClient } = await import('../../hypervisor/qemu/qmp.js');
  const { sampleAndMigrate } = await import('../../hypervisor/qemu/sample-and-migrate.js');
  const { QUICK_WINDOWS_SEC } = await import('../../hypervisor/qemu/windows.js');
  const qmp = await QmpClient.connect(t.qmp, { retry: false });
  try {
    const { record } = await sampleAndMigrate({
      source: qmp,
      destination: t.uri,
      sampling: { windowsSec: QUICK_WINDOWS_SEC, zeroPages: false },
      config: (sample) => ({ memoryBytes: sample.memoryBytes, workload: 'external', params: { vm: m.vm.replace(/[^\w.-]/g, '_'), from: m.from, to: m.to }, bandwidthBytesPerSec: m.bandwidthBytesPerSec, downtimeLimitSec: o.downtimeLimitSec, autoConverge: o.autoConverge, timeoutSec: o.timeoutSec }),
      predictions: { given: { plan: m.predicted } },
    });
    return record;
  } finally {
    qmp.close();
  }
};

export interface MoveOutcome {
  vm: string;
  from: string;
  to: string;
  status: 'completed' | 'failed' | 'cancelled' | 'error';
  predicted: Prediction;
  measured?: Measured;
  migrationId?: string;
  error?: string;
}

export interface Job {
  id: string;
  kind: 'execute';
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  moves: number;
  done: MoveOutcome[];
  error?: string;
}

const moveSchema = {
  type: 'object',
  properties: {
    vm: vmIdSchema,
    from: { type: 'string', minLength: 1 },
    to: { type: 'string', minLength: 1 },
    bandwidthBytesPerSec: { type: 'number', exclusiveMinimum: 0 },
    predicted: anyObject,
  },
  required: ['vm', 'from', 'to', 'bandwidthBytesPerSec', 'predicted'],
} as const;

const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    state: { type: 'string' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    moves: { type: 'integer' },
    done: { type: 'array', items: anyObject },
    error: { type: 'string' },
  },
} as const;

/**
 * `allowed`: the destinations and QMP sockets the operator listed (serve --allow-dest); without it every move
 * is refused.
 */
export function executeRoutes(app: FastifyInstance, o: { store?: Store; auth: onRequestHookHandler; runMove: MoveRunner; allowed?: AllowedTargets }): void {
  const jobs = new Map<string, Job>();

  app.post('/v1/execute', {
    onRequest: o.auth,
    schema: {
      summary: "Run a plan's moves for real through QEMU (the output of POST /v1/plan and how to reach each VM); answers a job",
      tags: ['execute'],
      security: BEARER,
      body: {
        type: 'object',
        properties: {
          plan: { type: 'object', properties: { moves: { type: 'array', items: moveSchema, minItems: 1, maxItems: 1000 } }, required: ['moves'] },
          targets: {
            type: 'object',
            properties: { vms: { type: 'object', additionalProperties: { type: 'object', properties: { qmp: { type: 'string', minLength: 1 }, uri: { type: 'string', minLength: 1 } }, required: ['qmp', 'uri'] } } },
            required: ['vms'],
          },
          downtimeLimit: { type: ['string', 'number'] },
          timeout: { type: ['string', 'number'] },
          autoConverge: { type: 'boolean' },
        },
        required: ['plan', 'targets'],
      },
      response: { 202: jobSchema, ...errors },
    },
  }, async (req, reply) => {
    const body = req.body as { plan: { moves: PlannedMove[] }; targets: { vms: Record<string, MoveTarget> }; downtimeLimit?: unknown; timeout?: unknown; autoConverge?: boolean };
    const store = needStore(o.store);
    const moves = body.plan.moves;
    for (const [i, m] of moves.entries()) {
      const t = body.targets.vms[m.vm];
      if (!t || !Object.hasOwn(body.targets.vms, m.vm)) throw new HttpError(400, `targets.vms.${m.vm}: must give qmp (socket path) and uri for move ${i + 1}`, `targets.vms.${m.vm}`);
    }
    const opts: MoveOptions = {
      downtimeLimitSec: parseDuration('downtimeLimit', body.downtimeLimit ?? '300ms'),
      timeoutSec: parseDuration('timeout', body.timeout ?? '600s'),
      autoConverge: body.autoConverge === true,
    };
    const tIssue = timeoutIssue(opts.timeoutSec);
    if (tIssue) throw new HttpError(400, `timeout: ${tIssue}`, 'timeout');
    for (const m of moves) {
      const field = `targets.vms.${m.vm}`;
      if (!o.allowed) throw new HttpError(400, `${field}.uri: no destination is allowed (start serve with --allow-dest FILE)`, `${field}.uri`);
      const issue = checkTarget(body.targets.vms[m.vm], o.allowed, field);
      if (issue) throw new HttpError(400, `${issue.field}: ${issue.rule}`, issue.field);
    }
    if ([...jobs.values()].some((j) => j.state === 'running')) throw new HttpError(409, 'execute: a plan is already running (see GET /v1/jobs/:id)', 'plan');
    const job: Job = { id: randomUUID(), kind: 'execute', state: 'running', startedAt: new Date().toISOString(), moves: moves.length, done: [] };
    jobs.set(job.id, job);
    for (const [id, j] of jobs) if (jobs.size > 100 && j.state !== 'running') jobs.delete(id); // keep the last 100
    void (async () => {
      for (const m of moves) {
        try {
          const rec = await o.runMove(m, body.targets.vms[m.vm], opts);
          await store.recordMigration(rec);
          job.done.push({ vm: m.vm, from: m.from, to: m.to, status: rec.measured.status, predicted: m.predicted, measured: rec.measured, migrationId: rec.id });
        } catch (e) {
          job.done.push({ vm: m.vm, from: m.from, to: m.to, status: 'error', predicted: m.predicted, error: (e as Error).message });
        }
      }
      job.state = job.done.some((d) => d.status !== 'completed') ? 'failed' : 'done';
      job.finishedAt = new Date().toISOString();
    })();
    return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
  });

  app.get('/v1/jobs/:id', {
    schema: {
      summary: 'A job started by POST /v1/execute: its state and each move done so far',
      tags: ['execute'],
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: jobSchema, ...errors },
    },
  }, async (req) => {
    const job = jobs.get((req.params as { id: string }).id);
    if (!job) throw new HttpError(404, 'id: no such job', 'id');
    return job;
  });
}
