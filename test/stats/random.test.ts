import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/stats/random.js';

describe('mulberry32', () => {
  it('gives the reference sequence for seed 1', () => {
    const r = mulberry32(1);
    assert.deepEqual([r(), r(), r()], [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });
  it('is repeatable per seed, reads the seed as uint32, and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42 + 2 ** 32);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
    assert.notEqual(mulberry32(1)(), mulberry32(2)());
  });
});
