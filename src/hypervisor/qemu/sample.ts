/**
 * Sampling a running VM before migrating it: Deng's pseudo-migration, done QEMU's way. `calc-dirty-rate`
 * (page-sampling: the only mode that works under TCG) counts the distinct pages dirtied within a window,
 * so several window lengths give the dirtied-pages-versus-window curve. Zero pages are counted from a
 * `pmemsave` dump of guest RAM.
 */
import { mkdtempSync, openSync, readSync, closeSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Monitor } from './qmp.js';
import type { VmSample } from '../../model/sample.js';
import { refuseIfMigrating } from './migration-settings.js';
import { compressibilityOfFiles } from './compressibility.js';
import { probeThrottle, type ThrottleProbeOptions } from './throttle-probe.js';
import { FULL_WINDOWS_SEC, PHASE_WINDOW_SEC, PSEUDO_MIGRATION_WINDOWS_SEC } from './windows.js';

export interface SampleOptions {
  /**
   * Window lengths, seconds (QEMU takes 50 ms to 60 s). Default 0.05, 0.1, 0.25, 0.5, 1, 2, 4: the short
   * ones catch workloads that cover their working set in a fraction of a second (what an auto-converge
   * throttle leaves them), the long ones the saturation.
   */
  windowsSec?: readonly number[];
  /** Pages sampled per GiB (QEMU's default 512 is coarse for small guests). Default 16384, the most QEMU takes. */
  samplePagesPerGiB?: number;
  /** Dump guest RAM to count zero pages. Default true. */
  zeroPages?: boolean;
  /**
   * With `zeroPages`: dump RAM a second time this many seconds after the first and record where the non-zero
   * and the changed pages lie in address order (`ramLayout`), the order a first pre-copy pass scans them.
   * Default: none (one dump).
   */
  layoutWindowSec?: number;
  /**
   * Also run a pseudo-migration (Deng): a real pre-copy to a sink (`exec:cat > /dev/null`) that never switches
   * over, capped so that its first round lasts about `windowSec`. Each round's bitmap sync counts every page
   * written during the round — what a migration will see — where page-sampling compares page contents and so
   * misses pages rewritten with the same bytes. Off by default; the lab turns it on.
   */
  bitmap?: { windowsSec?: readonly number[]; /** Where the pseudo-migration sends its pages (default `exec:cat > /dev/null`; a QEMU sandboxed against spawning, as libvirt starts it, needs a TCP sink). */ uri?: string };
  /**
   * A folder for the RAM dumps, writable by the QEMU process (which writes them: `pmemsave`). Default: a fresh
   * private folder of this process's temporary directory. It is emptied afterwards, not removed.
   */
  dumpDir?: string;
  /**
   * Watch longer (`sample --horizon`): consecutive page-sampling windows of `windowSec` (default
   * `PHASE_WINDOW_SEC`) over about `sec` seconds, each one's rate kept in time order (`phases`): how the dirt
   * rate varies over time, which one short curve cannot show. Default: none.
   */
  horizon?: { sec: number; windowSec?: number };
  /**
   * Probe how the guest's dirt answers auto-converge's throttle (`sample --throttle-probe`, throttle-probe.ts):
   * opt-in, because it throttles the guest for a few seconds. Its pseudo-migration goes where `bitmap.uri` says
   * unless `uri` is given. Default: no probe.
   */
  throttleProbe?: Omit<ThrottleProbeOptions, 'signal'>;
  onProgress?: (done: number, total: number) => void;
  /** Stops the sampling between steps (and cancels a pseudo-migration in progress) when aborted. */
  signal?: AbortSignal;
}

interface DirtyRateInfo {
  status: string;
  'dirty-rate'?: number;
  'calc-time'?: number;
}

const MIB = 2 ** 20;

