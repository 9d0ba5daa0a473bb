/**
 * A researcher's own cluster from CSV text (docs/simulator.md, "Your own cluster"): `vms.csv` (vm, memory_mb,
 * optional mips), `utilisation.csv` (vm, time_sec, cpu_percent: one sample per VM every 300 s over a day) and an
 * optional `hosts.csv` (host, type). Plain comma-separated fields with a header line; blank lines and lines
 * starting with # are skipped; no quoting. Every error names the file, the line and the column. Pure (the caller
 * reads the files).
 */
import { CLOUDSIM_HOST_TYPES, CLOUDSIM_VM_BW_KBPS, SAMPLES_PER_DAY, traceFromPercent } from './presets.js';
import type { SimHostSpec, SimVmSpec } from './types.js';

/** The scheduling interval the samples must fall on (s). */
export const OWN_INTERVAL_SEC = 300;
/** A VM's MIPS when vms.csv has no mips column (CloudSim's third VM type). */
export const OWN_DEFAULT_MIPS = 1000;
/** Host types hosts.csv may name. */
export const OWN_HOST_TYPES: Readonly<Record<string, SimHostSpec>> = Object.freeze({ 'hp-ml110-g4': CLOUDSIM_HOST_TYPES[0], 'hp-ml110-g5': CLOUDSIM_HOST_TYPES[1] });

