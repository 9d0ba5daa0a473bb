/**
 * POST /v1/execute: runs a plan's moves for real through the QEMU driver or libvirt (the steps of `migcost
 * execute`: sample the VM, migrate it to its destination, record the outcome with its trace in the store).
 * Moves run one after another in a background job; GET /v1/jobs/:id reports it (routes/jobs.ts), with `watch`'s
 * figures for a libvirt move in flight.
 */
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
import { allowedDomain, checkLibvirtTarget } from '../../hypervisor/libvirt/migration-target.js';
import { jobSchema, type Jobs } from './jobs.js';

export interface PlannedMove {
  vm: string;
  from: string;
  to: string;
  bandwidthBytesPerSec: number;
  predicted: Prediction;
}

/** A QMP socket and the URI the destination QEMU listens on; or a libvirt domain and its destination connection. */
export type MoveTarget = { qmp: string; uri: string } | LibvirtMoveTarget;

/** `xml` (a destination domain XML file) only ever comes from the operator's allow-list. */
export interface LibvirtMoveTarget {
  libvirt: string;
  domain: string;
  dest: string;
  xml?: string;
}

export interface MoveOptions {
  downtimeLimitSec: number;
  timeoutSec: number;
  autoConverge: boolean;
}

/** Runs one move and returns the record to store. Injected in tests (a real one needs QEMU guests). */
export type MoveRunner = (m: PlannedMove, t: MoveTarget, o: MoveOptions) => Promise<MigrationRecord>;

