/**
 * The first pass of a pre-copy sends every page of RAM once; when the poll that sees its closing bitmap sync
 * comes late, the pages QEMU re-sent since belong to the next round (worked examples, no QEMU).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstPassEnd } from '../../src/hypervisor/qemu/migrate.js';

const PAGE = 4096;
const ram = (duplicate: number, normal: number, pages = 1000) => ({ duplicate, normal, total: pages * PAGE, 'page-size': PAGE });

describe('firstPassEnd', () => {
  it('is where the counters are when they hold no more than every page once', () => {
    assert.deepEqual(firstPassEnd(ram(600, 400), { zero: 0, normal: 0 }, { zero: 500, normal: 300 }), { zero: 600, normal: 400 });
    assert.deepEqual(firstPassEnd(ram(590, 400), { zero: 0, normal: 0 }, { zero: 500, normal: 300 }), { zero: 590, normal: 400 });
  });

  it('moves the pages past RAM size to the next round, split as the pages since the last poll were', () => {
    // 1,100 pages counted, RAM is 1,000: 100 too many; since the last poll 100 zero and 100 normal pages went
    // out, so 50 of each belong to the next round.
    assert.deepEqual(firstPassEnd(ram(650, 450), { zero: 0, normal: 0 }, { zero: 550, normal: 350 }), { zero: 600, normal: 400 });
  });

  it('never moves more than was sent since the last poll', () => {
    // 200 too many, but only 40 (all normal) sent since the last poll.
    assert.deepEqual(firstPassEnd(ram(700, 500), { zero: 0, normal: 0 }, { zero: 700, normal: 460 }), { zero: 700, normal: 460 });
  });
});
