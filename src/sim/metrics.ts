/**
 * Beloglazov and Buyya's metrics over state records, as CloudSim's `printResults` reads them: consecutive
 * records form intervals that take the earlier record's values; a record at the same instant as the last
 * one replaces it. The recorders fold intervals as they close, so no history is kept. Pure.
 */

/** A host's records: (time, used MIPS, requested MIPS, active = used > 0). */
export class HostRecorder {
  private hasRecord = false;
  private t = 0;
  private used = 0;
  private requested = 0;
  private active = false;
  /** Active seconds, and of those, seconds with used < requested. */
  activeSec = 0;
  violationSec = 0;
  // shutdown bookkeeping over the closed records
  private prevActive = true;
  private lastOnSec = 0;
  readonly shutdownAfterSec: number[] = [];

  record(t: number, used: number, requested: number, active: boolean): void {
    if (this.hasRecord) {
      if (t === this.t) {
        this.used = used;
        this.requested = requested;
        this.active = active;
        return;
      }
      this.close(t);
    }
    this.hasRecord = true;
    this.t = t;
    this.used = used;
    this.requested = requested;
    this.active = active;
  }

  /**
   * Is the open record inactive with nothing used or requested? Then another such record changes no figure
   * (inactive intervals add no time, and a shutdown is dated by the first inactive record), so an empty idle
   * host need not be recorded again.
   */
  idle(): boolean {
    return this.hasRecord && !this.active && this.used === 0 && this.requested === 0;
  }

  /** Closes the open record (no interval follows it); call once at the end. */
  finish(): void {
    if (this.hasRecord) this.transition();
    this.hasRecord = false;
  }

  private close(nextT: number): void {
    this.transition();
    if (this.active) {
      const dt = nextT - this.t;
      this.activeSec += dt;
      if (this.used < this.requested) this.violationSec += dt;
    }
  }

  private transition(): void {
    if (this.prevActive && !this.active) this.shutdownAfterSec.push(this.t - this.lastOnSec);
    if (!this.prevActive && this.active) this.lastOnSec = this.t;
    this.prevActive = this.active;
  }
}

/** A VM's records: (time, allocated MIPS, requested MIPS, migrating out). */
export class VmRecorder {
  private hasRecord = false;
  private t = 0;
  private allocated = 0;
  private requested = 0;
  private migrating = false;
  /** MIPS x s allocated and requested, and lost while migrating. */
  allocatedMipsSec = 0;
  requestedMipsSec = 0;
  lostToMigrationMipsSec = 0;
  /** Sum and count of (requested - allocated) / requested over intervals with a shortfall. */
  shortfallSum = 0;
  shortfallCount = 0;

  record(t: number, allocated: number, requested: number, migrating: boolean): void {
    if (this.hasRecord) {
      if (t === this.t) {
        this.allocated = allocated;
        this.requested = requested;
        this.migrating = migrating;
        return;
      }
      const dt = t - this.t;
      this.allocatedMipsSec += this.allocated * dt;
      this.requestedMipsSec += this.requested * dt;
      if (this.allocated < this.requested) {
        this.shortfallSum += (this.requested - this.allocated) / this.requested;
        this.shortfallCount++;
        if (this.migrating) this.lostToMigrationMipsSec += (this.requested - this.allocated) * dt;
      }
    }
    this.hasRecord = true;
    this.t = t;
    this.allocated = allocated;
    this.requested = requested;
    this.migrating = migrating;
  }
}

/** Mean and sample standard deviation (n - 1); NaN for n = 0, stdev 0 for n = 1. */
export function meanAndStdev(xs: readonly number[]): { mean: number; stdev: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, stdev: NaN };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n === 1) return { mean, stdev: 0 };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { mean, stdev: Math.sqrt(ss / (n - 1)) };
}
