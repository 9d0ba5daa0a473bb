/**
 * One lab run: boot a source guest with a workload, sample it, predict with every model variant, boot a
 * destination, migrate for real, and record everything. QEMU processes are always cleaned up.
 */
import { randomUUID } from 'node:crypto';
import { startGuest, freePort, findQemu, detectAccelerator, type Guest } from '../hypervisor/qemu/guest.js';
import { sampleVm } from '../hypervisor/qemu/sample.js';
import { runMigration } from '../hypervisor/qemu/migrate.js';
import { predictAllVariants, sampleAt } from '../model/from-sample.js';
import type { MigrationConfig, MigrationRecord } from '../record/record.js';
import { labHost } from './host.js';
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
  /** Pin the source's vCPU to core 0 and everything else (both QEMUs' other threads, this process) to the other cores. */
  pin?: boolean;
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLabConfig(cfg: MigrationConfig, opts: LabRunOptions = {}): Promise<MigrationRecord> {
  const log = opts.log ?? (() => {});
  const qemu = findQemu();
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
    log('sample');
    const sample = await sampleVm(src.qmp, { windowsSec: opts.windowsSec, bitmap: opts.pseudoMigration === false ? undefined : {}, layoutWindowSec: opts.pseudoMigration === false ? undefined : 1 });
    const port = await freePort();
    log('boot destination');
    dst = await startGuest({ memoryBytes: cfg.memoryBytes, incomingPort: port });
    if (layout) pinProcess(dst.proc.pid!, layout.otherCores);
    // Predicted just before the migration starts: a growing VM is extrapolated to now.
    const migrationStartedAt = new Date().toISOString();
    const predicted = predictAllVariants(sampleAt(sample, migrationStartedAt), cfg, opts.platform ?? {});
    log('migrate');
    const r = await runMigration({
      source: src.qmp,
      uri: `tcp:127.0.0.1:${port}`,
      bandwidthBytesPerSec: cfg.bandwidthBytesPerSec,
      downtimeLimitSec: cfg.downtimeLimitSec,
      autoConverge: cfg.autoConverge,
      timeoutSec: cfg.timeoutSec,
      adaptiveRate: opts.adaptiveRate,
    });
    return {
      id: randomUUID(),
      startedAt,
      config: cfg,
      accelerator: detectAccelerator(),
      qemuVersion: qemu.version,
      sample,
      predicted,
      measured: r.measured,
      trace: r.trace,
      migrationStartedAt,
      host: { ...labHost(), ...(layout ? { pinned: true } : {}) },
    };
  } finally {
    await Promise.all([src?.kill(), dst?.kill()]);
  }
}
