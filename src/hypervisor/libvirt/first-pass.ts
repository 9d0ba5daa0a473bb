/**
 * How long a libvirt migration ran before its first pass began: the setup a record's `setupSec` carries.
 *
 * libvirt's job clock (domjobinfo's time_elapsed, the completed job's total time) starts when libvirt begins the
 * job, before it has started the destination QEMU and opened the migration stream (~0.3-0.5 s here: LIBVIRT-NOTES
 * §3's timeline); libvirt's own setup_time is QEMU's, ~0. migcost's QMP driver times from QEMU's `migrate`, with the
 * destination already up. So a libvirt record's setup is measured per run, on the job's clock:
 *
 * - the first pass begins at QEMU's first MIGRATION_PASS event (libvirt's `migration-iteration`, iteration 1: the
 *   bitmap sync at the start of pass 1), timestamped by `virsh event --timestamp` as it arrives (events.ts);
 * - the job's start on the same (wall) clock is bounded by every domjobinfo poll: the daemon read time_elapsed E
 *   between the call's start and its return, so start <= returnedAt - E; the smallest bound over the polls is
 *   the tightest (a poll's return follows the daemon's answer by a few ms).
 *
 * When the event was missed (the first event seen is a later pass, or `virsh event` failed), it falls back on the
 * first poll that saw data sent: E - processed / rate (QEMU's measured rate, else the cap). Both are measured per
 * run; nothing is a constant.
 */
import { optionalInt, type JobStats } from './virsh.js';

export type SetupSource = 'event' | 'jobinfo' | 'none';

/** Collects what measures the setup: the polls' bounds on the job's start, the first iteration event, the first poll with data. */
export class FirstPassClock {
  private jobStartMs_ = Infinity;
  private firstEvent: { atMs: number; iteration: number } | undefined;
  private fromFirstData: number | undefined;

  /** A domjobinfo answer of an active job, returned at `afterMs` (wall clock, ms). */
  observePoll(j: JobStats, afterMs: number, capBytesPerSec: number): void {
    const elapsedMs = optionalInt(j.stats, 'time_elapsed');
    if (elapsedMs === undefined) return;
    this.jobStartMs_ = Math.min(this.jobStartMs_, afterMs - elapsedMs);
    const processed = optionalInt(j.stats, 'memory_processed') ?? 0;
    if (this.fromFirstData === undefined && processed > 0) {
      const bps = optionalInt(j.stats, 'memory_bps') ?? 0;
      const rate = bps > 0 ? bps : capBytesPerSec;
      this.fromFirstData = Math.max(0, elapsedMs - (rate > 0 ? (processed / rate) * 1000 : 0)) / 1000;
    }
  }

  /** The job's start on the wall clock (ms), once a poll bounded it. */
  get jobStartMs(): number | undefined {
    return Number.isFinite(this.jobStartMs_) ? this.jobStartMs_ : undefined;
  }

  observeEvent(e: { atMs: number; iteration: number }): void {
    this.firstEvent ??= e;
  }

  /** Seconds from the job's start to its first pass, and how it was measured. */
  setup(): { setupSec: number; from: SetupSource } {
    if (this.firstEvent?.iteration === 1 && Number.isFinite(this.jobStartMs_)) return { setupSec: Math.max(0, (this.firstEvent.atMs - this.jobStartMs_) / 1000), from: 'event' };
    if (this.fromFirstData !== undefined) return { setupSec: this.fromFirstData, from: 'jobinfo' };
    return { setupSec: 0, from: 'none' };
  }
}
