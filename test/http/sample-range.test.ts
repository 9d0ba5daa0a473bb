/**
 * Property over the whole numeric range of every numeric field of a posted sample (doubles from 5e-324 to 1.8e308,
 * negatives, zero): POST /v1/vms/{vmId}/samples stores it (201) or answers 400 naming the field varied; and a
 * sample it stored is one the model prices: POST /v1/predict with it answers 200 with only finite figures.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildApp } from '../../src/http/app.js';
import { openStore } from '../../src/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-sample-range-'));
const store = await openStore(join(dir, 'range.sqlite'));
const TOKEN = 'sample-range-test-token-0123';
const app = buildApp({ store, token: TOKEN, webRoot: false });
after(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const RUNS = 60;
const BASE = {
  memoryBytes: 2 ** 30,
  pageSizeBytes: 4096,
  dirtyRateBytesPerSec: 2 ** 24,
  curve: [{ windowSec: 0.5, dirtiedBytes: 2 ** 22 }, { windowSec: 1, dirtiedBytes: 2 ** 23 }],
  zeroPageFraction: 0.2,
  cpuUtilisation: 0.5,
  sampledAt: '2026-11-22T00:00:00.000Z',
  bitmapCurve: [{ windowSec: 0.8, dirtiedBytes: 2 ** 23 }],
  bitmapZeroShare: 0.1,
  zeroPageFractionLate: 0.3,
  zeroPagesLateAt: '2026-11-22T00:00:05.000Z',
  nonZeroGrowthBytesPerSec: 1000,
  ramLayout: { windowSec: 1, nonZeroPages: [100, 200], changedPages: [10, 20] },
};

/** Each numeric field as a path into the sample. */
const FIELDS: (string | number)[][] = [
  ['memoryBytes'], ['pageSizeBytes'], ['dirtyRateBytesPerSec'], ['curve', 0, 'windowSec'], ['curve', 1, 'dirtiedBytes'], ['zeroPageFraction'], ['cpuUtilisation'],
  ['bitmapCurve', 0, 'windowSec'], ['bitmapCurve', 0, 'dirtiedBytes'], ['bitmapZeroShare'], ['zeroPageFractionLate'], ['nonZeroGrowthBytesPerSec'], ['ramLayout', 'windowSec'], ['ramLayout', 'nonZeroPages', 1],
];
const fieldName = (path: (string | number)[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');

const anyNumber = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(5e-324, 1e-300, -0, 0, 1, 4096, 1e15, 1e300, 1e308, Number.MAX_VALUE, -1e308, 2 ** 53 + 1));

function notFinite(o: unknown, path = ''): string | undefined {
  if (o === null) return `${path} (null)`;
  if (typeof o === 'number') return Number.isFinite(o) ? undefined : path;
  if (typeof o === 'object') for (const [k, v] of Object.entries(o as object)) {
    const p = notFinite(v, `${path}.${k}`);
    if (p) return p;
  }
  return undefined;
}

let n = 0;
describe('a posted sample over the whole numeric range of each field: stored and priced, or a 400 naming it', () => {
  for (const path of FIELDS) {
    const name = fieldName(path);
    it(`sample.${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(anyNumber, async (x) => {
          const sample = structuredClone(BASE) as Record<string, any>;
          let at = sample;
          for (const k of path.slice(0, -1)) at = at[k];
          at[path[path.length - 1]] = x;
          const id = `range-${process.pid}-${n++}`;
          const r = await app.inject({ method: 'POST', url: '/v1/vms/range-vm/samples', headers: { authorization: `Bearer ${TOKEN}` }, payload: { id, sample } });
          const what = `sample.${name} = ${x}`;
          if (r.statusCode === 400) {
            const field = r.json().field as string;
            assert.ok(field === `sample.${name}` || field.startsWith(`sample.${name}`) || field === `sample.${String(path[0])}`, `${what} -> 400 naming ${field}: ${r.body}`);
            return;
          }
          assert.equal(r.statusCode, 201, `${what} -> ${r.statusCode} ${r.body}`);
          const p = await app.inject({ method: 'POST', url: '/v1/predict', payload: { sample, bandwidth: '1Gbit/s' } });
          assert.equal(p.statusCode, 200, `${what}: stored, but predict -> ${p.statusCode} ${p.body}`);
          const bad = notFinite(p.json());
          assert.equal(bad, undefined, `${what}: stored, but predict has a non-finite figure at ${bad}`);
        }),
        { numRuns: RUNS, seed: 16 },
      );
    });
  }
});
