/**
 * SPECpower-style host power model: watts measured at 0 %, 10 %, ..., 100 % CPU, linear in between
 * (Beloglazov and Buyya's HP ProLiant ML110 G4/G5 tables). Pure.
 */

/** HP ProLiant ML110 G4 (Xeon 3040, 2 x 1860 MIPS): watts at 0, 10, ..., 100 % CPU. */
export const HP_ML110_G4_WATTS: readonly number[] = Object.freeze([86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117]);
/** HP ProLiant ML110 G5 (Xeon 3075, 2 x 2660 MIPS): watts at 0, 10, ..., 100 % CPU. */
export const HP_ML110_G5_WATTS: readonly number[] = Object.freeze([93.7, 97, 101, 105, 110, 116, 121, 125, 129, 133, 135]);

/**
 * Power (W) at CPU utilisation `u` in [0, 1] from an 11-point table, with CloudSim's arithmetic: a `u` with
 * `u mod 0.1 = 0` (as floating point computes it) reads the table directly; otherwise
 * P = P1 + (P2 - P1)/10 x (u - u1/10) x 100 with u1 = floor(10u), u2 = ceil(10u).
 * @example specPowerWatts(HP_ML110_G4_WATTS, 0.25) // 92.6 + 0.34 x 5 = 94.3
 */
export function specPowerWatts(table: readonly number[], u: number): number {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`specPowerWatts: utilisation must be in [0, 1] (got ${u})`);
  // u % 0.1 is 0 only for u = n x 0.1 exactly (as doubles), where u x 10 is within 1e-15 of n: the (slow)
  // remainder is taken only near a tenth, same result
  const t = u * 10;
  if (Math.abs(t - Math.round(t)) < 1e-9 && u % 0.1 === 0) return table[Math.trunc(t)];
  const u1 = Math.floor(t);
  const u2 = Math.ceil(t);
  const p1 = table[u1];
  const delta = (table[u2] - p1) / 10;
  return p1 + delta * (u - u1 / 10) * 100;
}

/**
 * Energy (J) of a host over `dtSec` whose utilisation went linearly from `fromU` to `toU`: the trapezoid
 * (P(from) + (P(to) - P(from))/2) x dt, and 0 when the host was off at the start (`fromU` = 0).
 */
export function hostEnergyJoules(table: readonly number[], fromU: number, toU: number, dtSec: number): number {
  if (fromU === 0) return 0;
  const fromW = specPowerWatts(table, fromU);
  const toW = specPowerWatts(table, toU);
  return (fromW + (toW - fromW) / 2) * dtSec;
}

/**
 * PABFD's cost of placing a VM: the host's power with `reservedMips + vmMips` in use minus its power at its
 * current utilisation `currentU` (W). An empty host is measured from its idle power.
 * @example powerIncreaseWatts(HP_ML110_G5_WATTS, 5320, 0, 500, 0) // 96.80 - 93.7 = 3.10 W
 */
export function powerIncreaseWatts(table: readonly number[], totalMips: number, reservedMips: number, vmMips: number, currentU: number): number {
  return specPowerWatts(table, (reservedMips + vmMips) / totalMips) - specPowerWatts(table, currentU);
}
