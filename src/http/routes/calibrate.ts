/**
 * Calibration on the newest stored migrations: GET /v1/fits computes the fits with their residuals (nothing saved;
 * its answer is kept while the history is unchanged); POST /v1/calibrate computes the same and saves each as the
 * next version of its model; GET /v1/models.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Store } from '../../store/store.js';
import { fitWiredEnergy, migrationEnergyFromPower } from '../../calibrate/fits.js';
import { FIT_KINDS, FitWindow, fitRow, fitRows, type FitKind, type FitResult, type Skipped } from './fit-window.js';
import { HttpError } from '../errors.js';
import { BEARER } from '../auth.js';
import { anyObject, errors } from '../schemas.js';
import { needStore } from './history.js';

export { FIT_KINDS, type FitKind, type FitResult } from './fit-window.js';

/**
 * The fits read the newest FIT_WINDOW migrations by default (one bounded query, an index walk), not all history:
 * a request costs the same on a store of a thousand migrations or of a million. `last` asks for another window,
 * at most MAX_FIT_WINDOW (GET /v1/fits, open to all: at most GET_FIT_WINDOW).
 */
export const FIT_WINDOW = 1000;
export const GET_FIT_WINDOW = 2000;
export const MAX_FIT_WINDOW = 5000;
/** Windows GET /v1/fits keeps up to date (fit-window.ts), the most recently asked; each with its answer. */
const WINDOWS_KEPT = 4;
const DEFAULT_KINDS: readonly FitKind[] = ['qemu-platform', 'wws'];

export interface FitOptions {
  kinds?: readonly FitKind[];
  /** Fit on the newest this many migrations (default FIT_WINDOW). */
  last?: number;
  /** wired-energy: the host whose power samples cover the migrations, and its idle power P0 (W). */
  host?: string;
  idleWatts?: number;
}

/** Runs the fits asked for on the store's newest migrations; kinds without enough data are listed in `skipped`. */
export async function runFits(store: Store, o: FitOptions): Promise<{ migrations: number; fits: FitResult[]; skipped: Skipped[] }> {
  const kinds = o.kinds ?? (o.idleWatts === undefined ? DEFAULT_KINDS : FIT_KINDS);
  const records = await store.listMigrations({ last: o.last ?? FIT_WINDOW });
  const { fits, skipped } = fitRows(records.map(fitRow), kinds);
  if (kinds.includes('wired-energy')) {
    if (o.idleWatts === undefined) skipped.push({ kind: 'wired-energy', reason: 'needs idleWatts (P0 of eq. 16) and power samples of the host' });
    else {
      const host = o.host ?? 'default';
      const pairs: { transferredBytes: number; energyJoules: number }[] = [];
      for (const r of records) {
        if (r.measured.status !== 'completed') continue;
        const start = Date.parse(r.startedAt) / 1000;
        const samples = await store.powerSamples(host, start - 1, start + r.measured.totalTimeSec + 2);
        try {
          pairs.push({ transferredBytes: r.measured.transferredBytes, energyJoules: migrationEnergyFromPower(samples, start, r.measured.totalTimeSec, o.idleWatts) });
        } catch {
          /* no power samples cover this migration */
        }
      }
      if (pairs.length < 2) skipped.push({ kind: 'wired-energy', reason: `needs power samples of host ${host} covering at least 2 migrations (has ${pairs.length})` });
      else {
        try {
          const f = fitWiredEnergy(pairs);
          fits.push({ kind: 'wired-energy', params: f.params, r2: f.r2, n: f.n, quantity: 'migration energy (J)', points: f.fitted.map((v, i) => ({ measured: v + f.residuals[i], fitted: v, residual: f.residuals[i] })) });
        } catch (e) {
          skipped.push({ kind: 'wired-energy', reason: (e as Error).message });
        }
      }
    }
  }
  return { migrations: records.length, fits, skipped };
}

