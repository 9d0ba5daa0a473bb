import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, parseRate, parseDuration, parseFraction, InputError, SIZE_SPELLINGS, RATE_SPELLINGS, TIME_SPELLINGS } from '../../src/units.js';

const Ki = 1024;
/**
 * Every accepted spelling with its factor to the base unit, written out by hand (not derived from the tables in
 * src/units.ts): the test below checks that this list and those tables name the same spellings, so a new
 * spelling needs its expected value here.
 */
const SPELLINGS: { size: [string, number][]; rate: [string, number][]; time: [string, number][] } = {
  size: [
    ['B', 1], ['byte', 1], ['bytes', 1],
    ['K', Ki], ['M', Ki ** 2], ['G', Ki ** 3], ['T', Ki ** 4],
    ['KiB', Ki], ['MiB', Ki ** 2], ['GiB', Ki ** 3], ['TiB', Ki ** 4],
    ['KB', 1e3], ['MB', 1e6], ['GB', 1e9], ['TB', 1e12],
  ],
  rate: [
    ['B/s', 1], ['Bps', 1], ['bytes/s', 1],
    ['KB/s', 1e3], ['KBps', 1e3], ['KiB/s', Ki], ['K/s', Ki],
    ['MB/s', 1e6], ['MBps', 1e6], ['MiB/s', Ki ** 2], ['M/s', Ki ** 2],
    ['GB/s', 1e9], ['GBps', 1e9], ['GiB/s', Ki ** 3], ['G/s', Ki ** 3],
    ['TB/s', 1e12], ['TBps', 1e12], ['TiB/s', Ki ** 4], ['T/s', Ki ** 4],
    ['bit/s', 1 / 8], ['b/s', 1 / 8], ['bps', 1 / 8],
    ['Kbit/s', 125], ['Kb/s', 125], ['Kbps', 125],
    ['Mbit/s', 125e3], ['Mb/s', 125e3], ['Mbps', 125e3],
    ['Gbit/s', 125e6], ['Gb/s', 125e6], ['Gbps', 125e6],
    ['Tbit/s', 125e9], ['Tb/s', 125e9], ['Tbps', 125e9],
  ],
  time: [['us', 1e-6], ['µs', 1e-6], ['ms', 1e-3], ['s', 1], ['sec', 1], ['min', 60], ['h', 3600]],
};
const PARSERS = { size: parseSize, rate: parseRate, time: parseDuration } as const;
const TABLES = { size: SIZE_SPELLINGS, rate: RATE_SPELLINGS, time: TIME_SPELLINGS } as const;


describe('units', () => {
  for (const kind of ['size', 'rate', 'time'] as const) {
    it(`every ${kind} spelling: the documented table, its value, with and without a space`, () => {
      assert.deepEqual(TABLES[kind].map((s) => s.unit).sort(), SPELLINGS[kind].map(([u]) => u).sort());
      for (const [unit, factor] of SPELLINGS[kind]) {
        assert.equal(PARSERS[kind]('f', `3${unit}`), 3 * factor, `3${unit}`);
        assert.equal(PARSERS[kind]('f', `1.5 ${unit}`), 1.5 * factor, `1.5 ${unit}`);
      }
    });
  }
  it('sizes ignore case: QEMU/libvirt suffixes are binary whatever their case, KB decimal', () => {
    assert.equal(parseSize('memory', '4g'), 4 * 2 ** 30);
    assert.equal(parseSize('memory', '4G'), parseSize('memory', '4GiB'));
    assert.equal(parseSize('memory', '512m'), 512 * 2 ** 20);
    assert.equal(parseSize('memory', '3k'), 3072);
    assert.equal(parseSize('memory', '3kB'), 3000);
    assert.equal(parseSize('memory', '2gib'), 2 * 2 ** 30);
  });
  it('rates: a lower-case b is bits, an upper-case B bytes; the prefix and ps/bit are read whatever their case', () => {
    assert.equal(parseRate('bandwidth', '1GBps'), 1e9);
    assert.equal(parseRate('bandwidth', '1Gbps'), 1.25e8);
    assert.equal(parseRate('bandwidth', '1gbps'), 1.25e8);
    assert.equal(parseRate('bandwidth', '1GBPS'), 1e9);
    assert.equal(parseRate('bandwidth', '100mbps'), 1.25e7);
    assert.equal(parseRate('bandwidth', '100MBps'), 1e8);
    assert.equal(parseRate('bandwidth', '1GBIT/s'), 1.25e8);
    assert.equal(parseRate('bandwidth', '2 Gbits/s'), 2.5e8);
    assert.equal(parseRate('bandwidth', '1gib/s'.replace('b', 'B')), 2 ** 30);
    assert.equal(parseRate('bandwidth', '10mb/s'), 1.25e6);
    assert.equal(parseRate('bandwidth', '10mB/s'), 1e7);
    assert.equal(parseRate('bandwidth', '1g/s'), 2 ** 30);
    assert.throws(() => parseRate('bandwidth', '1Mib/s'), /unknown unit "Mib\/s"/);
  });
  it('times ignore case', () => {
    assert.equal(parseDuration('timeout', '2MIN'), 120);
    assert.equal(parseDuration('timeout', '300MS'), 0.3);
  });
  it('a plain number is the base unit, unless a unit is needed (command line): then the error names the flag and suggests one', () => {
    assert.equal(parseRate('bandwidth', '125000000'), 1.25e8);
    assert.equal(parseDuration('downtimeLimit', 0.3), 0.3);
    const needs = (fn: () => unknown, message: string) => assert.throws(fn, (e: unknown) => e instanceof InputError && e.message === message && e.field.startsWith('--'));
    needs(() => parseDuration('--downtime-limit', '300', { needUnit: true }), '--downtime-limit 300: a time needs a unit, e.g. 300ms or 0.3s');
    needs(() => parseDuration('--timeout', ' 0.5 ', { needUnit: true }), '--timeout 0.5: a time needs a unit, e.g. 0.5s or 500ms');
    needs(() => parseRate('--bandwidth', '1000', { needUnit: true }), '--bandwidth 1000: a rate needs a unit, e.g. 1000MiB/s, 1000Mbit/s or 1000B/s');
    needs(() => parseRate('--dirty-rate', 50, { needUnit: true }), '--dirty-rate 50: a rate needs a unit, e.g. 50MiB/s, 50Mbit/s or 50B/s');
    assert.equal(parseDuration('--downtime-limit', '300ms', { needUnit: true }), 0.3);
    assert.equal(parseSize('--memory', '4096'), 4096);
  });
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
    check(() => parseDuration('timeout', '3m'), /timeout: "3m" has an unknown unit "m" \(known: us, µs, ms, s, sec, min, h\)/);
    check(() => parseSize('memory', undefined), /^memory must be a size such as 4GiB$/);
  });
});
