import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, parseRate, parseDuration, parseFraction, InputError } from '../../src/units.js';

describe('units', () => {
  it('sizes: binary and decimal prefixes, plain bytes', () => {
    const cases: [string | number, number][] = [
      ['4GiB', 4 * 2 ** 30], ['512 MiB', 512 * 2 ** 20], ['8KiB', 8192], ['1.5GB', 1.5e9], ['10MB', 1e7], ['3kB', 3000], ['17B', 17], ['4096', 4096], [4096, 4096], ['1e3', 1000],
    ];
    for (const [v, want] of cases) assert.equal(parseSize('memory', v), want, String(v));
  });
  it('rates: bits and bytes', () => {
    const cases: [string, number][] = [
      ['1Gbit/s', 1.25e8], ['100Mbit/s', 1.25e7], ['100Mbps', 1.25e7], ['800 bit/s', 100], ['50MiB/s', 50 * 2 ** 20], ['10MB/s', 1e7], ['10B/s', 10], ['1Gb/s', 1.25e8], ['125000000', 1.25e8],
    ];
    for (const [v, want] of cases) assert.equal(parseRate('bandwidth', v), want, v);
  });
  it('durations', () => {
    assert.equal(parseDuration('downtimeLimit', '300ms'), 0.3);
    assert.equal(parseDuration('downtimeLimit', '1.5s'), 1.5);
    assert.equal(parseDuration('downtimeLimit', '0.3'), 0.3);
    assert.equal(parseDuration('timeout', '2min'), 120);
    assert.equal(parseDuration('t', '250us'), 0.00025);
  });
  it('fractions', () => {
    assert.equal(parseFraction('z', '0.25'), 0.25);
    assert.equal(parseFraction('z', '25%'), 0.25);
    assert.throws(() => parseFraction('z', '1.2'), /between 0 and 1/);
  });
  it('errors name the field, the value and the rule', () => {
    const check = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof InputError && re.test(e.message));
    check(() => parseSize('memory', '-1GiB'), /^memory: "-1GiB" must not be negative$/);
    check(() => parseSize('memory', 'NaN'), /^memory: "NaN" is not a size/);
    check(() => parseSize('memory', NaN), /^memory: NaN must be a finite number$/);
    check(() => parseSize('memory', '4GiBs'), /memory: "4GiBs" has an unknown unit "GiBs"/);
    check(() => parseRate('bandwidth', '1Gbit'), /bandwidth: "1Gbit" has an unknown unit/);
    check(() => parseDuration('downtimeLimit', '300 parsecs'), /downtimeLimit: "300 parsecs" has an unknown unit/);
    check(() => parseSize('memory', ''), /memory: "" is not a size/);
    check(() => parseSize('memory', {}), /memory: \{\} must be a size/);
  });
});