/** The real runner: sample, migrate, record (the routines `migcost execute` and `lab run` use), over QMP or libvirt. */
export const qemuMoveRunner: MoveRunner = async (m, t, o) => {
  if ('libvirt' in t) return libvirtMoveRunner(m, t, o);
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

const libvirtMoveRunner = async (m: PlannedMove, t: LibvirtMoveTarget, o: MoveOptions): Promise<MigrationRecord> => {
  const { Virsh } = await import('../../hypervisor/libvirt/virsh.js');
  const { sampleAndMigrateDomain } = await import('../../hypervisor/libvirt/sample-and-migrate.js');
  const { record } = await sampleAndMigrateDomain({
    source: new Virsh(t.libvirt),
    domain: t.domain,
    destinationUri: t.dest,
    xmlFile: t.xml,
    sampling: { windowsSec: [1] },
    config: (sample) => ({ memoryBytes: sample.memoryBytes, workload: 'external', params: { vm: m.vm.replace(/[^\w.-]/g, '_'), from: m.from, to: m.to }, bandwidthBytesPerSec: m.bandwidthBytesPerSec, downtimeLimitSec: o.downtimeLimitSec, autoConverge: o.autoConverge, timeoutSec: o.timeoutSec }),
    predict: () => ({ plan: m.predicted }),
  });
  return record;
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

/**
 * `allowed`: the destinations, QMP sockets and libvirt domains the operator listed (serve --allow-dest,
 * --allow-libvirt-domain, --allow-libvirt-dest); without it every move is refused.
 */
export function executeRoutes(app: FastifyInstance, o: { store?: Store; auth: onRequestHookHandler; runMove: MoveRunner; allowed?: AllowedTargets; jobs: Jobs }): void {
  const jobs = o.jobs;

  app.post('/v1/execute', {
    onRequest: o.auth,
    schema: {
      summary: "Run a plan's moves for real through QEMU or libvirt (the output of POST /v1/plan and how to reach each VM: {qmp, uri} or {libvirt, domain, dest}); answers a job",
      tags: ['execute'],
      security: BEARER,
      body: {
        type: 'object',
        properties: {
          plan: { type: 'object', properties: { moves: { type: 'array', items: moveSchema, minItems: 1, maxItems: 1000 } }, required: ['moves'] },
          targets: {
            type: 'object',
            properties: { vms: { type: 'object', additionalProperties: { type: 'object', properties: { qmp: { type: 'string', minLength: 1 }, uri: { type: 'string', minLength: 1 }, libvirt: { type: 'string', minLength: 1 }, domain: { type: 'string', minLength: 1 }, dest: { type: 'string', minLength: 1 }, xml: {} } } } },
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
    type AnyTarget = { qmp?: string; uri?: string; libvirt?: string; domain?: string; dest?: string; xml?: unknown };
    const body = req.body as { plan: { moves: PlannedMove[] }; targets: { vms: Record<string, AnyTarget> }; downtimeLimit?: unknown; timeout?: unknown; autoConverge?: boolean };
    const store = needStore(o.store);
    const moves = body.plan.moves;
    for (const [i, m] of moves.entries()) {
      const t = body.targets.vms[m.vm];
      const field = `targets.vms.${m.vm}`;
      if (!t || !Object.hasOwn(body.targets.vms, m.vm)) throw new HttpError(400, `${field}: must give qmp (socket path) and uri, or libvirt, domain and dest, for move ${i + 1}`, field);
      const missing = t.qmp === undefined ? 'qmp' : 'uri';
      if (t.libvirt === undefined && (t.qmp === undefined || t.uri === undefined)) throw new HttpError(400, `${field}.${missing}: is required (or give libvirt, domain and dest)`, `${field}.${missing}`);
    }
    const opts: MoveOptions = {
      downtimeLimitSec: parseDuration('downtimeLimit', body.downtimeLimit ?? '300ms'),
      timeoutSec: parseDuration('timeout', body.timeout ?? '600s'),
      autoConverge: body.autoConverge === true,
    };
    const tIssue = timeoutIssue(opts.timeoutSec);
    if (tIssue) throw new HttpError(400, `timeout: ${tIssue}`, 'timeout');
    const targets = new Map<string, MoveTarget>();
    for (const m of moves) {
      const field = `targets.vms.${m.vm}`;
      const t = body.targets.vms[m.vm];
      if (t.libvirt !== undefined) {
        const lv = { libvirt: t.libvirt, domain: t.domain ?? m.vm, dest: t.dest, xml: t.xml };
        const issue = checkLibvirtTarget(lv, o.allowed?.libvirt, field);
        if (issue) throw new HttpError(400, `${issue.field}: ${issue.rule}`, issue.field);
        const xml = allowedDomain(lv, o.allowed?.libvirt)?.xml;
        targets.set(m.vm, { libvirt: lv.libvirt, domain: lv.domain, dest: lv.dest!, ...(xml !== undefined ? { xml } : {}) });
        continue;
      }
      if (!o.allowed) throw new HttpError(400, `${field}.uri: no destination is allowed (start serve with --allow-dest FILE)`, `${field}.uri`);
      const qt = { qmp: t.qmp!, uri: t.uri! };
      const issue = checkTarget(qt, o.allowed, field);
      if (issue) throw new HttpError(400, `${issue.field}: ${issue.rule}`, issue.field);
      targets.set(m.vm, qt);
    }
    if (jobs.running('execute')) throw new HttpError(409, 'execute: a plan is already running (see GET /v1/jobs/:id)', 'plan');
    const job = jobs.create('execute', { moves: moves.length, done: [] });
    const done = job.done!;
    void (async () => {
      for (const m of moves) {
        const t = targets.get(m.vm)!;
        // A libvirt move is followed as `watch` follows one, into job.inFlight (a QMP move's socket is the runner's).
        const stop = new AbortController();
        const lv = 'libvirt' in t ? t : undefined;
        job.target = lv ? { vm: m.vm, libvirt: lv.libvirt, domain: lv.domain } : { vm: m.vm };
        job.inFlight = undefined;
        const followed = lv ? jobs.follow(job, { libvirt: lv.libvirt, domain: lv.domain }, { waitSec: opts.timeoutSec, signal: stop.signal }) : undefined;
        try {
          const rec = await o.runMove(m, t, opts).finally(() => stop.abort());
          await followed;
          await store.recordMigration(rec);
          done.push({ vm: m.vm, from: m.from, to: m.to, status: rec.measured.status, predicted: m.predicted, measured: rec.measured, migrationId: rec.id });
        } catch (e) {
          await followed;
          done.push({ vm: m.vm, from: m.from, to: m.to, status: 'error', predicted: m.predicted, error: (e as Error).message });
        }
      }
      jobs.finish(job, done.some((d) => d.status !== 'completed') ? 'failed' : 'done');
    })();
    return reply.code(202).header('location', `/v1/jobs/${job.id}`).send(job);
  });
}
