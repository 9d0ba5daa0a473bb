/** Techniques at the edges: predict --technique and its flags, a technique column in batch input, and POST /v1/predict. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildApp } from '../../src/http/app.js';
import { predict, type PredictInput, type TechniquePrediction } from '../../src/index.js';
import { predictWithOutlook } from '../../src/model/outlook.js';
import { assertClose, MiB } from '../helpers.js';

const BIN = new URL('../../bin/migcost.js', import.meta.url).pathname;
const run = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const VM = ['--memory', '512MiB', '--dirty-rate', '160MiB/s', '--working-set', '256MiB', '--bandwidth', '50MiB/s'];
const libInput = (technique?: TechniquePrediction['technique'], extra: object = {}): PredictInput =>
  ({ vm: { memoryBytes: 512 * MiB, dirtyRateBytesPerSec: 160 * MiB, workingSetBytes: 256 * MiB }, bandwidthBytesPerSec: 50 * MiB, policy: { name: 'qemu' }, ...(technique ? { technique: { name: technique, ...extra } } : {}) });
const lib = (technique?: TechniquePrediction['technique'], extra: object = {}) => predict(libInput(technique, extra));

before(() => assert.ok(existsSync(new URL('../../dist/cli/main.js', import.meta.url)), 'dist/ is missing: run `npm run build` (npm test does)'));

describe('migcost predict --technique', () => {
  it('answers each technique as the library does, with its own fields (JSON and table)', () => {
    const pc = JSON.parse(run(['predict', ...VM, '--technique', 'postcopy', '--postcopy-after', '2', '--json']).out);
    const want = lib('postcopy', { postcopyAfterPasses: 2 });
    assert.equal(pc.technique, 'postcopy');
    assertClose(pc.postcopyPhaseSec, want.postcopyPhaseSec!, 1e-5); // JSON keeps seconds to the µs
    assertClose(pc.remoteFaults, want.remoteFaults!, 5e-4); // a count, to 4 significant digits (src/rounding.ts)
    const secs = JSON.parse(run(['predict', ...VM, '--technique', 'postcopy', '--postcopy-after', '3s', '--json']).out);
    assertClose(secs.switchoverSec, 3);
    const x = JSON.parse(run(['predict', ...VM, '--technique', 'xbzrle', '--xbzrle-cache', '256MiB', '--xbzrle-delta-ratio', '0.004', '--json']).out);
    assertClose(x.xbzrleCacheHitRatio, 1);
    // the answer is the outlook's median (every technique's outlook runs over its syncs); `plain` is the library's run
    const xs = { xbzrleCacheBytes: 256 * MiB, xbzrleDeltaRatio: 0.004 };
    assertClose(x.plain.transferredBytes, lib('xbzrle', xs).transferredBytes);
    assertClose(x.transferredBytes, predictWithOutlook(libInput('xbzrle', xs)).transferredBytes, 1e-5);
    assertClose(x.convergenceProbability, predictWithOutlook(libInput('xbzrle', xs)).convergenceProbability, 1e-3);
    const m = JSON.parse(run(['predict', ...VM, '--technique', 'multifd', '--multifd-channels', '4', '--multifd-compression', 'zstd', '--compression-ratio', '1.5', '--json']).out);
    assert.deepEqual([m.multifdChannels, m.multifdCompression, m.compressionRatio], [4, 'zstd', 1.5]);
    const rw = JSON.parse(run(['predict', ...VM, '--technique', 'multifd', '--multifd-compression', 'zstd', '--compression-ratio', '5', '--compression-ratio-rewritten', '200', '--channel-speedup-rewritten', '3', '--json']).out);
    assert.equal(rw.compressionRatioRewritten, 200);
    assertClose(rw.plain.transferredBytes, lib('multifd', { multifdCompression: 'zstd', compressionRatio: 5, compressionRatioRewritten: 200, channelSpeedupRewritten: 3 }).transferredBytes, 1e-5);
    const dl = JSON.parse(run(['predict', ...VM, '--technique', 'dirty-limit', '--vcpu-dirty-limit', '2MiB/s', '--vcpus', '2', '--json']).out);
    assert.equal(dl.measured, false);
    assert.equal(dl.dirtyLimitBytesPerSec, 4 * MiB);
    const table = run(['predict', ...VM, '--technique', 'compress']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /multifd with zlib/);
    assert.match(run(['predict', ...VM, '--technique', 'postcopy']).out, /remote faults/);
  });

  it('without --technique, the JSON is the plain prediction (no technique field)', () => {
    assert.equal(JSON.parse(run(['predict', ...VM, '--json']).out).technique, undefined);
  });

  it('an unknown name or a misplaced setting is exit 2 naming the flag and the rule', () => {
    const bad = run(['predict', ...VM, '--technique', 'teleport']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--technique.*'teleport'.*precopy, auto-converge, postcopy, xbzrle, multifd, compress, dirty-limit/);
    const cache = run(['predict', ...VM, '--technique', 'xbzrle', '--xbzrle-cache', '100MiB']);
    assert.equal(cache.code, 2);
    assert.match(cache.err, /--xbzrle-cache: "100MiB" must be a power of two/);
    assert.match(run(['predict', ...VM, '--technique', 'postcopy', '--multifd-channels', '4']).err, /--multifd-channels: "4" applies only with technique multifd or compress/);
    assert.match(run(['predict', ...VM, '--postcopy-after', '2']).err, /--postcopy-after: "2" needs a technique \(postcopy\)/);
    assert.match(run(['predict', ...VM, '--policy', 'xen', '--technique', 'xbzrle']).err, /--technique applies to --policy qemu only; the policy is xen/);
    assert.match(run(['predict', ...VM, '--technique', 'precopy', '--auto-converge']).err, /use technique auto-converge/);
    assert.match(run(['predict', ...VM, '--technique', 'multifd', '--compression-ratio-rewritten', '0']).err, /--compression-ratio-rewritten: "0" must be greater than 0/);
    assert.match(run(['predict', ...VM, '--technique', 'multifd', '--channel-speedup-rewritten', '2']).err, /--channel-speedup-rewritten: "2" needs compressionRatioRewritten/);
  });
});

describe('batch input with a technique column', () => {
  const csv = 'id,memory,dirtyRate,bandwidth,workingSet,technique,postcopyAfter,xbzrleCache,xbzrleDeltaRatio\n' +
    'a,512MiB,160MiB/s,50MiB/s,256MiB,,,,\nb,512MiB,160MiB/s,50MiB/s,256MiB,postcopy,2,,\nc,512MiB,160MiB/s,50MiB/s,256MiB,xbzrle,,256MiB,0.004\n';
  it('CSV: each row its technique, the plain row unchanged', () => {
    const r = run(['predict', '--input', '-'], csv);
    assert.equal(r.code, 0, r.err);
    const [a, b, c] = r.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(a.technique, undefined);
    assertClose(a.totalTimeSec, lib().totalTimeSec, 1e-6);
    assert.equal(b.technique, 'postcopy');
    assertClose(b.postcopyPhaseSec, lib('postcopy', { postcopyAfterPasses: 2 }).postcopyPhaseSec!, 1e-6);
    assert.equal(c.technique, 'xbzrle');
    assert.equal(c.xbzrleCacheHitRatio, 1);
  });

  it('JSON Lines answer as the CSV does; a bad name fails its row', () => {
    const jsonl = '{"id":"a","memory":"512MiB","dirtyRate":"160MiB/s","bandwidth":"50MiB/s","workingSet":"256MiB"}\n' +
      '{"id":"b","memory":"512MiB","dirtyRate":"160MiB/s","bandwidth":"50MiB/s","workingSet":"256MiB","technique":"postcopy","postcopyAfter":2}\n' +
      '{"id":"c","memory":"512MiB","dirtyRate":"160MiB/s","bandwidth":"50MiB/s","workingSet":"256MiB","technique":"xbzrle","xbzrleCache":"256MiB","xbzrleDeltaRatio":0.004}\n';
    assert.equal(run(['predict', '--input', '-'], jsonl).out, run(['predict', '--input', '-'], csv).out);
    const bad = run(['predict', '--input', '-'], '{"memory":"1GiB","dirtyRate":0,"bandwidth":"1Gbit/s","technique":"warp"}\n');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /row 1: technique: "warp" must be one of precopy, auto-converge/);
  });
});

describe('POST /v1/predict with a technique', () => {
  const app = buildApp();
  after(() => app.close());
  const post = (payload: object) => app.inject({ method: 'POST', url: '/v1/predict', payload: payload as Record<string, unknown> });
  const body = { memory: '512MiB', dirtyRate: '160MiB/s', bandwidth: '50MiB/s', workingSet: '256MiB' };
  it('answers the technique and its own fields', async () => {
    const r = await post({ ...body, technique: 'postcopy' });
    assert.equal(r.statusCode, 200, r.body);
    const want = lib('postcopy');
    assert.equal(r.json().technique, 'postcopy');
    assertClose(r.json().postcopyPhaseSec, want.postcopyPhaseSec!, 1e-5);
    assertClose(r.json().remoteFaults, want.remoteFaults!, 5e-4);
    const m = await post({ ...body, technique: 'multifd', multifdCompression: 'zstd' });
    assert.equal(m.json().multifdCompression, 'zstd');
    assert.equal(m.json().compressionRatio, 1.1);
  });
  it('an unknown technique is a 400 listing the known ones', async () => {
    const r = await post({ ...body, technique: 'warp' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().field, 'technique');
    assert.match(r.json().message, /must be one of precopy, auto-converge, postcopy, xbzrle, multifd, compress, dirty-limit/);
  });
});