/** A bad cell or line: `file:line:column: message`. */
export class OwnClusterError extends Error {
  /** The CLI exits 2 on it (bad input). */
  readonly badInput = true;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}${column > 0 ? `:${column}` : ''}: ${detail}`);
    this.name = 'OwnClusterError';
  }

  /** The same error with the file's path in `dir`. */
  inFolder(dir: string): OwnClusterError {
    return new OwnClusterError(`${dir.replace(/\/+$/, '')}/${this.file}`, this.line, this.column, this.detail);
  }
}

interface Row {
  line: number;
  cells: string[];
}

/** The header's column numbers (0-based) of `wanted`; the optional ones may be missing. */
function table(file: string, text: string, required: readonly string[], optional: readonly string[] = []): { cols: Map<string, number>; rows: Row[] } {
  const rows: Row[] = [];
  const lines = text.split('\n');
  let header: Row | undefined;
  for (let i = 0; i < lines.length; i++) {
    const s = lines[i].replace(/\r$/, '');
    if (s.trim() === '' || s.trimStart().startsWith('#')) continue;
    const row = { line: i + 1, cells: s.split(',').map((c) => c.trim()) };
    if (header) rows.push(row);
    else header = row;
  }
  if (!header) throw new OwnClusterError(file, 1, 0, `is empty; its first line must be the header ${required.join(',')}`);
  const cols = new Map<string, number>();
  header.cells.forEach((name, i) => {
    if (!required.includes(name) && !optional.includes(name)) throw new OwnClusterError(file, header.line, i + 1, `"${name}" is not a column of ${file} (columns: ${[...required, ...optional].join(', ')})`);
    if (cols.has(name)) throw new OwnClusterError(file, header.line, i + 1, `column "${name}" appears twice`);
    cols.set(name, i);
  });
  for (const name of required) if (!cols.has(name)) throw new OwnClusterError(file, header.line, 0, `the header lacks the column "${name}" (required: ${required.join(', ')})`);
  for (const r of rows) if (r.cells.length !== header.cells.length) throw new OwnClusterError(file, r.line, Math.min(r.cells.length, header.cells.length) + 1, `has ${r.cells.length} fields; the header has ${header.cells.length}`);
  return { cols, rows };
}

function cell(file: string, r: Row, cols: Map<string, number>, name: string): { text: string; column: number } {
  const i = cols.get(name)!;
  return { text: r.cells[i], column: i + 1 };
}

function numberCell(file: string, r: Row, cols: Map<string, number>, name: string, rule: (x: number) => boolean, what: string): number {
  const { text, column } = cell(file, r, cols, name);
  const x = text === '' ? NaN : Number(text);
  if (!Number.isFinite(x) || !rule(x)) throw new OwnClusterError(file, r.line, column, `${name} "${text}" must be ${what}`);
  return x;
}

function nameCell(file: string, r: Row, cols: Map<string, number>, name: string): string {
  const { text, column } = cell(file, r, cols, name);
  if (text === '') throw new OwnClusterError(file, r.line, column, `${name} is empty`);
  return text;
}

export interface OwnClusterFiles {
  vms: string;
  utilisation: string;
  /** hosts.csv, when there is one. */
  hosts?: string;
}

/**
 * Hosts: one per hosts.csv line, or without it CloudSim's ratio (800 hosts per 1,052 VMs, rounded up) alternating
 * G4 and G5 like the PlanetLab preset.
 */
function ownHosts(text: string | undefined, vmCount: number): SimHostSpec[] {
  if (text === undefined) return Array.from({ length: Math.max(1, Math.ceil((vmCount * 800) / 1052)) }, (_, i) => CLOUDSIM_HOST_TYPES[i % 2]);
  const { cols, rows } = table('hosts.csv', text, ['host', 'type']);
  const seen = new Set<string>();
  const hosts = rows.map((r) => {
    const name = nameCell('hosts.csv', r, cols, 'host');
    if (seen.has(name)) throw new OwnClusterError('hosts.csv', r.line, cols.get('host')! + 1, `host "${name}" appears twice`);
    seen.add(name);
    const { text: type, column } = cell('hosts.csv', r, cols, 'type');
    const spec = OWN_HOST_TYPES[type];
    if (!spec) throw new OwnClusterError('hosts.csv', r.line, column, `type "${type}" is not a host type (${Object.keys(OWN_HOST_TYPES).join(', ')})`);
    return spec;
  });
  if (hosts.length === 0) throw new OwnClusterError('hosts.csv', 1, 0, 'lists no host');
  return hosts;
}

/**
 * The cluster the three files describe; VMs in vms.csv order, each with the 288 samples of its day (+ a copy of
 * the last, as CloudSim reads a PlanetLab trace).
 * @example parseOwnCluster({ vms: 'vm,memory_mb\na,1024\n', utilisation: 'vm,time_sec,cpu_percent\na,0,12\n...' })
 */
export function parseOwnCluster(files: OwnClusterFiles): { hosts: SimHostSpec[]; vms: SimVmSpec[] } {
  const v = table('vms.csv', files.vms, ['vm', 'memory_mb'], ['mips']);
  const specs = new Map<string, { line: number; ramMb: number; mips: number; percent: Float64Array; got: Uint8Array }>();
  for (const r of v.rows) {
    const name = nameCell('vms.csv', r, v.cols, 'vm');
    if (specs.has(name)) throw new OwnClusterError('vms.csv', r.line, v.cols.get('vm')! + 1, `VM "${name}" appears twice`);
    const ramMb = numberCell('vms.csv', r, v.cols, 'memory_mb', (x) => x > 0, 'a number of MB > 0');
    const mips = v.cols.has('mips') ? numberCell('vms.csv', r, v.cols, 'mips', (x) => x > 0, 'a number > 0') : OWN_DEFAULT_MIPS;
    specs.set(name, { line: r.line, ramMb, mips, percent: new Float64Array(SAMPLES_PER_DAY), got: new Uint8Array(SAMPLES_PER_DAY) });
  }
  if (specs.size === 0) throw new OwnClusterError('vms.csv', 1, 0, 'lists no VM');
  const u = table('utilisation.csv', files.utilisation, ['vm', 'time_sec', 'cpu_percent']);
  const lastSec = (SAMPLES_PER_DAY - 1) * OWN_INTERVAL_SEC;
  for (const r of u.rows) {
    const name = nameCell('utilisation.csv', r, u.cols, 'vm');
    const s = specs.get(name);
    if (!s) throw new OwnClusterError('utilisation.csv', r.line, u.cols.get('vm')! + 1, `VM "${name}" is not in vms.csv`);
    const t = numberCell('utilisation.csv', r, u.cols, 'time_sec', (x) => x >= 0 && x <= lastSec && x % OWN_INTERVAL_SEC === 0, `a multiple of ${OWN_INTERVAL_SEC} from 0 to ${lastSec}`);
    const i = t / OWN_INTERVAL_SEC;
    if (s.got[i]) throw new OwnClusterError('utilisation.csv', r.line, u.cols.get('time_sec')! + 1, `VM "${name}" has a second sample at ${t} s`);
    s.percent[i] = numberCell('utilisation.csv', r, u.cols, 'cpu_percent', (x) => x >= 0 && x <= 100, 'a percentage from 0 to 100');
    s.got[i] = 1;
  }
  const vms: SimVmSpec[] = [];
  for (const [name, s] of specs) {
    const missing = s.got.indexOf(0);
    if (missing >= 0) throw new OwnClusterError('vms.csv', s.line, 0, `VM "${name}" has no sample at ${missing * OWN_INTERVAL_SEC} s in utilisation.csv (it needs one every ${OWN_INTERVAL_SEC} s from 0 to ${lastSec})`);
    vms.push({ name, mips: s.mips, ramMb: s.ramMb, bwKbps: CLOUDSIM_VM_BW_KBPS, utilisation: traceFromPercent(s.percent) });
  }
  const hosts = ownHosts(files.hosts, vms.length);
  const widest = Math.max(...hosts.map((h) => h.coreMips));
  if (v.cols.has('mips')) {
    for (const r of v.rows) {
      const mips = Number(r.cells[v.cols.get('mips')!]);
      if (mips > widest) throw new OwnClusterError('vms.csv', r.line, v.cols.get('mips')! + 1, `mips ${mips} is more than any host's core gives (${widest} MIPS): a VM's one core runs on one host core`);
    }
  }
  return { hosts, vms };
}
