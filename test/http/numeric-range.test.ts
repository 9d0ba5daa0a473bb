/**
 * Property over the whole numeric range of every numeric field (doubles from 5e-324 to 1.8e308, negatives,
 * zero, as JSON numbers and as strings with units): /v1/predict, /v1/predict/batch and /v1/plan answer 200
 * with only finite numbers (no null figures), or 400 naming the field that was varied. Nothing else.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildApp } from '../../src/http/app.js';

const app = buildApp({ webRoot: false });
after(() => app.close());

const RUNS = 150;
const BASE = { memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s' };

/** Every numeric field of a prediction, with what else it needs to be read. */
const PREDICT_FIELDS: Record<string, { unit: string; with?: Record<string, unknown> }> = {
  memory: { unit: 'MiB' },
  dirtyRate: { unit: 'MiB/s' },
  bandwidth: { unit: 'Gbit/s' },
  downtimeLimit: { unit: 'ms' },
  timeout: { unit: 's' },
  maxRounds: { unit: '' },
  zeroPageFraction: { unit: '%' },
  workingSet: { unit: 'MiB', with: { dirtyModel: 'wws' } },
  pageSize: { unit: 'KiB' },
  cpuUtilisation: { unit: '' },
  dirtyZeroShare: { unit: '' },
  threshold: { unit: 'MiB', with: { policy: 'liu' } },
  maxTrafficFactor: { unit: '', with: { policy: 'xen' } },
  delta: { unit: 'MiB/s', with: { adaptiveRate: true } },
  rateMin: { unit: 'MiB/s', with: { adaptiveRate: true } },
  rateMax: { unit: 'Gbit/s', with: { adaptiveRate: true } },
  setupTime: { unit: 's' },
  resumeTime: { unit: 'ms' },
  lineRate: { unit: 'Gbit/s' },
  stopCopyRate: { unit: 'MiB/s' },
  alpha: { unit: '', with: { energy: 'wired' } },
  beta: { unit: '', with: { energy: 'wired' } },
  channelBandwidth: { unit: '', with: { energy: 'wireless' } },
  noiseDensity: { unit: '', with: { energy: 'wireless' } },
};

/** Any double (subnormals, huge, negative, zero), as a JSON number or as a string, with or without a unit. */
const anyNumber = (unit: string) =>
  fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(5e-324, 1e-300, -0, 0, 1, 1e15, 1e300, 1e308, Number.MAX_VALUE, -1e308, 2 ** 53 + 1),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => `${d}${unit}`),
  );

/** The first number that is not finite, or null, in a JSON answer (its path). */
function notFinite(o: unknown, path = ''): string | undefined {
  if (o === null) return `${path} (null)`;
  if (typeof o === 'number') return Number.isFinite(o) ? undefined : path;
  if (typeof o === 'object') for (const [k, v] of Object.entries(o as object)) {
    const p = notFinite(v, `${path}.${k}`);
    if (p) return p;
  }
  return undefined;
}

function judge(res: { statusCode: number; body: string }, fields: (f: string) => boolean, what: string): void {
  if (res.statusCode === 200) {
    const bad = notFinite(JSON.parse(res.body));
    assert.equal(bad, undefined, `${what} -> 200 with a non-finite figure at ${bad}: ${res.body.slice(0, 300)}`);
    return;
  }
  assert.equal(res.statusCode, 400, `${what} -> ${res.statusCode} ${res.body}`);
  const field = JSON.parse(res.body).field;
  assert.ok(typeof field === 'string' && fields(field), `${what} -> 400 naming ${field}, not the field varied: ${res.body}`);
}