/** One calc-dirty-rate measurement: distinct bytes dirtied per second over a window of `sec`. */
async function measureWindow(qmp: Monitor, sec: number, samplePages: number): Promise<number> {
  await qmp.execute('calc-dirty-rate', { 'calc-time': Math.round(sec * 1000), 'calc-time-unit': 'millisecond', 'sample-pages': samplePages, mode: 'page-sampling' });
  const deadline = Date.now() + sec * 1000 + 15_000;
  await new Promise((r) => setTimeout(r, sec * 1000));
  for (;;) {
    const info = await qmp.execute<DirtyRateInfo>('query-dirty-rate');
    if (info.status === 'measured') return (info['dirty-rate'] ?? 0) * MIB;
    if (Date.now() > deadline) throw new Error(`calc-dirty-rate (${sec} s) did not finish`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many back-to-back windows of `windowSec` cover a horizon of `sec` (at least 2, at most 1,200). */
export function phaseWindowCount(sec: number, windowSec: number): number {
  if (!(sec > 0) || !(windowSec >= 0.05 && windowSec <= 60)) throw new RangeError(`horizon: sec > 0 and windowSec in [0.05, 60] s (got ${sec}, ${windowSec})`);
  return Math.min(1200, Math.max(2, Math.round(sec / windowSec)));
}

/** The fraction of 4 KiB pages that are all zeros in a RAM dump. */
export function zeroPageFractionOfFile(path: string, pageSize = 4096): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(pageSize * 1024);
  let zero = 0;
  let total = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      for (let off = 0; off + pageSize <= n; off += pageSize) {
        total++;
        let allZero = true;
        for (let i = off; i < off + pageSize; i += 8) {
          if (buf.readBigUInt64LE(i) !== 0n) {
            allZero = false;
            break;
          }
        }
        if (allZero) zero++;
      }
    }
  } finally {
    closeSync(fd);
  }
  return total ? zero / total : 0;
}

/** Slices of guest RAM, in address order, that a RAM layout is summed over. */
export const LAYOUT_BINS = 64;

/**
 * Two RAM dumps of the same guest, taken one after the other, compared page by page: per slice of the address
 * space (`bins` equal slices), the pages that are non-zero in the first dump and the pages whose contents
 * differ between the two (written in between: a page rewritten with the same bytes is not seen). Also the
 * first dump's zero-page fraction.
 */
