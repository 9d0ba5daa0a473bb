/**
 * Platform constants reach every command the same way (`--platform FILE` on predict, its batch, plan; the API's
 * `platform` field), and without them the final copy runs as QEMU runs it: uncapped, at link speed.
 */
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/http/app.js';
import { DEFAULT_LINK_BYTES_PER_SEC, predictWithOutlook as predict } from '../../src/index.js';
import { parsePlatform, predictInputFrom } from '../../src/input.js';
import { roundForJson } from '../../src/rounding.js';
import { assertClose, MiB } from '../helpers.js';
import { runCli as run } from '../cli-run.js';

const app = buildApp();
after(() => app.close());
before(() => assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build`'));

function ok(args: string[], input?: string) {
  const r = run(args, input);
  assert.equal(r.code, 0, r.err);
  return r.out;
}

const dir = mkdtempSync(join(tmpdir(), 'migcost-platform-'));
/** What `lab calibrate` writes (fitted on passes 6-12). */
const FILE_DOC = { fittedAt: '2026-12-06T00:00:00Z', migrations: 357, host: 'AMD EPYC x2', platform: { setupSec: 0.001, resumeSec: 0.004, firstTouchRateBytesPerSec: 357536981.25, stopCopyRateBytesPerSec: 674268833.8 } };
const file = join(dir, 'platform.json');
writeFileSync(file, JSON.stringify(FILE_DOC));
const fields = { memory: '384MiB', dirtyRate: '20MiB/s', bandwidth: '100MiB/s', downtimeLimit: '300ms' };
const flags = ['--memory', '384MiB', '--dirty-rate', '20MiB/s', '--bandwidth', '100MiB/s', '--downtime-limit', '300ms'];
const CONTRACT = ['totalTimeSec', 'downtimeSec', 'transferredBytes', 'rounds', 'converged', 'reason', 'energyJoules'] as const;
const pick = (o: Record<string, unknown>) => Object.fromEntries(CONTRACT.map((k) => [k, o[k]]));

describe('the final copy without platform constants', () => {
  it('a sample file fed to predict --vm (no store) is switched over at link speed, not at the 100 MiB/s cap', () => {
    const vm = join(dir, 'vm.json');
    writeFileSync(vm, JSON.stringify({ memoryBytes: 384 * MiB, pageSizeBytes: 4096, dirtyRateBytesPerSec: 20 * MiB, curve: [], sampledAt: '' }));
    const p = JSON.parse(ok(['predict', '--vm', vm, '--bandwidth', '100MiB/s', '--downtime-limit', '300ms', '--json']));
    assert.ok(p.stopCopyBytes > 1 * MiB, 'a real final copy');
    assertClose(p.stopCopySec, p.stopCopyBytes / DEFAULT_LINK_BYTES_PER_SEC, 1e-5);
    assert.ok(p.downtimeSec < 0.3 / 4, `downtime ${p.downtimeSec} s, far below the cap's ${p.stopCopyBytes / (100 * MiB)} s`);
  });
  it('--help states the default', () => {
    assert.match(ok(['predict', '--help']).replace(/\s+/g, ' '), /10 Gbit\/s link speed/);
  });
});

describe('--platform FILE: one loader, the same numbers everywhere', () => {
  const lib = roundForJson(predict(predictInputFrom({ ...fields, platform: FILE_DOC })));

  it('predict, its batch, POST /v1/predict and /v1/predict/batch agree with the library given the constants', async () => {
    const single = JSON.parse(ok(['predict', ...flags, '--platform', file, '--json']));
    const batch = JSON.parse(ok(['predict', '--input', '-', '--platform', file], `${JSON.stringify(fields)}\n`).trim());
    const api = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { ...fields, platform: FILE_DOC } })).json();
    const apiBatch = (await app.inject({ method: 'POST', url: '/v1/predict/batch', payload: { rows: [{ ...fields, platform: FILE_DOC.platform }] } })).json().results[0];
    for (const o of [single, batch, api, apiBatch]) assert.deepEqual(pick(o), pick(lib as unknown as Record<string, unknown>));
    assertClose(single.resumeSec, 0.004);
    const without = JSON.parse(ok(['predict', ...flags, '--json']));
    assert.notEqual(without.downtimeSec, single.downtimeSec, 'the constants change the prediction');
  });

  it('the four flags win over the file', () => {
    const p = JSON.parse(ok(['predict', ...flags, '--platform', file, '--resume-time', '50ms', '--stop-copy-rate', '1GB/s', '--json']));
    assertClose(p.resumeSec, 0.05);
    const q = predict(predictInputFrom({ ...fields, platform: FILE_DOC, resumeTime: '50ms', stopCopyRate: '1GB/s' }));
    assert.equal(p.downtimeSec, roundForJson(q).downtimeSec);
  });

  it('plan --platform FILE and POST /v1/plan {platform} price the moves alike', async () => {
    const cluster = { hosts: [{ id: 'h1', cpu: 4, memory: '16GiB', bandwidth: '100MiB/s' }, { id: 'h2', cpu: 8, memory: '16GiB', bandwidth: '100MiB/s' }], vms: [{ id: 'a', host: 'h1', cpu: 3, memory: '2GiB', dirtyRate: '20MiB/s' }, { id: 'b', host: 'h1', cpu: 3, memory: '4GiB', dirtyRate: '1MiB/s' }] };
    const cf = join(dir, 'cluster.json');
    writeFileSync(cf, JSON.stringify(cluster));
    const cli = JSON.parse(ok(['plan', '--cluster', cf, '--policy', 'mia', '--platform', file, '--json']));
    const api = (await app.inject({ method: 'POST', url: '/v1/plan', payload: { cluster, policy: 'mia', platform: FILE_DOC } })).json();
    assert.equal(cli.moves.length, 1);
    assert.deepEqual(api.moves[0].predicted.downtimeSec, cli.moves[0].predicted.downtimeSec);
    assertClose(cli.moves[0].predicted.resumeSec, 0.004);
  });

  it('a bad file or field is refused naming it: exit 2, 400', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ platform: { lineRate: 5 } }));
    const r = run(['predict', ...flags, '--platform', bad]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--platform: ".*bad.json" holds a bad constant: platform.lineRate: 5 is not a platform constant \(known: .*lineRateBytesPerSec/);
    const missing = run(['predict', ...flags, '--platform', join(dir, 'nope.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--platform: .* does not exist/);
    const res = await app.inject({ method: 'POST', url: '/v1/predict', payload: { ...fields, platform: { stopCopyRateBytesPerSec: -1 } } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, 'platform.stopCopyRateBytesPerSec');
    assert.throws(() => parsePlatform('platform', { resumeSec: '20ms', syncSec: 'soon' }), /platform.syncSec/);
    assert.deepEqual(parsePlatform('platform', { resumeSec: '20ms', lineRateBytesPerSec: '1GB/s' }), { resumeSec: 0.02, lineRateBytesPerSec: 1e9 });
  });
});
