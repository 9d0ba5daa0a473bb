/**
 * POST /v1/simulate: CloudSim's power-aware consolidation over a PlanetLab day (simulateCluster), synchronous
 * (a few seconds for the full 800 hosts; `vms` and `hosts` make it smaller). simulateCluster reports totals
 * only; the per-step timeline here counts the migrations (and their modelled bytes, downtime and energy)
 * started at each scheduling step (not the candidates a cost-aware selection only priced).
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { simulateCluster } from '../../sim/engine.js';
import { cloudsimPlanetLabPreset, CLOUDSIM_HOSTS, type PlanetLabTrace } from '../../sim/presets.js';
import { SIM_DETECTORS, SIM_DETECTOR_DEFAULTS, type SimDetector } from '../../sim/detectors.js';
import { SIM_SELECTIONS, type SimSelection } from '../../sim/selection.js';
import type { MigrationPricer } from '../../sim/pricer.js';
import { loadPlanetLabDay, DEFAULT_PLANETLAB_ARCHIVE, type FileOrder } from '../../sim/planetlab-loader.js';
import type { SimulationConfig } from '../../sim/types.js';
import { HttpError } from '../errors.js';
import { BEARER } from '../auth.js';
import { anyObject, errors } from '../schemas.js';
import { simulateOptionsSchema, scaledTraces, withMemorySource, pricerFor, simulationExtras, type SimulateOptions } from './simulate-options.js';

export interface TimelineStep {
  step: number;
  timeSec: number;
  migrations: number;
  transferredBytes: number;
  downtimeSec: number;
  energyJoules: number;
}

const INTERVAL_SEC = 300;

export function simulateRoutes(app: FastifyInstance, o: { auth: onRequestHookHandler; tracesPath?: string }): void {
  const cache = new Map<string, PlanetLabTrace[]>();
  const traces = (day: string, order: FileOrder = 'tar'): PlanetLabTrace[] => {
    const key = order === 'tar' ? day : `${day}|${order}`;
    let t = cache.get(key);
    if (!t) {
      try {
        t = loadPlanetLabDay(o.tracesPath ?? DEFAULT_PLANETLAB_ARCHIVE, day, order);
      } catch (e) {
        throw new HttpError(400, `day: no PlanetLab traces for ${day} on this server (${(e as Error).message})`, 'day', { cause: e });
      }
      if (cache.size >= 3) cache.delete(cache.keys().next().value as string);
      cache.set(key, t);
    }
    return t;
  };

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
            result: anyObject,
            timeline: { type: 'array', items: { type: 'object', properties: { step: { type: 'integer' }, timeSec: { type: 'number' }, migrations: { type: 'integer' }, transferredBytes: { type: 'number' }, downtimeSec: { type: 'number' }, energyJoules: { type: 'number' } } } },
            wallSec: { type: 'number' },
          },
        },
        ...errors,
      },
    },
  }, async (req) => {
    const b = req.body as { day: string; detector?: SimDetector; selection?: SimSelection; param?: number; seed?: number; vms?: number; hosts?: number } & SimulateOptions;
    const detector = b.detector ?? 'thr';
    const all = traces(b.day, b.fileOrder);
    const picked = scaledTraces(b.vms === undefined ? all : all.slice(0, b.vms), b, b.seed ?? 1);
    const hosts = (b.scale ?? 1) * (b.hosts ?? (b.vms === undefined ? CLOUDSIM_HOSTS : Math.max(1, Math.ceil((CLOUDSIM_HOSTS * Math.min(b.vms, all.length)) / Math.max(1, all.length)))));
    const timeline: TimelineStep[] = [];
    let cur: TimelineStep = { step: 0, timeSec: 0, migrations: 0, transferredBytes: 0, downtimeSec: 0, energyJoules: 0 };
    const pricer: MigrationPricer = pricerFor(b);
    // only migrations the simulation starts: a cost-aware selection also prices candidates it does not move
    const onMigration: NonNullable<SimulationConfig['onMigration']> = ({ price }) => {
      cur.migrations++;
      if (!price) return;
      cur.transferredBytes += price.transferredBytes;
      cur.downtimeSec += price.downtimeSec;
      cur.energyJoules += price.energyJoules;
    };
    const started = performance.now();
    let result;
    try {
      const cluster = cloudsimPlanetLabPreset(picked, hosts);
      result = simulateCluster({
      ...cluster,
      vms: withMemorySource(cluster.vms, b, b.seed ?? 1, o.tracesPath),
      detector,
      detectorParam: b.param ?? SIM_DETECTOR_DEFAULTS[detector],
      selection: b.selection ?? 'mmt',
      seed: b.seed ?? 1,
      intervalSec: INTERVAL_SEC,
      pricer,
      onMigration,
      ...simulationExtras(b),
      onStep: (done) => {
        timeline.push(cur);
        cur = { step: done, timeSec: done * INTERVAL_SEC, migrations: 0, transferredBytes: 0, downtimeSec: 0, energyJoules: 0 };
      },
      });
    } catch (e) {
      if (e instanceof RangeError || e instanceof TypeError) throw new HttpError(400, `hosts: ${e.message}`, 'hosts', { cause: e });
      throw e;
    }
    return { result, timeline, wallSec: (performance.now() - started) / 1000 };
  });
}
