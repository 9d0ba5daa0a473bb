/**
 * Reads one day of PlanetLab traces from the gzipped tar archive in place (or from a directory of the day's
 * files), in archive order or sorted by name. The only file in src/sim that touches the file system.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readTar } from './ustar.js';
import type { PlanetLabTrace } from './presets.js';

export const FILE_ORDERS = ['tar', 'sorted'] as const;
export type FileOrder = (typeof FILE_ORDERS)[number];

/**
 * The folder of public traces (`planetlab/planetlab-all-10-days.tar.gz`, `bitbrains-rnd/<n>.csv.gz`): where
 * $MIGCOST_DATA_DIR says, else $MIGCOST_SHARED/data, else ../shared/data beside the checkout (the project's own
 * machines). src/sim and dist/sim are both two levels below the repository root. `--traces` and `--bitbrains`
 * override it per command.
 */
export const DATA_DIR =
  process.env.MIGCOST_DATA_DIR ?? join(process.env.MIGCOST_SHARED ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared'), 'data');
export const DEFAULT_PLANETLAB_ARCHIVE = join(DATA_DIR, 'planetlab', 'planetlab-all-10-days.tar.gz');

/** Integers, one a line (blank lines skipped). */
export function parseTrace(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s === '') continue;
    const n = Number.parseInt(s, 10);
    if (!Number.isFinite(n)) throw new RangeError(`parseTrace: "${s}" is not an integer`);
    out.push(n);
  }
  return out;
}

/** The days (yyyymmdd folders) `source` holds traces of, sorted: what `--day` may be. */
export function listPlanetLabDays(source: string): string[] {
  const days = new Set<string>();
  if (statSync(source).isDirectory()) {
    for (const name of readdirSync(source)) if (/^\d{8}$/.test(name) && statSync(join(source, name)).isDirectory()) days.add(name);
  } else {
    for (const e of readTar(gunzipSync(readFileSync(source)))) {
      const parts = e.path.split('/').filter(Boolean);
      if (parts.length >= 2 && /^\d{8}$/.test(parts[parts.length - 2])) days.add(parts[parts.length - 2]);
    }
  }
  return [...days].sort();
}

/**
 * The traces of `day` (e.g. 20110303). `source` is the .tar.gz (files under `<anything>/<day>/`) or a folder
 * holding `<day>/` (its listing order stands in for the archive order).
 */
export function loadPlanetLabDay(source: string, day: string, order: FileOrder = 'tar'): PlanetLabTrace[] {
  let traces: PlanetLabTrace[] = [];
  const dec = new TextDecoder();
  if (statSync(source).isDirectory()) {
    const dir = join(source, day);
    traces = readdirSync(dir).map((name) => ({ name, percent: parseTrace(readFileSync(join(dir, name), 'utf8')) }));
  } else {
    const tar = gunzipSync(readFileSync(source));
    for (const e of readTar(tar)) {
      const parts = e.path.split('/').filter(Boolean);
      if (parts.length >= 2 && parts[parts.length - 2] === day) traces.push({ name: parts[parts.length - 1], percent: parseTrace(dec.decode(e.data)) });
    }
  }
  if (traces.length === 0) throw new RangeError(`loadPlanetLabDay: no traces for day ${day} in ${source}`);
  if (order === 'sorted') traces.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return traces;
}
