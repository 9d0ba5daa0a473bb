/**
 * Sampling a libvirt domain with libvirt's own calls, no monitor pass-through (so the domain is not tainted):
 * `domdirtyrate-calc` in page-sampling mode over each window of the curve (the only mode that works under TCG;
 * QEMU's calc-dirty-rate counts the distinct sampled pages dirtied within the window), polled with
 * `domstats --dirtyrate`, and the memory size from `dominfo`. Nothing about the domain is changed: the
 * calculation sets no migration capability or parameter, so there is nothing to restore.
 *
 * A horizon (`sample --horizon`) is watched the same way, in back-to-back 1 s windows (libvirt's finest), for the
 * phases (model/phases.ts) — as the QMP sampler's 500 ms windows, coarser.
 *
 * What libvirt has no call for (the zero-page count, Deng's pseudo-migration, the RAM layout) is not measured
 * here; the model then uses its stated defaults (docs/libvirt.md).
 */
import type { VmSample } from '../../model/sample.js';
import { InputError } from '../../units.js';
import { phaseWindowCount } from '../qemu/sample.js';
import { LibvirtError, Virsh, checkDomainName, domainInfo, intField, jobInfo, parseKeyValues } from './virsh.js';

/** The curve's windows through libvirt: whole seconds (domdirtyrate-calc takes 1-60 s). */
export const LIBVIRT_WINDOWS_SEC: readonly number[] = [1, 2, 4];

/** A horizon's windows through libvirt: 1 s each. */
export const LIBVIRT_PHASE_WINDOW_SEC = 1;

export interface LibvirtSampleOptions {
  windowsSec?: readonly number[];
  /** Also watch this long in back-to-back 1 s windows (at least 2) and keep each one's rate: the sample's phases. */
  horizon?: { sec: number };
  /** Told after each window. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Between polls of domstats (default 100 ms). */
  pollMs?: number;
}

/** A migration (or another job) is running on the domain: sampling now would block behind it (LIBVIRT-NOTES §4). */
export class LibvirtJobActiveError extends LibvirtError {
  override name = 'LibvirtJobActiveError';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Refuses while the domain has a job running (a migration: domdirtyrate-calc would block until it ends). */
export async function refuseIfJobActive(v: Virsh, domain: string): Promise<void> {
  const j = await jobInfo(v, domain);
  if (j.type === 'bounded' || j.type === 'unbounded') {
    throw new LibvirtJobActiveError(`domain ${domain} has a job running (${j.type}${j.stats.get('operation') ? `, operation ${j.stats.get('operation')}` : ''}): sample it before or after the migration`);
  }
}

/** One window: start the calculation, wait for its result, answer the distinct-page rate in bytes/s. */
export async function dirtyRateOver(v: Virsh, domain: string, seconds: number, o: { pollMs?: number; signal?: AbortSignal } = {}): Promise<number> {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) throw new LibvirtError(`windows: ${seconds} s — libvirt measures whole seconds from 1 to 60`);
  const before = Math.floor(Date.now() / 1000);
  await v.run(['domdirtyrate-calc', '--domain', domain, '--seconds', String(seconds), '--mode', 'page-sampling']);
  const deadline = Date.now() + (seconds + 30) * 1000;
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason;
    await sleep(o.pollMs ?? 100);
    const m = parseKeyValues(await v.run(['domstats', '--dirtyrate', '--', domain]), '=');
    const status = intField(m, 'dirtyrate.calc_status', 'domstats');
    const started = intField(m, 'dirtyrate.calc_start_time', 'domstats');
    if (status === 2 && started >= before - 1) {
      // QEMU reports MB/s as (dirtied pages x page size) >> 20 per second: MiB/s, an integer.
      return intField(m, 'dirtyrate.megabytes_per_second', 'domstats') * 2 ** 20;
    }
    if (Date.now() > deadline) throw new LibvirtError(`domdirtyrate-calc on ${domain}: no result within ${seconds + 30} s (status ${status})`);
  }
}

/** Samples a libvirt domain into migcost's VmSample (source of `predict --vm`, plans and records). */
export async function sampleDomain(v: Virsh, domainName: string, o: LibvirtSampleOptions = {}): Promise<VmSample> {
  const domain = checkDomainName('--domain', domainName);
  const info = await domainInfo(v, domain).catch((e: Error) => {
    throw /failed to get domain|Domain not found/.test(e.message) ? new InputError('--domain', domain, `is not a domain of ${v.uri}`) : e;
  });
  if (info.state !== 'running') throw new LibvirtError(`domain ${domain} is ${info.state}: only a running domain can be sampled`);
  await refuseIfJobActive(v, domain);
  const windows = o.windowsSec ?? LIBVIRT_WINDOWS_SEC;
  const phaseWindows = o.horizon ? phaseWindowCount(o.horizon.sec, LIBVIRT_PHASE_WINDOW_SEC) : 0;
  const steps = windows.length + phaseWindows;
  const curve: { windowSec: number; dirtiedBytes: number }[] = [];
  let last = 0;
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    const rate = await dirtyRateOver(v, domain, w, o);
    // Distinct pages within a longer window are at least those of a shorter one: keep the curve monotone.
    const dirtied = Math.max(last, rate * w);
    curve.push({ windowSec: w, dirtiedBytes: dirtied });
    last = dirtied;
    o.onProgress?.(i + 1, steps);
  }
  // The rate is the shortest window's slope (QEMU's calc-dirty-rate default is 1 s; libvirt's finest).
  const dirtyRateBytesPerSec = curve.length > 0 ? curve[0].dirtiedBytes / curve[0].windowSec : 0;
  let phases: VmSample['phases'];
  if (phaseWindows > 0) {
    const t0 = performance.now();
    const rates: number[] = [];
    for (let i = 0; i < phaseWindows; i++) {
      rates.push(await dirtyRateOver(v, domain, LIBVIRT_PHASE_WINDOW_SEC, o));
      o.onProgress?.(windows.length + i + 1, steps);
    }
    phases = { windowSec: LIBVIRT_PHASE_WINDOW_SEC, spanSec: (performance.now() - t0) / 1000, rates };
  }
  return { memoryBytes: info.maxMemoryBytes, pageSizeBytes: 4096, dirtyRateBytesPerSec, curve, ...(phases ? { phases } : {}), sampledAt: new Date().toISOString() };
}
