/**
 * The fits of the newest migrations kept up to date incrementally. What the platform and working-set fits read of a
 * migration (its `FitRow`: a few numbers) is kept in memory for the newest `size` migrations; when migrations are
 * recorded (by this process or another), only those are read (one index probe past the newest kept), the oldest
 * rows drop out and the fits run again on the kept rows. A refit costs the fits' arithmetic on the window, not a
 * read of every migration in it with its rounds (the read was ~30 ms of the ~40-60 ms a refit took on 1,000
 * migrations). Rows are fitted by the same function either way (`fitRows`), so the answer is the one a full read
 * gives: when the history changed otherwise than by appending newer migrations (an older one recorded late), or
 * moved while it was read, the window is read again in full.
 */
import type { PageMark, Store } from '../../store/store.js';
import type { MigrationRecord } from '../../record/record.js';
import { fitPlatform, type PlatformObservation } from '../../calibrate/platform.js';
import { fitWws, observedGamma, type WwsObservation } from '../../calibrate/fits.js';
import { platformObservation } from '../../evaluate/cross-validate.js';

export const FIT_KINDS = ['qemu-platform', 'wws', 'wired-energy'] as const;
export type FitKind = (typeof FIT_KINDS)[number];

export interface FitResult {
  kind: FitKind;
  params: unknown;
  r2: number | null;
  n: number;
  /** What was fitted: measured against fitted values, residual = measured - fitted. */
  quantity: string;
  points: { measured: number; fitted: number; residual: number }[];
  version?: number;
}

export interface Skipped {
  kind: FitKind;
  reason: string;
}

/** What the platform and working-set fits use of one migration. */
export interface FitRow {
  /** Undefined when the migration did not complete. */
  platform?: PlatformObservation;
  /** One observation per pre-copy round with a duration, when the sample has a dirty rate. */
  wws: WwsObservation[];
}

export function fitRow(r: MigrationRecord): FitRow {
  const dirty = r.sample.dirtyRateBytesPerSec;
  return {
    platform: platformObservation(r),
    wws: r.trace.filter((t) => t.kind === 'pre-copy' && t.durationSec > 0 && dirty > 0).map((t) => ({ roundSec: t.durationSec, dirtyRateBytesPerSec: dirty, gamma: observedGamma(t.dirtiedBytes, dirty, t.durationSec) })),
  };
}

/** The qemu-platform and wws fits (those of `kinds`) on the rows, oldest first; kinds without enough data are skipped. */
export function fitRows(rows: readonly FitRow[], kinds: readonly FitKind[]): { fits: FitResult[]; skipped: Skipped[] } {
  const fits: FitResult[] = [];
  const skipped: Skipped[] = [];
  if (kinds.includes('qemu-platform')) {
    const obs = rows.map((r) => r.platform).filter((x): x is PlatformObservation => x !== undefined);
    if (obs.length < 3) skipped.push({ kind: 'qemu-platform', reason: `needs at least 3 completed migrations (has ${obs.length})` });
    else {
      const f = fitPlatform(obs);
      const p = f.platform;
      const points = obs
        .filter((x) => x.stopCopyBytes > 0 && p.stopCopyRateBytesPerSec !== undefined)
        .map((x) => {
          const rate = x.rounds === 1 && p.firstTouchRateBytesPerSec !== undefined ? p.firstTouchRateBytesPerSec : (p.stopCopyRateBytesPerSec as number);
          const fitted = (p.resumeSec ?? 0) + x.stopCopyBytes / rate;
          return { measured: x.downtimeSec, fitted, residual: x.downtimeSec - fitted };
        });
      fits.push({ kind: 'qemu-platform', params: p, r2: f.downtimeR2 ?? null, n: f.n, quantity: 'downtime (s)', points });
    }
  }
  if (kinds.includes('wws')) {
    const obs = rows.flatMap((r) => r.wws);
    if (obs.length < 3) skipped.push({ kind: 'wws', reason: `needs at least 3 recorded pre-copy rounds (has ${obs.length})` });
    else {
      try {
        const f = fitWws(obs);
        fits.push({ kind: 'wws', params: f.params, r2: f.r2, n: f.n, quantity: 'working-set gamma', points: f.fitted.map((v, i) => ({ measured: v + f.residuals[i], fitted: v, residual: f.residuals[i] })) });
      } catch (e) {
        skipped.push({ kind: 'wws', reason: (e as Error).message });
      }
    }
  }
  return { fits, skipped };
}

/** The newest `size` migrations' fit rows, brought up to date with the store on each call. */
export class FitWindow {
  private rows: FitRow[] = [];
  /** Migrations in the store when the rows were last brought up to date; -1 when nothing is kept. */
  private count = -1;
  /** The newest migration kept, where the next read starts. */
  private newest: PageMark | undefined;
  /** Bumped whenever the rows change: an answer computed for one version holds until the next. */
  private version = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Full reads of the window so far (a new migration should not need one). */
  fullReads = 0;

  constructor(private readonly store: Store, readonly size: number) {}

  /** The rows, oldest first, and their version. Calls run one at a time. */
  current(): Promise<{ rows: readonly FitRow[]; version: number }> {
    const next = this.queue.then(() => this.refresh());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async refresh(): Promise<{ rows: readonly FitRow[]; version: number }> {
    const count = await this.store.countMigrations();
    const added = count - this.count;
    if (this.newest !== undefined && added >= 0 && added < this.size) {
      // The store only appends: the same count means the same history.
      if (added === 0) return { rows: this.rows, version: this.version };
      const news = await this.store.listMigrations({ after: this.newest, limit: added + 1 });
      // All the new migrations are past the newest kept, and none came in meanwhile: the window slides.
      if (news.length === added && (await this.store.countMigrations()) === count) {
        this.rows = this.rows.concat(news.map(fitRow));
        if (this.rows.length > this.size) this.rows = this.rows.slice(this.rows.length - this.size);
        this.keep(count, news);
        return { rows: this.rows, version: this.version };
      }
    }
    const records = await this.store.listMigrations({ last: this.size });
    this.fullReads++;
    this.rows = records.map(fitRow);
    // Kept for the next call only when the history did not move while it was read.
    if (records.length > 0 && (await this.store.countMigrations()) === count) this.keep(count, records);
    else {
      this.count = -1;
      this.newest = undefined;
      this.version++;
    }
    return { rows: this.rows, version: this.version };
  }

  private keep(count: number, read: readonly MigrationRecord[]): void {
    const last = read[read.length - 1];
    this.count = count;
    this.newest = { at: last.startedAt, id: last.id };
    this.version++;
  }
}