export function ramLayoutOfFiles(pathA: string, pathB: string, bins = LAYOUT_BINS, pageSize = 4096): { zeroPageFraction: number; nonZeroPages: number[]; changedPages: number[]; flags: { nonZero: number[]; changed: number[] } } {
  const fa = openSync(pathA, 'r');
  const fb = openSync(pathB, 'r');
  const chunk = pageSize * 1024;
  const a = Buffer.alloc(chunk);
  const b = Buffer.alloc(chunk);
  const zero = Buffer.alloc(pageSize);
  const nonZeroList: number[] = [];
  const changedList: number[] = [];
  let page = 0;
  try {
    for (;;) {
      const na = readSync(fa, a, 0, chunk, null);
      const nb = readSync(fb, b, 0, chunk, null);
      const n = Math.min(na, nb);
      if (n <= 0) break;
      for (let off = 0; off + pageSize <= n; off += pageSize, page++) {
        const pa = a.subarray(off, off + pageSize);
        nonZeroList.push(pa.equals(zero) ? 0 : 1);
        changedList.push(pa.equals(b.subarray(off, off + pageSize)) ? 0 : 1);
      }
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
  const nonZeroPages = new Array<number>(bins).fill(0);
  const changedPages = new Array<number>(bins).fill(0);
  let nz = 0;
  for (let i = 0; i < page; i++) {
    const bin = Math.min(bins - 1, Math.floor((i * bins) / page));
    nonZeroPages[bin] += nonZeroList[i];
    changedPages[bin] += changedList[i];
    nz += nonZeroList[i];
  }
  return { zeroPageFraction: page ? 1 - nz / page : 0, nonZeroPages, changedPages, flags: { nonZero: nonZeroList, changed: changedList } };
}

/** CPU time (s) used so far by the given threads, from /proc; undefined where unreadable (another host). */
function threadsCpuSec(tids: number[]): number | undefined {
  let ticks = 0;
  try {
    for (const tid of tids) {
      const stat = readFileSync(`/proc/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    }
  } catch {
    return undefined;
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * Samples a VM: memory size, dirty rate, the dirty curve, the zero-page fraction and the vCPU load. Refuses
 * (MigrationActiveError) while a migration is active on the VM; the pseudo-migration restores every migration
 * capability and parameter it sets.
 */
export async function sampleVm(qmp: Monitor, opts: SampleOptions = {}): Promise<VmSample> {
  await refuseIfMigrating(qmp);
  const checkAborted = () => {
    if (opts.signal?.aborted) throw opts.signal.reason;
  };
  const windows = opts.windowsSec ?? FULL_WINDOWS_SEC;
  const summary = await qmp.execute<{ 'base-memory': number }>('query-memory-size-summary');
  const memoryBytes = summary['base-memory'];
  const samplePages = opts.samplePagesPerGiB ?? 16384; // QEMU's maximum: the least noisy
  const phaseWindowSec = opts.horizon?.windowSec ?? PHASE_WINDOW_SEC;
  const phaseWindows = opts.horizon ? phaseWindowCount(opts.horizon.sec, phaseWindowSec) : 0;
  const steps = windows.length + phaseWindows + (opts.zeroPages === false ? 0 : 1) + (opts.throttleProbe ? 1 : 0);
  const curve: { windowSec: number; dirtiedBytes: number }[] = [];
  let lastBytes = 0;
  const tids = await qmp.vcpuThreadIds().catch(() => []);
  const cpu0 = threadsCpuSec(tids);
  const wall0 = performance.now();
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    checkAborted();
    const rate = await measureWindow(qmp, w, samplePages);
    // Distinct pages within a longer window are at least those of a shorter one: keep the curve monotone.
    const dirtied = Math.max(lastBytes, rate * w);
    curve.push({ windowSec: w, dirtiedBytes: dirtied });
    lastBytes = dirtied;
    opts.onProgress?.(i + 1, steps);
  }
  const cpu1 = threadsCpuSec(tids);
  const wallSec = (performance.now() - wall0) / 1000;
  const cpuUtilisation = cpu0 !== undefined && cpu1 !== undefined && tids.length > 0 && wallSec > 0 ? Math.min(1, (cpu1 - cpu0) / wallSec / tids.length) : undefined;
  // The rate: the slope over the window nearest 250 ms (the shortest are noisy: few sampled pages change).
  let ref = curve[0];
  for (const p of curve) if (Math.abs(Math.log(p.windowSec / 0.25)) < Math.abs(Math.log(ref.windowSec / 0.25))) ref = p;
  const dirtyRateBytesPerSec = ref ? ref.dirtiedBytes / ref.windowSec : 0;
  let phases: VmSample['phases'];
  if (phaseWindows > 0) {
    // back to back: each window starts as soon as the previous one is read
    const rates: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < phaseWindows; i++) {
      checkAborted();
      rates.push(await measureWindow(qmp, phaseWindowSec, samplePages));
      opts.onProgress?.(windows.length + i + 1, steps);
    }
    phases = { windowSec: phaseWindowSec, spanSec: (performance.now() - t0) / 1000, rates };
  }
  let zeroPageFraction: number | undefined;
  let dumpAtMs: number | undefined;
  let ramLayout: VmSample['ramLayout'];
  let compressibility: VmSample['compressibility'];
  if (opts.zeroPages !== false) {
    checkAborted();
    const dir = opts.dumpDir ?? mkdtempSync(join(tmpdir(), 'migcost-ram-'));
    const file = join(dir, 'ram.bin');
    try {
      const d0 = Date.now();
      await qmp.execute('pmemsave', { val: 0, size: memoryBytes, filename: file }, { timeoutMs: 120_000 });
      dumpAtMs = (d0 + Date.now()) / 2;
      if (opts.layoutWindowSec !== undefined) {
        // The second dump starts windowSec after the first started: each page is read twice that far apart.
        const wait = d0 + opts.layoutWindowSec * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const d1 = Date.now();
        const second = join(dir, 'ram2.bin');
        await qmp.execute('pmemsave', { val: 0, size: memoryBytes, filename: second }, { timeoutMs: 120_000 });
        const l = ramLayoutOfFiles(file, second);
        zeroPageFraction = l.zeroPageFraction;
        ramLayout = { windowSec: (d1 - d0) / 1000, nonZeroPages: l.nonZeroPages, changedPages: l.changedPages };
        compressibility = await compressibilityOfFiles(file, second, l.flags);
      } else {
        zeroPageFraction = zeroPageFractionOfFile(file);
      }
    } finally {
      if (opts.dumpDir) for (const f of ['ram.bin', 'ram2.bin']) rmSync(join(dir, f), { force: true });
      else rmSync(dir, { recursive: true, force: true });
    }
    opts.onProgress?.(steps, steps);
  }
  const sample: VmSample = { memoryBytes, pageSizeBytes: 4096, dirtyRateBytesPerSec, curve, zeroPageFraction, cpuUtilisation, sampledAt: new Date().toISOString() };
  if (ramLayout) {
    sample.ramLayout = ramLayout;
    const changed = ramLayout.changedPages.reduce((x, y) => x + y, 0);
    if (ramLayout.windowSec > 0) sample.touchedPagesPerSec = changed / ramLayout.windowSec;
  }
  if (compressibility) sample.compressibility = compressibility;
  if (phases) sample.phases = phases;
  if (opts.bitmap) {
    const points: { windowSec: number; dirtiedBytes: number }[] = [];
    let zero = 0;
    let normal = 0;
    let late: { zeroPages: number; normalPages: number; atMs: number } | undefined;
    for (const w of opts.bitmap.windowsSec ?? PSEUDO_MIGRATION_WINDOWS_SEC) {
      checkAborted();
      const b = await bitmapCurve(qmp, memoryBytes, zeroPageFraction ?? 0, { windowSec: w, signal: opts.signal, uri: opts.bitmap.uri });
      checkAborted();
      points.push(...b.points);
      zero += b.zeroPages;
      normal += b.normalPages;
      if (b.firstPass) late = b.firstPass;
    }
    sample.bitmapCurve = points.sort((a, b) => a.windowSec - b.windowSec);
    if (zero + normal > 0) sample.bitmapZeroShare = zero / (zero + normal);
    if (late) {
      const lateFraction = late.zeroPages / (late.zeroPages + late.normalPages);
      sample.zeroPageFractionLate = lateFraction;
      sample.zeroPagesLateAt = new Date(late.atMs).toISOString();
      if (zeroPageFraction !== undefined && dumpAtMs !== undefined && late.atMs > dumpAtMs) {
        sample.nonZeroGrowthBytesPerSec = Math.max(0, ((zeroPageFraction - lateFraction) * memoryBytes) / ((late.atMs - dumpAtMs) / 1000));
      }
    }
  }
  if (opts.throttleProbe) {
    checkAborted();
    const zf = sample.zeroPageFractionLate ?? zeroPageFraction ?? 0;
    const r = await probeThrottle(qmp, memoryBytes, zf, dirtyRateBytesPerSec, { uri: opts.bitmap?.uri, samplePagesPerGiB: samplePages, curve, ...opts.throttleProbe, signal: opts.signal });
    checkAborted();
    if (r) sample.throttleResponse = r;
    opts.onProgress?.(steps, steps);
  }
  return sample;
}

/** Where a pseudo-migration sends its pages: QEMU's own `exec:`, never a request's. */
export const PSEUDO_MIGRATION_URI = 'exec:cat > /dev/null';

/**
 * The pseudo-migration: distinct bytes dirtied per pre-copy round, counted by QEMU's dirty bitmap, as curve
 * points (round duration, bytes). The VM never leaves: QEMU pauses before any switch-over and is cancelled.
 */
export async function bitmapCurve(qmp: Monitor, memoryBytes: number, zeroPageFraction: number, o: { windowSec?: number; budgetSec?: number; signal?: AbortSignal; uri?: string } = {}): Promise<{ points: { windowSec: number; dirtiedBytes: number }[]; zeroPages: number; normalPages: number; firstPass?: { zeroPages: number; normalPages: number; atMs: number } }> {
  const { runMigration } = await import('./migrate.js');
  if (o.signal?.aborted) throw o.signal.reason;
  const t0 = Date.now();
  const windowSec = o.windowSec ?? 1;
  const cap = Math.max(8 * MIB, (memoryBytes * (1 - zeroPageFraction)) / windowSec);
  const r = await runMigration({ source: qmp, uri: o.uri ?? PSEUDO_MIGRATION_URI, bandwidthBytesPerSec: cap, downtimeLimitSec: 0.001, autoConverge: false, timeoutSec: o.budgetSec ?? windowSec * 2 + 1, pseudo: true, pollMs: 10, signal: o.signal });
  if (r.sourceStatus !== 'running') throw new Error(`pseudo-migration left the VM ${r.sourceStatus}`);
  // Pages re-sent after the first pass (rounds 1..): how many of the dirtied pages were zero pages.
  let zeroPages = 0;
  let normalPages = 0;
  for (let i = 1; i < r.roundPages.length; i++) {
    zeroPages += Math.max(0, r.roundPages[i].zero);
    normalPages += Math.max(0, r.roundPages[i].normal);
  }
  // The first pass sends every page once, zero pages as flags: QEMU's own count of zero pages, at about the
  // middle of the pass.
  const first = r.roundPages[0];
  const firstSec = r.trace[0]?.durationSec;
  const firstPass = first && first.zero + first.normal > 0 && firstSec !== undefined ? { zeroPages: first.zero, normalPages: first.normal, atMs: t0 + (firstSec * 1000) / 2 } : undefined;
  return { points: r.trace.filter((t) => t.kind === 'pre-copy' && t.durationSec > 0).map((t) => ({ windowSec: t.durationSec, dirtiedBytes: t.dirtiedBytes })), zeroPages, normalPages, firstPass };
}
