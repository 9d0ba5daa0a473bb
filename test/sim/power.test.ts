import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { specPowerWatts, hostEnergyJoules, powerIncreaseWatts, HP_ML110_G4_WATTS as G4, HP_ML110_G5_WATTS as G5 } from '../../src/sim/power.js';
import { assertClose } from '../helpers.js';

describe('SPECpower interpolation (CloudSim power model)', () => {
  it('reads table points directly and interpolates linearly between them', () => {
    assert.equal(specPowerWatts(G4, 0), 86);
    assert.equal(specPowerWatts(G4, 0.1), 89.4);
    assert.equal(specPowerWatts(G5, 1), 135);
    // 25 % on a G4: 92.6 + (96 - 92.6)/10 x (0.25 - 0.2) x 100 = 94.3
    assertClose(specPowerWatts(G4, 0.25), 94.3);
    // 93.9850 % on a G5 (5000 of 5320 MIPS): 133 + 0.2 x 3.9850 = 133.797
    assertClose(specPowerWatts(G5, 5000 / 5320), 133 + 0.2 * ((5000 / 5320 - 0.9) * 100));
  });
  it('refuses utilisation outside [0, 1]', () => {
    assert.throws(() => specPowerWatts(G4, 1.0001), RangeError);
    assert.throws(() => specPowerWatts(G4, -0.1), RangeError);
  });
  it('energy is the trapezoid over the interval, and nothing for a host that was off', () => {
    // G4 from 50 % to 70 % over 300 s: (102 + (108 - 102)/2) x 300 = 31,500 J
    assertClose(hostEnergyJoules(G4, 0.5, 0.7, 300), 31_500);
    assert.equal(hostEnergyJoules(G4, 0, 0.7, 300), 0);
  });
  it("PABFD's cost: power after the VM is added minus power now", () => {
    // G4 with 1860 of 3720 MIPS reserved, at 50 % now, adding 500 MIPS: P(2360/3720) - P(0.5)
    const u = 2360 / 3720; // 0.634408...
    assertClose(powerIncreaseWatts(G4, 3720, 1860, 500, 0.5), 106 + 0.2 * (u - 0.6) * 100 - 102);
    // an empty G5 is measured from idle: P(500/5320) - 93.7 = 0.33 x 9.3985 = 3.1015 W, cheaper than the G4
    assertClose(powerIncreaseWatts(G5, 5320, 0, 500, 0), 0.33 * ((500 / 5320) * 100), 1e-9);
    assert.ok(powerIncreaseWatts(G5, 5320, 0, 500, 0) < powerIncreaseWatts(G4, 3720, 1860, 500, 0.5));
  });
});
