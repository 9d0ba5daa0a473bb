/**
 * A migration as an operator's log has it: no sample, no trace, no prediction; the memory size, one dirty rate,
 * the link and the measured totals. What `history import` stores, `history export` writes and `evaluate` scores.
 * Any stored migration (lab, execute, import) reduces to one (`loggedFromRecord`). Pure.
 */
import { InputError, LIMITS, parseDuration, parseFraction, parseRate, parseSize } from '../units.js';
import type { MigrationRecord } from './record.js';
import { curveDirtiedBytes } from '../model/dirty.js';
import type { CurvePoint } from '../model/types.js';

/** What produced a stored migration. */
export const MIGRATION_SOURCES = ['lab', 'execute', 'import'] as const;
export type MigrationSource = (typeof MIGRATION_SOURCES)[number];

export interface LoggedMigration {
  id: string;
  source: MigrationSource;
  vmId?: string;
  /** A free name (the lab's workload names, or the operator's). */
  workload?: string;
  /** The migration technique, e.g. `precopy`, `auto-converge`, `postcopy`. */
  technique?: string;
  memoryBytes: number;
  /** One dirty rate, as measured before the migration (bytes/s). */
  dirtyRateBytesPerSec: number;
  bandwidthBytesPerSec: number;
  downtimeLimitSec?: number;
  /** The share of memory that was zero pages (0..1), when the log has it: QEMU sends those as flags. */
  zeroPageFraction?: number;
  totalTimeSec: number;
  downtimeSec: number;
  transferredBytes: number;
}

/** The columns of a log file, in the order `history export` writes them. */
export const LOG_COLUMNS = ['id', 'vmId', 'workload', 'technique', 'memory', 'dirtyRate', 'bandwidth', 'downtimeLimit', 'totalTime', 'downtime', 'transferred', 'zeroPages'] as const;
export type LogColumn = (typeof LOG_COLUMNS)[number];
const OPTIONAL: ReadonlySet<LogColumn> = new Set(['vmId', 'workload', 'technique', 'downtimeLimit', 'zeroPages']);
const KNOWN: ReadonlySet<string> = new Set(LOG_COLUMNS);

/** One thing wrong with one row: its line in the file, the column and the rule it breaks. */
export interface RowError {
  line: number;
  column: string;
  value: unknown;
  rule: string;
}

export function formatRowError(e: RowError): string {
  const v = e.value === undefined ? '' : ` ${typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value)}`;
  return `line ${e.line}: ${e.column}:${v} ${e.rule}`;
}

const NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,126}[\x21-\x7e])?$/;

