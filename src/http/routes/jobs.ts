/**
 * Jobs: the moves POST /v1/execute runs, and the migrations POST /v1/jobs is asked to follow. While a
 * migration runs the service runs `watch`'s logic on it (src/hypervisor/watch.ts: the same readers, the same
 * re-prediction and the same never-backwards progress), so GET /v1/jobs/{id} carries what `watch --json`'s last
 * line says (`inFlight`: progress, etaSec, totalTimeSec, downtimeSec, converges, warning) and, when done, the
 * outcome (`outcome`, the end line of `watch --json`; for execute also each move's record in `done`).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { HttpError } from '../errors.js';
import { BEARER } from '../auth.js';
import { anyObject, errors } from '../schemas.js';
import { parseDuration } from '../../units.js';
import { followMigration, libvirtReader, qmpReader, NoMigrationError, type Reading, type WatchEnd, type WatchLine, type WatchTimeouts } from '../../hypervisor/watch.js';
import { PLATFORM_TIMEOUTS, type PlatformName } from '../../model/in-flight.js';
import { checkLibvirtTarget } from '../../hypervisor/libvirt/migration-target.js';
import type { AllowedTargets } from '../../hypervisor/qemu/migration-target.js';
import { resolve } from 'node:path';
import type { MoveOutcome } from './execute.js';

/** The most migrations followed at once (each is read every second). */
export const MAX_FOLLOWING = 16;

export interface Job {
  id: string;
  kind: 'execute' | 'follow';
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  /** execute: the moves asked and each one done so far. */
  moves?: number;
  done?: MoveOutcome[];
  /** The migration followed: `{libvirt, domain}` or `{qmp}` (execute: the move in progress, with its `vm`). */
  target?: Record<string, string>;
  /** The latest reading's figures, as `watch --json` prints them. */
  inFlight?: WatchLine;
  /** follow: how it ended (`watch --json`'s end line). */
  outcome?: WatchEnd;
  error?: string;
}

/** Where a reading comes from: made per migration followed (injected in tests). */
export type ReaderFactory = (t: { libvirt: string; domain: string } | { qmp: string }) => Promise<{ read: () => Promise<Reading>; close: () => void }>;

export const defaultReaders: ReaderFactory = (t) => ('qmp' in t ? qmpReader(t.qmp) : libvirtReader(t.libvirt, t.domain));

/** The jobs the service knows: the last 100 finished ones and every running one. */
export class Jobs {
  private readonly map = new Map<string, Job>();
  constructor(readonly readers: ReaderFactory = defaultReaders, readonly intervalSec = 1) {}
  create(kind: Job['kind'], extra: Partial<Job> = {}): Job {
    const job: Job = { id: randomUUID(), kind, state: 'running', startedAt: new Date().toISOString(), ...extra };
    this.map.set(job.id, job);
    for (const [id, j] of this.map) if (this.map.size > 100 && j.state !== 'running') this.map.delete(id);
    return job;
  }
  get(id: string): Job | undefined {
    return this.map.get(id);
  }
  running(kind: Job['kind']): boolean {
    return this.runningCount(kind) > 0;
  }
  runningCount(kind: Job['kind']): number {
    return [...this.map.values()].filter((j) => j.kind === kind && j.state === 'running').length;
  }
  finish(job: Job, state: 'done' | 'failed', error?: string): void {
    job.state = state;
    job.finishedAt = new Date().toISOString();
    if (error !== undefined) job.error = error;
  }

  /**
   * Follows one migration into `job.inFlight` until it ends, or until `signal` (the caller knows it ended);
   * answers the end line, or undefined when none started within `waitSec`. Reading errors end the follow, never
   * the job.
   */
  async follow(job: Job, t: { libvirt: string; domain: string } | { qmp: string }, o: WatchTimeouts & { waitSec: number; signal?: AbortSignal }): Promise<WatchEnd | undefined> {
    let reader;
    try {
      reader = await this.readers(t);
    } catch (e) {
      job.error = `cannot read the migration: ${(e as Error).message}`;
      return undefined;
    }
    try {
      return await followMigration(reader.read, { ...o, intervalSec: this.intervalSec, onLine: (l) => (job.inFlight = l) });
    } catch (e) {
      if (!(e instanceof NoMigrationError)) job.error = `cannot read the migration: ${(e as Error).message}`;
      return undefined;
    } finally {
      reader.close();
    }
  }
}

export const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    state: { type: 'string' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    moves: { type: 'integer' },
    done: { type: 'array', items: anyObject },
    target: anyObject,
    inFlight: anyObject,
    outcome: anyObject,
    error: { type: 'string' },
  },
} as const;

