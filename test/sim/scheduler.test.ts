import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Host, Vm } from '../../src/sim/state.js';
import { allocatedMips, reservedMips, updateHost, vmCreate } from '../../src/sim/scheduler.js';
import { HP_ML110_G4_WATTS } from '../../src/sim/power.js';

const spec = { model: 'test', cores: 2, coreMips: 1000, ramMb: 4096, bwKbps: 1_000_000, powerWatts: HP_ML110_G4_WATTS };
const vmAt = (id: number, mips: number, u: number) => new Vm(id, { name: `vm${id}`, mips, ramMb: 512, bwKbps: 0, utilisation: new Float64Array(289).fill(u), workloadClass: 'batch' });

describe('the CPU scheduler (CLOUDSIM-NOTES 3.1)', () => {
  it('gives every VM its ask (capped at a core) while demand fits', () => {
    const h = new Host(0, spec);
    const a = vmAt(0, 1500, 0.5); // asks 750
    const b = vmAt(1, 2000, 0.6); // asks 1200, capped at the core's 1000
    vmCreate(h, a);
    vmCreate(h, b);
    updateHost(h, 300.1, 300);
    assert.equal(allocatedMips(h, a), 750);
    assert.equal(allocatedMips(h, b), 1000);
    assert.equal(h.usedMips, 1750);
    assert.equal(reservedMips(h), 1750);
  });
  it('over-subscribed: each VM gets floor(ask x total / demand)', () => {
    const h = new Host(0, spec);
    const a = vmAt(0, 1000, 0.9); // asks 900
    const b = vmAt(1, 1000, 0.9);
    const c = vmAt(2, 1000, 0.9);
    for (const v of [a, b, c]) vmCreate(h, v);
    updateHost(h, 300.1, 300);
    // demand 2700 > 2000: floor(900 x 2000 / 2700) = floor(666.67) = 666 each
    for (const v of [a, b, c]) assert.equal(allocatedMips(h, v), 666);
    assert.equal(h.usedMips, 1998);
    assert.equal(a.history[0], 0.9); // a step (t - 0.1 on the grid) records the history
  });
});