const named = (f: string) => (field: string) => field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`);

describe('every numeric field over its whole range: 200 with finite figures, or 400 naming it', () => {
  for (const [f, spec] of Object.entries(PREDICT_FIELDS)) {
    it(`POST /v1/predict ${f}`, async () => {
      await fc.assert(
        fc.asyncProperty(anyNumber(spec.unit), fc.boolean(), async (v, trace) => {
          const body = { ...BASE, ...spec.with, [f]: v, trace };
          judge(await app.inject({ method: 'POST', url: '/v1/predict', payload: body }), named(f), JSON.stringify(body));
        }),
        { numRuns: RUNS, seed: 16_5 },
      );
    });
  }

  it('POST /v1/predict curve points, wws coefficients and layout counts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('curve', 'wwsCoeffs', 'layout'), anyNumber(''), anyNumber(''), async (which, x, y) => {
        const extra =
          which === 'curve'
            ? { curve: [{ windowSec: x, dirtiedBytes: y }] }
            : which === 'wwsCoeffs'
              ? { dirtyModel: 'wws', wwsCoeffs: { a: x, b: y, c: 1 } }
              : { layout: { nonZeroPages: [x, 1], hotPages: [y, 1] } };
        const body = { ...BASE, ...extra };
        judge(await app.inject({ method: 'POST', url: '/v1/predict', payload: body }), (field) => named(which)(field) || field === 'dirtyModel', JSON.stringify(body));
      }),
      { numRuns: RUNS * 2, seed: 16_6 },
    );
  });

  it('POST /v1/predict with every field random at once names one of the fields given', async () => {
    const keys = Object.keys(PREDICT_FIELDS);
    await fc.assert(
      fc.asyncProperty(fc.subarray(keys, { minLength: 1, maxLength: 6 }), fc.array(anyNumber(''), { minLength: 6, maxLength: 6 }), fc.constantFrom({}, { energy: 'wireless' }, { adaptiveRate: true }, { policy: 'liu' }), async (ks, vs, ctx) => {
        const body: Record<string, unknown> = { ...BASE, ...ctx };
        ks.forEach((k, i) => (body[k] = vs[i]));
        judge(await app.inject({ method: 'POST', url: '/v1/predict', payload: body }), (field) => field in body || field === 'body', JSON.stringify(body));
      }),
      { numRuns: RUNS * 4, seed: 16_7 },
    );
  });

  it('POST /v1/predict/batch: the bad row and its field are named; good batches are finite', async () => {
    const keys = Object.keys(PREDICT_FIELDS);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys), anyNumber(''), fc.nat(3), async (f, v, at) => {
        const rows: Record<string, unknown>[] = Array.from({ length: 4 }, (_, i) => ({ id: `r${i}`, ...BASE }));
        rows[at] = { ...rows[at], ...PREDICT_FIELDS[f].with, [f]: v };
        const res = await app.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows } });
        judge(res, named(f), JSON.stringify(rows[at]));
        if (res.statusCode === 400) assert.equal(res.json().row, at);
      }),
      { numRuns: RUNS * 2, seed: 16_8 },
    );
  });

  const HOST_FIELDS = ['cpu', 'memory', 'bandwidth', 'idleWatts', 'maxWatts'];
  const VM_FIELDS = ['cpu', 'memory', 'dirtyRate', 'zeroPageFraction', 'cpuUtilisation'];
  it('POST /v1/plan: every numeric host and VM field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...HOST_FIELDS.map((f) => `hosts[0].${f}`), ...VM_FIELDS.map((f) => `vms[0].${f}`)), anyNumber(''), fc.constantFrom('moa', 'optimal', 'mmt'), async (path, v, policy) => {
        const hosts = [{ id: 'h0', cpu: 2, memory: '8GiB', bandwidth: '1Gbit/s' }, { id: 'h1', cpu: 8, memory: '16GiB' }] as Record<string, unknown>[];
        const vms = [{ id: 'v0', host: 'h0', cpu: 2, memory: '4GiB', dirtyRate: '10MiB/s' }, { id: 'v1', host: 'h0', cpu: 1, memory: '2GiB' }] as Record<string, unknown>[];
        const [, list, field] = /^(hosts|vms)\[0\]\.(.+)$/.exec(path)!;
        (list === 'hosts' ? hosts : vms)[0][field] = v;
        const res = await app.inject({ method: 'POST', url: '/v1/plan', payload: { cluster: { hosts, vms }, policy } });
        // a host made too small names the VM it cannot hold any more
        judge(res, (f) => f === path || (list === 'hosts' && /^vms\[\d\]$/.test(f)) || f === 'vms[0]', `${path}=${v}`);
      }),
      { numRuns: RUNS * 2, seed: 16_9 },
    );
  });
});
