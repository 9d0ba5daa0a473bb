import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readTar } from '../../src/sim/ustar.js';
import { traceFromPercent } from '../../src/sim/presets.js';
import { traceUtilisation } from '../../src/sim/engine.js';
import { assertClose } from '../helpers.js';

function tarOf(files: Array<[string, string]>): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const [name, text] of files) {
    const h = new Uint8Array(512);
    h.set(enc.encode(name), 0);
    h.set(enc.encode(text.length.toString(8).padStart(11, '0')), 124);
    h[156] = '0'.charCodeAt(0);
    h.set(enc.encode('ustar'), 257);
    blocks.push(h);
    const body = new Uint8Array(Math.ceil(text.length / 512) * 512);
    body.set(enc.encode(text));
    blocks.push(body);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let off = 0;
  for (const b of blocks) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

describe('PlanetLab traces', () => {
  it('reads the files of a ustar archive in stored order', () => {
    const entries = [...readTar(tarOf([['planetlab/20110303/b', '1\n2\n'], ['planetlab/20110303/a', '3\n']]))];
    assert.deepEqual(entries.map((e) => e.path), ['planetlab/20110303/b', 'planetlab/20110303/a']);
    assert.equal(new TextDecoder().decode(entries[0].data), '1\n2\n');
  });
  it('288 samples / 100, the last repeated; u(t) on the grid and linear between', () => {
    const pct = Array.from({ length: 288 }, (_, i) => i % 100);
    const d = traceFromPercent(pct);
    assert.equal(d.length, 289);
    assert.equal(d[288], d[287]);
    assert.equal(traceUtilisation(d, 600, 300), 0.02);
    // a step at 300.1: d[1] + (d[2] - d[1]) / 300 x 0.1
    assertClose(traceUtilisation(d, 300.1, 300), 0.01 + (0.01 / 300) * (300.1 - 300));
    // an arrival 27.84 s later
    assertClose(traceUtilisation(d, 327.94, 300), 0.01 + (0.01 / 300) * 27.94);
  });
});