const fitsResponse = {
  type: 'object',
  properties: {
    migrations: { type: 'integer', description: 'how many migrations were fitted on (the newest `last`)' },
    fits: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          params: anyObject,
          r2: { type: ['number', 'null'] },
          n: { type: 'integer' },
          quantity: { type: 'string' },
          version: { type: 'integer' },
          points: { type: 'array', items: { type: 'object', properties: { measured: { type: 'number' }, fitted: { type: 'number' }, residual: { type: 'number' } } } },
        },
      },
    },
    skipped: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, reason: { type: 'string' } } } },
  },
} as const;

const fitOptions = {
  kinds: { type: 'array', items: { type: 'string', enum: [...FIT_KINDS] }, minItems: 1, uniqueItems: true },
  host: { type: 'string', minLength: 1, maxLength: 128 },
  idleWatts: { type: 'number', minimum: 0 },
  last: { type: 'integer', minimum: 1, maximum: MAX_FIT_WINDOW, description: `fit on the newest this many migrations (default ${FIT_WINDOW})` },
} as const;

export function calibrateRoutes(app: FastifyInstance, o: { store?: Store; auth: onRequestHookHandler }): void {
  const windows = new Map<number, { window: FitWindow; version?: number; body?: string }>();
  app.get('/v1/fits', {
    schema: {
      summary: 'The fits calibrate would make on the newest stored migrations, with their residuals (nothing saved)',
      tags: ['calibrate'],
      querystring: {
        type: 'object',
        properties: {
          host: fitOptions.host,
          idleWatts: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$', description: 'idle power P0 (W)' },
          last: { type: 'string', pattern: '^[1-9][0-9]{0,2}$|^1[0-9]{3}$|^2000$', description: `fit on the newest this many migrations (1-${GET_FIT_WINDOW}, default ${FIT_WINDOW})` },
        },
        additionalProperties: false,
      },
      response: { 200: fitsResponse, ...errors },
    },
  }, async (req, reply) => {
    const q = req.query as { host?: string; idleWatts?: string; last?: string };
    const store = needStore(o.store);
    const opts: FitOptions = { host: q.host, idleWatts: q.idleWatts === undefined ? undefined : Number(q.idleWatts), last: q.last === undefined ? undefined : Number(q.last) };
    // The energy fit also reads power samples, which change without the migrations: fitted on a full read each time.
    if (opts.idleWatts !== undefined) return runFits(store, opts);
    const size = opts.last ?? FIT_WINDOW;
    let kept = windows.get(size);
    if (kept) windows.delete(size); // most recently asked last
    else {
      kept = { window: new FitWindow(store, size) };
      if (windows.size >= WINDOWS_KEPT) windows.delete(windows.keys().next().value as number);
    }
    windows.set(size, kept);
    const { rows, version } = await kept.window.current();
    if (kept.version !== version || kept.body === undefined) {
      kept.body = reply.serialize({ migrations: rows.length, ...fitRows(rows, DEFAULT_KINDS) }) as string;
      kept.version = version;
    }
    const body = kept.body;
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.post('/v1/calibrate', {
    onRequest: o.auth,
    schema: {
      summary: 'Fit the platform constants, working-set and (with idleWatts) energy models on the newest stored migrations and save them',
      tags: ['calibrate'],
      security: BEARER,
      body: { type: 'object', properties: fitOptions, additionalProperties: false },
      response: { 200: fitsResponse, ...errors },
    },
  }, async (req) => {
    const store = needStore(o.store);
    const r = await runFits(store, (req.body ?? {}) as FitOptions);
    if (r.fits.length === 0) throw new HttpError(409, `history: nothing to fit (${r.skipped.map((s) => `${s.kind}: ${s.reason}`).join('; ')})`, 'history');
    for (const f of r.fits) f.version = (await store.saveModel(f.kind, f.params, f.r2)).version;
    return r;
  });

  app.get('/v1/models', {
    schema: {
      summary: 'Fitted models in the store, every version',
      tags: ['calibrate'],
      response: { 200: { type: 'object', properties: { models: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' }, version: { type: 'integer' }, params: {}, r2: { type: ['number', 'null'] }, createdAt: { type: 'string' } } } } } }, ...errors },
    },
  }, async () => ({ models: await needStore(o.store).listModels() }));
}
