import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectMinimumMigrationTime, selectMinimumUtilisation, selectMaximumCorrelation, makeSelection, type SelectableVm } from '../../src/sim/selection.js';
import { mulberry32 } from '../../src/stats/random.js';

const vm = (ramMb: number, utilisation: number, history: number[] = [], mips = 1000): SelectableVm => ({ ramMb, mips, utilisation, history });

describe('VM selection', () => {
  it('mmt: least RAM, the earliest on ties', () => {
    assert.equal(selectMinimumMigrationTime([vm(1740, 0.1), vm(613, 0.9), vm(613, 0.2), vm(870, 0)]), 1);
    assert.equal(selectMinimumMigrationTime([]), -1);
  });
  it('mu: least utilisation (a fraction, not MIPS)', () => {
    assert.equal(selectMinimumUtilisation([vm(613, 0.3, [], 500), vm(870, 0.2, [], 2500), vm(1740, 0.2, [], 1000)]), 1);
  });
  it('mc: the VM best explained by the others; MMT when the fit is impossible', () => {
    const a = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    const b = [0.6, 0.1, 0.5, 0.2, 0.4, 0.3];
    const c = [0.2, 0.4, 0.6, 0.8, 1.0, 1.25]; // ~2a: a and c explain each other, b is noise
    const picked = selectMaximumCorrelation([vm(613, 0, b), vm(870, 0, a), vm(1740, 0, c)]);
    assert.ok(picked === 1 || picked === 2);
    // one candidate, or a history shorter than the number of candidates: MMT
    assert.equal(selectMaximumCorrelation([vm(870, 0, [0.1, 0.2]), vm(613, 0, [0.3, 0.1])].slice(0, 1)), 0);
    assert.equal(selectMaximumCorrelation([vm(870, 0, [0.1, 0.2]), vm(613, 0, [0.3, 0.1]), vm(1740, 0, [0.3, 0.1])]), 1);
  });
  it('rs: seeded, in range', () => {
    const rs = makeSelection('rs', mulberry32(7));
    for (let i = 0; i < 100; i++) {
      const k = rs([vm(1, 0), vm(2, 0), vm(3, 0)]);
      assert.ok(k >= 0 && k < 3);
    }
  });
});
