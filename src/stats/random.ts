/**
 * A small seeded pseudo-random generator, for everything in migcost that must be random yet repeatable
 * (the `ra` / `rs` selections, trace resampling, property tests). Pure.
 */

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): uniform numbers in [0, 1), the same sequence for the same
 * seed. The seed is read as an unsigned 32-bit integer.
 * @example mulberry32(1)() // 0.6270739405881613
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