/** A row's value as text or number; empty text is absent. */
function present(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

/**
 * One row of a log (a CSV row by header, or a JSON Lines object) as a LoggedMigration, or every rule it breaks.
 * Units as `predict` reads them ("4GiB", "1Gbit/s", "300ms"); a plain number is bytes, bytes/s or seconds.
 * Columns outside LOG_COLUMNS are refused, so a misspelt one is not silently dropped.
 */
export function parseLogRow(raw: Record<string, unknown>, line: number, source: MigrationSource = 'import'): LoggedMigration | RowError[] {
  const errors: RowError[] = [];
  const bad = (column: string, value: unknown, rule: string) => errors.push({ line, column, value, rule });
  for (const k of Object.keys(raw)) if (!KNOWN.has(k) && present(raw[k])) bad(k, undefined, `is not a column (known: ${LOG_COLUMNS.join(', ')})`);
  for (const c of LOG_COLUMNS) if (!OPTIONAL.has(c) && !present(raw[c])) bad(c, raw[c], 'is required');
  const name = (c: LogColumn): string | undefined => {
    const v = raw[c];
    if (!present(v)) return undefined;
    const s = String(v).trim();
    if (typeof v === 'object' || !NAME.test(s)) bad(c, v, 'must be printable text of 1 to 128 characters');
    return s;
  };
  const quantity = (c: LogColumn, parse: (f: string, v: unknown) => number, max: number, unit: string, positive: boolean): number | undefined => {
    const v = raw[c];
    if (!present(v)) return undefined;
    try {
      const n = parse(c, typeof v === 'string' ? v.trim() : v);
      if (positive && !(n > 0)) bad(c, v, 'must be greater than 0');
      else if (!(n <= max)) bad(c, v, `must be at most ${max} ${unit}`);
      return n;
    } catch (e) {
      if (e instanceof InputError) bad(c, v, e.rule);
      else throw e;
      return undefined;
    }
  };
  const id = name('id');
  const vmId = name('vmId');
  const workload = name('workload');
  const technique = name('technique');
  const memoryBytes = quantity('memory', parseSize, LIMITS.maxBytes, 'B', true);
  const dirtyRateBytesPerSec = quantity('dirtyRate', parseRate, LIMITS.maxRateBytesPerSec, 'B/s', false);
  const bandwidthBytesPerSec = quantity('bandwidth', parseRate, LIMITS.maxRateBytesPerSec, 'B/s', true);
  const downtimeLimitSec = quantity('downtimeLimit', parseDuration, LIMITS.maxSeconds, 's', true);
  const totalTimeSec = quantity('totalTime', parseDuration, LIMITS.maxSeconds, 's', true);
  const downtimeSec = quantity('downtime', parseDuration, LIMITS.maxSeconds, 's', false);
  const transferredBytes = quantity('transferred', parseSize, LIMITS.maxBytes, 'B', false);
  const zeroPageFraction = quantity('zeroPages', parseFraction, 1, '(a fraction)', false);
  if (totalTimeSec !== undefined && downtimeSec !== undefined && downtimeSec > totalTimeSec) bad('downtime', raw.downtime, `must not exceed totalTime (${totalTimeSec} s)`);
  if (errors.length > 0) return errors;
  return {
    id: id as string,
    source,
    ...(vmId !== undefined ? { vmId } : {}),
    ...(workload !== undefined ? { workload } : {}),
    ...(technique !== undefined ? { technique } : {}),
    memoryBytes: memoryBytes as number,
    dirtyRateBytesPerSec: dirtyRateBytesPerSec as number,
    bandwidthBytesPerSec: bandwidthBytesPerSec as number,
    ...(downtimeLimitSec !== undefined ? { downtimeLimitSec } : {}),
    ...(zeroPageFraction !== undefined ? { zeroPageFraction } : {}),
    totalTimeSec: totalTimeSec as number,
    downtimeSec: downtimeSec as number,
    transferredBytes: transferredBytes as number,
  };
}

/** A log row in base units (bytes, bytes/s, seconds), absent optional columns as null. */
export function logRow(m: LoggedMigration): Record<LogColumn, string | number | null> {
  return {
    id: m.id,
    vmId: m.vmId ?? null,
    workload: m.workload ?? null,
    technique: m.technique ?? null,
    memory: m.memoryBytes,
    dirtyRate: m.dirtyRateBytesPerSec,
    bandwidth: m.bandwidthBytesPerSec,
    downtimeLimit: m.downtimeLimitSec ?? null,
    totalTime: m.totalTimeSec,
    downtime: m.downtimeSec,
    transferred: m.transferredBytes,
    zeroPages: m.zeroPageFraction ?? null,
  };
}

/** The technique a lab or execute record used: QEMU pre-copy, with or without auto-converge. */
export function recordTechnique(r: Pick<MigrationRecord, 'config'>): string {
  return r.config.autoConverge ? 'auto-converge' : 'precopy';
}

/**
 * The rate an operator's one-second measurement (QEMU's `calc-dirty-rate`, libvirt's `domdirtyrate-calc`) would have
 * read of a sample: the distinct bytes its curve dirtied in 1 s; the sample's own rate where it has no curve.
 */
export function oneSecondRate(sample: { curve: readonly CurvePoint[]; dirtyRateBytesPerSec: number }): number {
  return sample.curve.length > 0 ? curveDirtiedBytes(sample.curve, 1) : sample.dirtyRateBytesPerSec;
}

/**
 * A full record reduced to what an operator's log holds: the sample's one-second rate as the dirty rate, the
 * configuration, the measured totals. `vmId` is the VM `execute` moved, when it names one.
 */
export function loggedFromRecord(r: MigrationRecord, source?: MigrationSource): LoggedMigration {
  const vm = r.config.params.vm;
  return {
    id: r.id,
    source: source ?? (typeof vm === 'string' && vm ? 'execute' : 'lab'),
    ...(typeof vm === 'string' && vm ? { vmId: vm } : {}),
    workload: r.config.workload,
    technique: recordTechnique(r),
    memoryBytes: r.config.memoryBytes,
    dirtyRateBytesPerSec: oneSecondRate(r.sample),
    bandwidthBytesPerSec: r.config.bandwidthBytesPerSec,
    downtimeLimitSec: r.config.downtimeLimitSec,
    totalTimeSec: r.measured.totalTimeSec,
    downtimeSec: r.measured.downtimeSec,
    transferredBytes: r.measured.transferredBytes,
  };
}

/** A key shared by log rows of one configuration (the cross-validation's folds keep them together). */
export function loggedConfigKey(m: LoggedMigration): string {
  return [m.memoryBytes, m.dirtyRateBytesPerSec, m.bandwidthBytesPerSec, m.downtimeLimitSec ?? '', m.technique ?? '', m.workload ?? ''].join('|');
}
