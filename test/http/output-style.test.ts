/**
 * One output style: the same prediction asked as `predict --json`, as a batch row (CLI and API) and as
 * POST /v1/predict answers the same numbers, rounded by src/rounding.ts's one rule.
 */
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildApp } from '../../src/http/app.js';
import { roundFigure, roundForJson, fixedDecimals } from '../../src/rounding.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const app = buildApp();
after(() => app.close());
before(() => assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build`'));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const CONTRACT = ['totalTimeSec', 'downtimeSec', 'transferredBytes', 'rounds', 'converged', 'reason', 'energyJoules'] as const;
const pick = (o: Record<string, unknown>) => Object.fromEntries(CONTRACT.map((k) => [k, o[k]]));

describe('JSON rounding: one rule', () => {
  it('rounds by the unit in the field name', () => {
    assert.equal(roundFigure('transferredBytes', 7334255536.865732), 7334255537);
    assert.equal(roundFigure('rateBytesPerSec', 1.5), 2);
    assert.equal(roundFigure('totalTimeSec', 58.70204429492586), 58.702044);
    assert.equal(roundFigure('energyJoules', 3601.344461360221), 3601.344);
    assert.equal(roundFigure('maxThrottle', 0.123456), 0.1235);
    assert.equal(roundFigure('rounds', 8), 8);
    assert.deepEqual(roundForJson({ a: { stopCopyBytes: 1.4 }, trace: [{ durationSec: 0.1234567 }], reason: 'x', ok: true }), { a: { stopCopyBytes: 1 }, trace: [{ durationSec: 0.123457 }], reason: 'x', ok: true });
  });

  it("the batch writer's fast formatter parses back to the same number", () => {
    for (const x of [0, 1.5, 58.70204429492586, 0.0000004, 0.0000006, 123456.7890123, -2.5e-7]) assert.equal(Number(fixedDecimals(x, 6)), roundFigure('xSec', x) || 0);
  });

  const fields = { memory: '4GiB', dirtyRate: '50MiB/s', bandwidth: '1Gbit/s', policy: 'qemu', downtimeLimit: '300ms' };
  const flags = ['--memory', '4GiB', '--dirty-rate', '50MiB/s', '--bandwidth', '1Gbit/s', '--policy', 'qemu', '--downtime-limit', '300ms'];

  it('predict --json, a CLI batch row, POST /v1/predict and /v1/predict/batch give identical numbers', async () => {
    const single = JSON.parse(cli(['predict', ...flags, '--json']));
    assert.ok(Number.isInteger(single.transferredBytes), 'bytes are whole');
    const batch = JSON.parse(cli(['predict', '--input', '-'], `${JSON.stringify(fields)}\n`).trim());
    const api = (await app.inject({ method: 'POST', url: '/v1/predict', payload: fields })).json();
    const apiBatch = (await app.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows: [fields] } })).json().results[0];
    assert.deepEqual(pick(batch), pick(single));
    assert.deepEqual(pick(api), pick(single));
    assert.deepEqual(pick(apiBatch), pick(single));
    for (const k of ['setupSec', 'precopySec', 'stopCopySec', 'stopCopyBytes', 'resumeSec', 'maxThrottle']) assert.equal(api[k], single[k], k);
  });
});
