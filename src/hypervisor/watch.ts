/**
 * `watch`'s logic, shared by the CLI (`migcost watch`) and the service (GET /v1/jobs/{id}): read a migration in
 * flight (QMP's query-migrate or libvirt's domjobinfo, reduced to the model's `InFlight`), re-predict what is
 * left with src/model/in-flight.ts every interval, and produce one line per reading (the figures of
 * `watch --json`) and an end line with the outcome. Reads only; changes nothing.
 */
import { predictInFlight, InFlightTracker, RateWindow, platformTimeoutSec, type InFlight, type InFlightDirt, type PlatformName } from '../model/in-flight.js';

export interface Reading {
  status: string;
  state?: InFlight;
  final?: { totalTimeSec: number; downtimeSec: number; transferredBytes: number };
  error?: string;
}

/** QEMU's statuses of a migration still under way. */
export const ACTIVE = new Set(['setup', 'active', 'pre-switchover', 'device', 'wait-unplug', 'postcopy-active', 'postcopy-paused', 'postcopy-recover', 'cancelling']);

/** One reading's figures: `watch --json`'s lines and GET /v1/jobs/{id}'s `inFlight`. */
export interface WatchLine {
  status: string;
  elapsedSec: number;
  progress: number;
  etaSec: number | null;
  totalTimeSec: number | null;
  downtimeSec: number | null;
  converges: boolean;
  rateKnown: boolean;
  /** Where the dirt to come was taken from: the VM's pre-migration sample, QEMU's measured rate, or nothing yet. */
  dirtFrom: 'sample' | 'qemu' | 'none';
  transferredBytes: number;
  remainingBytes: number;
  throttle: number;
  /** Seconds since the current pass began, when a reading came before its sync; the last whole pass's length. */
  passElapsedSec?: number;
  lastPassSec?: number;
  completionTimeoutSec?: number;
  warning?: string;
}

/** The last line: how it ended. */
export interface WatchEnd {
  status: string;
  totalTimeSec?: number;
  downtimeSec?: number;
  transferredBytes?: number;
  error?: string;
  lastPrediction: { totalTimeSec: number | null } | null;
  warned: boolean;
}

export interface WatchTimeouts {
  completionTimeoutSec?: number;
  platformTimeouts?: PlatformName;
  /** The VM's dirt from its pre-migration sample (from-sample.ts's inFlightDirtFromSample); else QEMU's rate. */
  dirt?: InFlightDirt;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const finite = (x: number, d: number) => (Number.isFinite(x) ? round(x, d) : null);

/** Turns readings into lines; the progress never runs backwards and the warning comes once. */
export class MigrationWatch {
  private tracker: InFlightTracker | undefined;
  private last: ReturnType<typeof predictInFlight> | undefined;
  /** The last reading's syncs and time, and when the current pass began (halfway between the readings around its sync). */
  private prev: { syncs: number; elapsedSec: number } | undefined;
  private passStartSec: number | undefined;
  private lastPassSec: number | undefined;
  private readonly rate = new RateWindow();
  constructor(private readonly o: WatchTimeouts = {}) {}

  line(r: Reading): WatchLine | undefined {
    if (!r.state) return undefined;
    const s = r.state;
    if (this.prev && s.syncs > this.prev.syncs) {
      const start = (this.prev.elapsedSec + s.elapsedSec) / 2;
      // A whole pass was timed when its start was seen too, and exactly one sync came since.
      this.lastPassSec = this.passStartSec !== undefined && s.syncs === this.prev.syncs + 1 ? start - this.passStartSec : undefined;
      this.passStartSec = start;
    }
    this.prev = { syncs: s.syncs, elapsedSec: s.elapsedSec };
    const timeout = this.o.completionTimeoutSec ?? (this.o.platformTimeouts ? platformTimeoutSec(this.o.platformTimeouts, s.memoryBytes) : undefined);
    this.tracker ??= new InFlightTracker(timeout);
    // The first pass's start is only known when a reading came before it; else the model estimates it from the bytes sent.
    const passElapsedSec = this.passStartSec !== undefined ? Math.max(0, s.elapsedSec - this.passStartSec) : undefined;
    const averageRateBytesPerSec = this.rate.add(s.elapsedSec, s.transferredBytes);
    const timed = { ...s, ...(passElapsedSec !== undefined ? { passElapsedSec } : {}), ...(this.lastPassSec !== undefined ? { lastPassSec: this.lastPassSec } : {}), ...(averageRateBytesPerSec !== undefined ? { averageRateBytesPerSec } : {}) };
    const p = predictInFlight(timed, this.o.dirt);
    this.last = p;
    // With the sample's curve, QEMU's own rate must agree before a warning (InFlightTracker.update).
    const shown = this.tracker.update(p, s.syncs, this.o.dirt ? predictInFlight(timed) : undefined);
    return {
      status: r.status,
      elapsedSec: round(s.elapsedSec, 3),
      progress: round(shown.progress, 4),
      etaSec: finite(p.etaSec, 3),
      totalTimeSec: finite(p.totalTimeSec, 3),
      downtimeSec: finite(p.downtimeSec, 4),
      converges: p.converges,
      rateKnown: p.rateKnown,
      dirtFrom: p.dirtFrom,
      transferredBytes: s.transferredBytes,
      remainingBytes: s.remainingBytes,
      throttle: s.throttle,
      ...(passElapsedSec !== undefined ? { passElapsedSec: round(passElapsedSec, 3) } : {}),
      ...(this.lastPassSec !== undefined ? { lastPassSec: round(this.lastPassSec, 3) } : {}),
      ...(timeout !== undefined ? { completionTimeoutSec: round(timeout, 1) } : {}),
      ...(shown.warning ? { warning: shown.warning } : {}),
    };
  }

