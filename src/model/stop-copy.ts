/** The qemu policy's final copy (stop-and-copy) time, for the pre-copy rounds (precopy.ts). Pure. */

/**
 * qemu: the final copy's time for `bytes` raw bytes; pages never sent go first, at the first-touch rate (all rates x
 * gain, within the CPU ceiling). The first `bufferedWire` wire bytes only fill the socket buffers (the downtime ends
 * when the source has written its last byte: Platform.stopCopyBufferedBytes), but a CPU ceiling (multifd's
 * channels compress every page) still holds for all of them.
 * @example stopCopyTime(30e6, 0, 1e8, 1e9, 1, Infinity, 10e6) // (30e6 - 10e6) / 1e9 = 0.02
 */
export function stopCopyTime(bytes: number, neverSent: number, firstTouchRate: number, finalRate: number, g: number, cpu: number, bufferedWire = 0): number {
  const skip = Math.min(bytes, Math.max(0, bufferedWire) * g);
  const first = Math.min(bytes, neverSent);
  const firstLeft = Math.max(0, first - skip);
  const restLeft = bytes - first - Math.max(0, skip - first);
  const wireSec = firstLeft / Math.min(firstTouchRate * g, cpu) + restLeft / Math.min(finalRate * g, cpu);
  return Math.max(wireSec, Number.isFinite(cpu) ? bytes / cpu : 0);
}

