/** The CSV files `migcost calibrate` reads: energy pairs and power samples (header required, no quoting). */
import { readFileSync } from 'node:fs';
import type { PowerSample } from '../../../calibrate/fits.js';
import { InputError, parseNumber } from '../../../units.js';

/** Reads a small CSV with a header naming `columns` (comma-separated, no quoting): the named cells per row. */
function readCsvColumns(field: string, path: string, columns: string[]): { row: number; cells: Record<string, string> }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(field, path, `cannot be read (${(e as Error).message})`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const at = columns.map((c) => header.indexOf(c));
  if (at.some((i) => i < 0)) throw new InputError(`${field} header`, header.join(','), `must name the columns ${columns.join(' and ')}`);
  return lines.map((l, i) => {
    const cells = l.split(',');
    if (cells.length !== header.length) throw new InputError(`${field} row ${i + 1}`, l, `has ${cells.length} fields, the header has ${header.length}`);
    return { row: i + 1, cells: Object.fromEntries(columns.map((c, k) => [c, cells[at[k]].trim()])) };
  });
}

/** Reads `transferredBytes,energyJoules` pairs (header required). */
export function readEnergyCsv(path: string): { transferredBytes: number; energyJoules: number }[] {
  return readCsvColumns('--energy', path, ['transferredBytes', 'energyJoules']).map(({ row, cells }) => ({
    transferredBytes: parseNumber(`row ${row} transferredBytes`, cells.transferredBytes, { min: 0 }),
    energyJoules: parseNumber(`row ${row} energyJoules`, cells.energyJoules),
  }));
}

/** Reads `timestamp,watts` power samples (timestamp in Unix seconds or ISO 8601), header required. */
export function readPowerCsv(path: string): PowerSample[] {
  return readCsvColumns('power file', path, ['timestamp', 'watts']).map(({ row, cells }) => {
    const raw = cells.timestamp;
    const t = /^[\d.]+$/.test(raw) ? Number(raw) : Date.parse(raw) / 1000;
    if (!Number.isFinite(t)) throw new InputError(`power row ${row} timestamp`, raw, 'must be Unix seconds or an ISO 8601 time');
    return { timestampSec: t, watts: parseNumber(`power row ${row} watts`, cells.watts, { min: 0 }) };
  });
}
