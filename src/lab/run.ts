/**
 * One lab run: boot a source guest with a workload, sample it, predict with every model variant, boot a
 * destination, migrate for real, and record everything. QEMU processes are always cleaned up.
 */
import { startGuest, freePort, type Guest } from './guest.js';
import { sampleAndMigrate } from '../hypervisor/qemu/sample-and-migrate.js';
import { LAYOUT_WINDOW_SEC, PSEUDO_MIGRATION_WINDOWS_SEC } from '../hypervisor/qemu/windows.js';
import type { MigrationConfig, MigrationRecord } from '../record/record.js';
import { labHost } from './host.js';
import { needsIncomingSetup, postcopyBlocktimeSec, prepareIncoming } from '../hypervisor/qemu/technique-settings.js';
import { defaultPinLayout, pinProcess, pinSource } from '../hypervisor/qemu/pin.js';
import type { AdaptiveRate, Platform } from '../model/types.js';

export interface LabRunOptions {
  platform?: Partial<Platform>;
  adaptiveRate?: AdaptiveRate;
  /** Sampling windows (s). */
  windowsSec?: number[];
  /** Seconds to let the workload settle after it said ready. Default 1. */
  settleSec?: number;
  /** Also sample with a pseudo-migration (dirty-bitmap counts). Default true. */
  pseudoMigration?: boolean;
  /** Also watch this long (s) for phases (`sample --horizon`), before the pseudo-migration. Default: none. */
  horizonSec?: number;
  /** Also probe how the dirt answers auto-converge's throttle (`sample --throttle-probe`), after the pseudo-migration. Default: no. */
  throttleProbe?: { throttle?: number };
  /** Pin the source's vCPU to core 0 and everything else (both QEMUs' other threads, this process) to the other cores. */
  pin?: boolean;
  log?: (line: string) => void;
  /** Drive the run through these libvirt daemons instead of migcost's own QEMU processes and QMP driver. */
  libvirt?: import('./run-libvirt.js').LabLibvirt;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLabConfig(cfg: MigrationConfig, opts: LabRunOptions = {}): Promise<MigrationRecord> {
  const log = opts.log ?? (() => {});
  const startedAt = new Date().toISOString();
  let src: Guest | undefined;
  let dst: Guest | undefined;
  try {
    log(`boot source (${cfg.workload})`);
    src = await startGuest({ memoryBytes: cfg.memoryBytes, workload: cfg.workload, params: cfg.params });
    const layout = opts.pin ? defaultPinLayout() : undefined;
    if (layout) {
      pinProcess(process.pid, layout.otherCores);
      await pinSource(src.qmp, src.proc.pid!, layout);
    }
    await sleep((opts.settleSec ?? 1) * 1000);
    const pseudo = opts.pseudoMigration !== false;
    const { record } = await sampleAndMigrate({
      source: src.qmp,
      sampling: { windowsSec: opts.windowsSec, bitmap: pseudo ? { windowsSec: PSEUDO_MIGRATION_WINDOWS_SEC } : undefined, layoutWindowSec: pseudo ? LAYOUT_WINDOW_SEC : undefined, ...(opts.horizonSec ? { horizon: { sec: opts.horizonSec } } : {}), ...(opts.throttleProbe ? { throttleProbe: opts.throttleProbe } : {}) },
      destination: async () => {
        const port = await freePort();
        log('boot destination');
        const defer = needsIncomingSetup(cfg.technique);
        dst = await startGuest({ memoryBytes: cfg.memoryBytes, incomingPort: port, incomingDefer: defer });
        if (layout) pinProcess(dst.proc.pid!, layout.otherCores);
        const uri = `tcp:127.0.0.1:${port}`;
        if (defer) await prepareIncoming(dst.qmp, cfg.technique, uri);
        return uri;
      },
      config: cfg,
      predictions: { variants: opts.platform ?? {} },
      adaptiveRate: opts.adaptiveRate,
      host: { ...labHost(), ...(layout ? { pinned: true } : {}) },
      startedAt,
      onStep: (step) => {
        if (step !== 'destination') log(step);
      },
    });
    // post-copy: the destination's measured stall, read while it still runs (the destination is killed after).
    const m = record.measured;
    if (dst && cfg.technique?.name === 'postcopy' && m.status === 'completed' && (m.postcopyPhaseSec ?? 0) > 0) {
      const sec = await postcopyBlocktimeSec(dst.qmp).catch(() => undefined);
      if (sec !== undefined) m.postcopyBlocktimeSec = sec;
    }
    return record;
  } finally {
    await Promise.all([src?.kill(), dst?.kill()]);
  }
}