  end(r: Reading): WatchEnd {
    return {
      status: r.status,
      ...(r.final ?? {}),
      ...(r.error && r.status !== 'left-source' ? { error: r.error } : {}),
      lastPrediction: this.last ? { totalTimeSec: finite(this.last.totalTimeSec, 3) } : null,
      warned: this.tracker?.warningGiven ?? false,
    };
  }
}

/** No migration started within the wait. */
export class NoMigrationError extends Error {
  override name = 'NoMigrationError';
  constructor(readonly lastStatus: string) {
    super(`no migration started (status ${lastStatus})`);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });

export interface FollowOptions extends WatchTimeouts {
  intervalSec: number;
  waitSec: number;
  onLine: (line: WatchLine) => void;
  /** Stops following (after one last reading): the caller knows the migration ended. */
  signal?: AbortSignal;
}

/** Waits for a migration to start, then reads it every interval until it ends; answers the end line. */
export async function followMigration(read: () => Promise<Reading>, o: FollowOptions): Promise<WatchEnd> {
  const watch = new MigrationWatch(o);
  const safeRead = async (): Promise<Reading> => {
    try {
      return await read();
    } catch (e) {
      // A libvirt domain leaves the source host when the migration completes.
      return { status: /failed to get domain|Domain not found/.test((e as Error).message) ? 'left-source' : 'unreadable', error: (e as Error).message };
    }
  };
  const waitUntil = Date.now() + o.waitSec * 1000;
  let r = await read();
  while (!ACTIVE.has(r.status) && r.state === undefined) {
    if (Date.now() > waitUntil || o.signal?.aborted) throw new NoMigrationError(r.status);
    await sleep(200, o.signal);
    r = await safeRead();
  }
  for (;;) {
    const line = watch.line(r);
    if (line) o.onLine(line);
    const stop = o.signal?.aborted;
    await sleep(o.intervalSec * 1000, o.signal);
    r = await safeRead();
    if ((!ACTIVE.has(r.status) && r.state === undefined) || stop) break;
  }
  return watch.end(r);
}

/** A reader of a libvirt domain's migration (domjobinfo on the source, migrate-getmaxdowntime). */
export async function libvirtReader(uri: string, domainName: string): Promise<{ read: () => Promise<Reading>; close: () => void }> {
  const { Virsh, jobInfo, checkDomainName } = await import('./libvirt/virsh.js');
  const { inFlightFromJob } = await import('./libvirt/in-flight.js');
  const v = new Virsh(uri);
  const domain = checkDomainName('--domain', domainName);
  return {
    read: async () => {
      const limit = Number((await v.run(['migrate-getmaxdowntime', '--domain', domain])).trim()) / 1000;
      return inFlightFromJob(await jobInfo(v, domain), limit);
    },
    close: () => {},
  };
}

/** A reader of a QMP socket's migration (query-migrate and the migration's settings). */
export async function qmpReader(socket: string): Promise<{ read: () => Promise<Reading>; close: () => void }> {
  const { QmpClient } = await import('./qemu/qmp.js');
  const { inFlightFromQuery, readInFlightSettings } = await import('./qemu/in-flight.js');
  const qmp = await QmpClient.connect(socket, { retry: false });
  return { read: async () => inFlightFromQuery(await qmp.queryMigrate(), await readInFlightSettings(qmp)), close: () => qmp.close() };
}
