/**
 * The batch writer's number formatter (src/rounding.ts `fixedDecimals`, four of a batch line's seven numbers the
 * outlook's) prints the same strings as the version it replaced (commit 579d202, kept here verbatim), for any
 * double, at the decimals the writers use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixedDecimals, roundFigure } from '../../src/rounding.js';

function fixedDecimalsBefore(x: number, decimals: number): string {
  const scale = 10 ** decimals;
  const n = Math.round(x * scale);
  if (!(Math.abs(n) < 9e15)) return String(n / scale);
  const neg = n < 0;
  let s = String(neg ? -n : n);
  if (s.length <= decimals) s = '0'.repeat(decimals - s.length + 1) + s;
  const out = `${s.slice(0, s.length - decimals)}.${s.slice(s.length - decimals)}`;
  return neg ? `-${out}` : out;
}

test('fixedDecimals, worked examples: padding, signs, the 2^53 edge, non-finite', () => {
  assert.equal(fixedDecimals(58.70204429492586, 6), '58.702044');
  assert.equal(fixedDecimals(0.0000004, 6), '0.000000');
  assert.equal(fixedDecimals(0.0000006, 6), '0.000001');
  assert.equal(fixedDecimals(-2.5e-7, 6), '0.000000');
  assert.equal(fixedDecimals(-0.5, 3), '-0.500');
  assert.equal(fixedDecimals(3601.344461360221, 3), '3601.344');
  assert.equal(fixedDecimals(1, 6), '1.000000');
  assert.equal(fixedDecimals(8999999999.999999, 6), fixedDecimalsBefore(8999999999.999999, 6));
  assert.equal(fixedDecimals(1e12, 6), '1000000000000');
  for (const x of [NaN, Infinity, -Infinity, -0, 0]) for (const d of [0, 3, 6]) assert.equal(fixedDecimals(x, d), fixedDecimalsBefore(x, d));
});

test('property: fixedDecimals prints what it printed before, and parses back to roundFigure', () => {
  const doubles = fc.oneof(fc.double(), fc.double({ min: -1e10, max: 1e10 }), fc.double({ min: -10, max: 10 }), fc.integer({ min: -9e9, max: 9e9 }).map((n) => n / 1e6 + 5e-7));
  fc.assert(
    fc.property(doubles, fc.constantFrom(0, 1, 3, 6, 9), (x, d) => {
      assert.equal(fixedDecimals(x, d), fixedDecimalsBefore(x, d));
      // (past 2^53 / 10^6 both print n / scale, which roundFigure's integers need not be: as before)
      if (d === 6 && Math.abs(x) < 9e9) assert.equal(Number(fixedDecimals(x, 6)), roundFigure('xSec', x) || 0);
    }),
    { numRuns: 20000, seed: 42 },
  );
});
