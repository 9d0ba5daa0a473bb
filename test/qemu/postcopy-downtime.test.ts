/** Post-copy's downtime sentinel (pure: no QEMU). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postcopyDowntimeSec } from '../../src/hypervisor/qemu/technique-settings.js';

describe('postcopyDowntimeSec', () => {
  it('reads a downtime equal to the post-copy phase as a switch under 1 ms', () => {
    // QEMU reported 134 ms for a run whose post-copy phase lasted 133 ms: the 0 ms switch was overwritten.
    assert.equal(postcopyDowntimeSec(0.134, 0.133), 0.0005);
    assert.equal(postcopyDowntimeSec(0.129, 0.133), 0.0005);
  });
  it('keeps a real switch downtime', () => {
    assert.equal(postcopyDowntimeSec(0.003, 0.133), 0.003);
    assert.equal(postcopyDowntimeSec(0.1, 0.5), 0.1);
  });
  it('keeps the reported downtime when there was no post-copy phase to confuse it with', () => {
    assert.equal(postcopyDowntimeSec(0.004, undefined), 0.004);
    assert.equal(postcopyDowntimeSec(0.004, 0), 0.004);
    assert.equal(postcopyDowntimeSec(0.004, 0.004), 0.004);
  });
});
