/**
 * Property: 1,000 random bodies at every endpoint (app.inject, a real SQLite store) get no 5xx, and every
 * 400 names a field. Bodies mix arbitrary JSON with objects built from each route's own field names and
 * awkward values. POST /v1/execute runs a fake move runner (real moves need QEMU guests).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildApp } from '../../src/http/app.js';
import { openStore, type Store } from '../../src/store/store.js';
import { fakeRecord } from '../store/fixtures.js';

const RUNS = 1000;
const TOKEN = 'fuzz-token';
const dir = mkdtempSync(join(tmpdir(), 'migcost-fuzz-'));
let store: Store;
let app: ReturnType<typeof buildApp>;

before(async () => {
  store = await openStore(join(dir, 'fuzz.sqlite'));
  for (let i = 0; i < 4; i++) await store.recordMigration(fakeRecord(i, 4));
  app = buildApp({ store, token: TOKEN, webRoot: false, runMove: async (m) => ({ ...fakeRecord(9, 2), config: { ...fakeRecord(9, 2).config, params: { vm: m.vm } } }) });
});
after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const awkward = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, -1e308, 5e-324, 0.5, 2 ** 53, '', 'NaN', 'Infinity', '-4GiB', '4GiB', '1Gbit/s', '300ms', '50MiB/s', 'qemu', 'xen', 'liu', 'curve', 'moa', 'optimal', 'thr', 'lr', '1h', 'mmt', '19990101', '2026-11-22T00:00:00Z', 'lab-dirtier-256M', '__proto__', 'constructor'),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const KEYS: Record<string, string[]> = {
  predict: ['memory', 'dirtyRate', 'bandwidth', 'policy', 'downtimeLimit', 'zeroPageFraction', 'dirtyModel', 'curve', 'autoConverge', 'timeout', 'adaptiveRate', 'energy', 'trace', 'maxRounds', 'workingSet', 'pageSize', 'wwsCoeffs', 'threshold', 'cpuUtilisation'],
  plan: ['cluster', 'policy', 'objective', 'hosts', 'vms', 'detector', 'param', 'consolidate', 'utilisationHistory'],
  sample: ['id', 'sample', 'source', 'memoryBytes', 'dirtyRateBytesPerSec', 'curve', 'sampledAt', 'zeroPageFraction', 'pageSizeBytes', 'cpuUtilisation'],
  calibrate: ['kinds', 'host', 'idleWatts'],
  execute: ['plan', 'targets', 'moves', 'vms', 'downtimeLimit', 'timeout', 'autoConverge', 'vm', 'from', 'to', 'bandwidthBytesPerSec', 'predicted', 'qmp', 'uri'],
  simulate: ['day', 'detector', 'selection', 'param', 'seed', 'vms', 'hosts'],
};
/** Objects of the route's keys, nested a level or two, or any JSON value at all. */
function bodies(keys: string[]) {
  const { node } = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', maxDepth: 3 }, awkward, fc.dictionary(fc.constantFrom(...keys), tie('node'), { maxKeys: 6 }), fc.array(tie('node'), { maxLength: 3 })),
  }));
  return fc.oneof(fc.dictionary(fc.constantFrom(...keys), node, { maxKeys: 8 }), fc.jsonValue({ maxDepth: 3 }));
}

async function check(method: 'POST' | 'GET', url: string | fc.Arbitrary<string>, body: fc.Arbitrary<unknown> | undefined, authorised = true): Promise<void> {
  const urls = typeof url === 'string' ? fc.constant(url) : url;
  await fc.assert(
    fc.asyncProperty(urls, body ?? fc.constant(undefined), fc.boolean(), async (u, b, raw) => {
      const headers: Record<string, string> = authorised ? { authorization: `Bearer ${TOKEN}` } : {};
      let payload: string | undefined;
      if (method === 'POST') {
        headers['content-type'] = 'application/json';
        payload = raw && typeof b === 'string' ? b : JSON.stringify(b ?? null); // raw: a string body that is not JSON
      }
      const res = await app.inject({ method, url: u, headers, payload });
      assert.ok(res.statusCode < 500, `${method} ${u} ${payload} -> ${res.statusCode} ${res.body}`);
      if (res.statusCode === 400 || res.statusCode === 401) {
        const field = res.json().field;
        assert.ok(typeof field === 'string' && field.length > 0, `${method} ${u} ${payload} -> 400 without a field: ${res.body}`);
      }
    }),
    { numRuns: RUNS, seed: 20261122 },
  );
}

const segment = fc.oneof(fc.constantFrom('lab-dirtier-256M', 'web-1', 'x', '%20', '..', 'a%2Fb', ''), fc.string({ maxLength: 20 }).map(encodeURIComponent));
const query = fc.oneof(fc.constant(''), fc.tuple(fc.constantFrom('limit', 'idleWatts', 'host', 'x'), fc.oneof(fc.constantFrom('0', '-1', '1', '1e9', 'abc', ''), fc.string({ maxLength: 6 }).map(encodeURIComponent))).map(([k, v]) => `?${k}=${v}`));

describe(`fuzz: ${RUNS} random bodies per endpoint, no 5xx, every 400 names a field`, () => {
  it('POST /v1/predict', () => check('POST', '/v1/predict', bodies(KEYS.predict)));
  it('POST /v1/predict/batch', () => check('POST', '/v1/predict/batch', fc.oneof(bodies(['rows', ...KEYS.predict]), fc.array(bodies(KEYS.predict), { maxLength: 4 }).map((rows) => ({ rows })))));
  it('POST /v1/plan', () => check('POST', '/v1/plan', bodies(KEYS.plan)));
  it('POST /v1/vms/:vmId/samples', () => check('POST', segment.map((s) => `/v1/vms/${s}/samples`), fc.oneof(bodies(KEYS.sample), bodies(KEYS.sample).map((sample) => ({ id: 'fuzz-sample-1', sample })))));
  it('POST /v1/vms/:vmId/samples without the token', () => check('POST', '/v1/vms/x/samples', bodies(KEYS.sample), false));
  it('POST /v1/calibrate', () => check('POST', '/v1/calibrate', bodies(KEYS.calibrate)));
  it('POST /v1/execute', () => check('POST', '/v1/execute', bodies(KEYS.execute)));
  it('POST /v1/simulate', () => check('POST', '/v1/simulate', bodies(KEYS.simulate)));
  for (const route of ['/v1/vms', '/v1/vms/$/migrations', '/v1/vms/$/samples', '/v1/fits', '/v1/models', '/v1/jobs/$']) {
    it(`GET ${route.replace('$', ':id')} with random ids and queries`, () => check('GET', fc.tuple(segment, query).map(([s, q]) => `${route.replace('$', s)}${q}`), undefined));
  }
});
