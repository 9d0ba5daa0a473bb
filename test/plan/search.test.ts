import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cheapestSubset } from '../../src/plan/search.js';

describe('cheapestSubset', () => {
  it('finds the least-cost subset that ends the overload', () => {
    // removing VM 0 alone, or VMs 1 and 2 together, ends it: 1 + 3 = 4 < 5
    assert.deepEqual(cheapestSubset([5, 1, 3], (r) => !r.includes(0) && r.length < 2), [1, 2]);
    assert.equal(cheapestSubset([1, 2], () => true), undefined);
    assert.equal(cheapestSubset([], () => false), undefined);
  });
  it('breaks ties by the rule asked for: the first found, or fewer VMs', () => {
    // {0, 1} (mask 3) and {2} (mask 4) both cost 2 and both end the overload
    const over = (r: readonly number[]) => !(r.length === 2 && r.includes(0) && r.includes(1)) && !(r.length === 1 && r[0] === 2);
    assert.deepEqual(cheapestSubset([1, 1, 2], over, 'first'), [0, 1]);
    assert.deepEqual(cheapestSubset([1, 1, 2], over, 'fewer-vms'), [2]);
  });
  it('tests no subset dearer than the best so far', () => {
    const tested: string[] = [];
    cheapestSubset([1, 10], (r) => (tested.push(r.join(',')), false));
    assert.deepEqual(tested, ['0']); // {1} and {0, 1} cost more than {0}
  });
});
