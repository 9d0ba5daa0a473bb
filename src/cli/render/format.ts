/**
 * How every table and line for people writes a figure (one module, so all commands read alike): digits grouped
 * in thousands (27,728), sizes and times in the largest unit that holds them whole (27.83 TiB, not 28494.43 GiB;
 * 9.6 h, not 576 min), percentages with a space before the sign. JSON is rounded elsewhere (src/rounding.ts).
 */

const grouped = new Map<number, Intl.NumberFormat>();

/** `x` with `decimals` decimals and its digits grouped in thousands: 27,728 / 3,601.3. */
export function formatNumber(x: number, decimals = 0): string {
  if (!Number.isFinite(x)) return String(x);
  let f = grouped.get(decimals);
  if (!f) grouped.set(decimals, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })));
  return f.format(x);
}

/** A count: 27,728. */
export const formatCount = (n: number): string => formatNumber(Math.round(n));

const BINARY = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** Bytes in the largest binary unit they fill at least once: 512 B, 32.7 MiB, 6.83 GiB, 27.83 TiB. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  if (abs < 1024) return `${formatNumber(bytes)} B`;
  let i = 0;
  let v = bytes / 1024;
  while (Math.abs(v) >= 1024 && i < BINARY.length - 1) {
    v /= 1024;
    i++;
  }
  // KiB and MiB to a tenth, larger units to a hundredth (what a GiB-sized figure is worth)
  const decimals = i < 2 ? 1 : 2;
  // rounding may carry into the next unit (1023.96 MiB -> 1,024.0 MiB): write 1.00 GiB instead
  if (Number(v.toFixed(decimals)) >= 1024 && i < BINARY.length - 1) return `${formatNumber(v / 1024, 2)} ${BINARY[i + 1]}`;
  return `${formatNumber(v, decimals)} ${BINARY[i]}`;
}

/** A rate in bytes per second: 100.0 MiB/s. */
export const formatRate = (bytesPerSec: number): string => `${formatBytes(bytesPerSec)}/s`;

/** Seconds in the largest unit below which they fall: 850.0 ms, 12.30 s, 9.6 min, 9.6 h, 3.2 d. */
export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec)) return `${sec} s`;
  const abs = Math.abs(sec);
  if (abs < 1) return `${formatNumber(sec * 1000, 1)} ms`;
  if (abs < 120) return `${formatNumber(sec, 2)} s`;
  if (abs < 120 * 60) return `${formatNumber(sec / 60, 1)} min`;
  if (abs < 72 * 3600) return `${formatNumber(sec / 3600, 1)} h`;
  return `${formatNumber(sec / 86400, 1)} d`;
}

/** A fraction as a percentage: 0.0000357 -> "0.00357 %" with digits=5. */
export const formatPercent = (fraction: number, digits = 1): string => (Number.isFinite(fraction) ? `${formatNumber(fraction * 100, digits)} %` : '-');

/** Joules, grouped, in J below 10 MJ and kWh above: 3,601.3 J, 4.56 kWh. */
export function formatJoules(j: number): string {
  return Math.abs(j) < 1e7 ? `${formatNumber(j, 1)} J` : `${formatNumber(j / 3.6e6, 2)} kWh`;
}