/** The completion time-out a request asks for (`completionTimeout` or `platformTimeouts`). */
export function timeoutsOf(body: { completionTimeout?: unknown; platformTimeouts?: unknown }): WatchTimeouts {
  if (body.completionTimeout !== undefined && body.platformTimeouts !== undefined) throw new HttpError(400, 'completionTimeout: give either it or platformTimeouts, not both', 'completionTimeout');
  if (body.platformTimeouts !== undefined && !Object.hasOwn(PLATFORM_TIMEOUTS, String(body.platformTimeouts))) throw new HttpError(400, `platformTimeouts: must be one of ${Object.keys(PLATFORM_TIMEOUTS).join(', ')}`, 'platformTimeouts');
  return {
    ...(body.completionTimeout !== undefined ? { completionTimeoutSec: parseDuration('completionTimeout', body.completionTimeout as string | number) } : {}),
    ...(body.platformTimeouts !== undefined ? { platformTimeouts: body.platformTimeouts as PlatformName } : {}),
  };
}

export function jobsRoutes(app: FastifyInstance, o: { auth: onRequestHookHandler; jobs: Jobs; allowed?: AllowedTargets }): void {
  app.post('/v1/jobs', {
    onRequest: o.auth,
    schema: {
      summary: "Follow a migration in flight (whoever started it): {libvirt, domain} or {qmp}, on the operator's allow-list; answers a job whose GET carries watch's figures",
      tags: ['execute'],
      security: BEARER,
      body: {
        type: 'object',
        properties: {
          libvirt: { type: 'string', minLength: 1 },
          domain: { type: 'string', minLength: 1 },
          qmp: { type: 'string', minLength: 1 },
          completionTimeout: { type: ['string', 'number'] },
          platformTimeouts: { type: 'string' },
          wait: { type: ['string', 'number'] },
        },
        additionalProperties: false,
      },
      response: { 202: jobSchema, ...errors },
    },
  }, async (req, reply) => {
    const body = req.body as { libvirt?: string; domain?: string; qmp?: string; completionTimeout?: unknown; platformTimeouts?: unknown; wait?: unknown };
    let target: { libvirt: string; domain: string } | { qmp: string };
    if ((body.qmp === undefined) === (body.libvirt === undefined)) throw new HttpError(400, 'qmp: give exactly one of qmp (a socket path) or libvirt (a URI) with domain', 'qmp');
    if (body.libvirt !== undefined) {
      if (body.domain === undefined) throw new HttpError(400, 'domain: is required with libvirt', 'domain');
      const issue = checkLibvirtTarget({ libvirt: body.libvirt, domain: body.domain }, o.allowed?.libvirt, 'body', false);
      if (issue) throw new HttpError(400, `${issue.field.replace(/^body\./, '')}: ${issue.rule}`, issue.field.replace(/^body\./, ''));
      target = { libvirt: body.libvirt, domain: body.domain };
    } else {
      if (body.domain !== undefined) throw new HttpError(400, 'domain: goes with libvirt, not qmp', 'domain');
      const sockets = new Set((o.allowed?.qmpSockets ?? []).map((p) => resolve(p)));
      if (!body.qmp!.startsWith('/') || !sockets.has(resolve(body.qmp!))) throw new HttpError(400, 'qmp: is not a QMP socket the operator listed (serve --allow-dest)', 'qmp');
      target = { qmp: body.qmp! };
    }
    const timeouts = timeoutsOf(body);
    const waitSec = parseDuration('wait', (body.wait as string | number | undefined) ?? '30s');
    if (!(waitSec > 0 && waitSec <= 3600)) throw new HttpError(400, 'wait: must be greater than 0 and at most 3600 s', 'wait');
    if (o.jobs.runningCount('follow') >= MAX_FOLLOWING) throw new HttpError(429, `jobs: already following ${MAX_FOLLOWING} migrations; wait for one to end`, 'jobs');
    const job = o.jobs.create('follow', { target: { ...target } });
    void (async () => {
      const end = await o.jobs.follow(job, target, { ...timeouts, waitSec });
      if (!end) return o.jobs.finish(job, 'failed', job.error ?? `no migration started within ${waitSec} s`);
      job.outcome = end;
      o.jobs.finish(job, end.status === 'completed' || end.status === 'left-source' ? 'done' : 'failed');
    })();
    return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
  });

  app.get('/v1/jobs/:id', {
    schema: {
      summary: 'A job (POST /v1/execute, POST /v1/jobs): its state, the migration in flight as `watch --json` shows it, each move done, the outcome',
      tags: ['execute'],
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: jobSchema, ...errors },
    },
  }, async (req) => {
    const job = o.jobs.get((req.params as { id: string }).id);
    if (!job) throw new HttpError(404, 'id: no such job', 'id');
    return job;
  });
}
