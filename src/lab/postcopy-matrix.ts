/**
 * The `postcopy` lab preset (issue 19: the post-copy phase length, median error <= 15 %): post-copy migrations
 * whose post-copy phase lasts long enough (about 1-10 s under TCG) that its length is the model's to get right,
 * not the poll's. Pure.
 *
 * Why a preset of its own: in techniques-groups pass 1 the post-copy phases lasted 0-83 ms — the switch came after
 * the first full pass, the guests' working sets were small (32-48 MiB), and QEMU pushed what was left without a
 * cap (max-postcopy-bandwidth 0: ~0.8 GB/s on loopback) — so a phase's relative error was the driver's 20 ms poll.
 * Here the guests keep 128-384 MiB dirty at the switch (the dirtier, sequential or random, and memtester) and the
 * push is capped at 20-50 MiB/s, so the phase is the pending bytes over the cap: seconds. It tests the post-copy
 * phase rule of docs/techniques.md (`postcopyPhaseSec = never-sent / min(firstTouch, cap) + rest / min(stopCopy,
 * cap)`) and, through the pending bytes, the switch rule (after pass N, or cutting pass 1 at S seconds).
 *
 * Each configuration is chosen by its prediction with the current model (bench/postcopy-preset.bench.ts prints
 * them): a phase of ~2.5-10 s, a switch within ~5 s, a migration well inside the 30 s time-out (a switched post-copy
 * cannot be cancelled: QEMU refuses, so the time-out lets it finish, but the run would outlast its slot), and a
 * sequential dirtier that sweeps its working set in ~1.6 s (rate = working set / 1.64 s, up to 40,000 pages/s), so
 * that the sampler's 2 s and 4 s windows see it level off and the pending bytes at the switch are the sample's to
 * tell. A random writer never levels off within 4 s: those runs test the curve's extension as well.
 */
import type { MigrationConfig, Workload } from '../record/record.js';
import type { TechniqueOptions } from '../model/types.js';
import { techniqueConfig } from './technique-config.js';

const MIB = 2 ** 20;

export interface PostcopyPresetConfig {
  /** A short name (the bench's row). */
  name: string;
  memoryBytes: number;
  workload: Workload;
  params: Record<string, string | number>;
  /** Pre-copy's cap (max-bandwidth) before the switch. */
  bandwidthBytesPerSec: number;
  downtimeLimitSec: number;
  /** Post-copy with its push cap and its switch (after passes, or seconds). */
  technique: TechniqueOptions & { name: 'postcopy'; maxPostcopyBandwidthBytesPerSec: number };
}

const pc = (capMiB: number, after: { passes: number } | { sec: number }): PostcopyPresetConfig['technique'] => ({
  name: 'postcopy',
  maxPostcopyBandwidthBytesPerSec: capMiB * MIB,
  ...('passes' in after ? { postcopyAfterPasses: after.passes } : { postcopyAfterSec: after.sec }),
});

/**
 * The configurations: dirtier (sequential and random) and memtester working sets of 128-384 MiB in 256 MiB-1 GiB
 * guests, pre-copy at 50 or 100 MiB/s, a push cap of 20, 30 or 50 MiB/s, switching after pass 1 or after 2-3 s
 * (inside pass 1: the never-sent pages are pushed too), both downtime limits. Predicted phases: the bench.
 */
export const POSTCOPY_CONFIGS: readonly PostcopyPresetConfig[] = [
  { name: 'seq128-512-p1-c20', memoryBytes: 512 * MIB, workload: 'dirtier', params: { wss: '128M', rate: 20000, pattern: 'seq' }, bandwidthBytesPerSec: 50 * MIB, downtimeLimitSec: 0.3, technique: pc(20, { passes: 1 }) },
  { name: 'seq128-512-p1-c50', memoryBytes: 512 * MIB, workload: 'dirtier', params: { wss: '128M', rate: 20000, pattern: 'seq' }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.1, technique: pc(50, { passes: 1 }) },
  { name: 'seq256-1024-p1-c50', memoryBytes: 1024 * MIB, workload: 'dirtier', params: { wss: '256M', rate: 40000, pattern: 'seq' }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.3, technique: pc(50, { passes: 1 }) },
  { name: 'seq192-512-s2-c30', memoryBytes: 512 * MIB, workload: 'dirtier', params: { wss: '192M', rate: 30000, pattern: 'seq' }, bandwidthBytesPerSec: 50 * MIB, downtimeLimitSec: 0.1, technique: pc(30, { sec: 2 }) },
  { name: 'seq256-1024-s3-c30', memoryBytes: 1024 * MIB, workload: 'dirtier', params: { wss: '256M', rate: 40000, pattern: 'seq' }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.1, technique: pc(30, { sec: 3 }) },
  { name: 'rand128-256-p1-c20', memoryBytes: 256 * MIB, workload: 'dirtier', params: { wss: '128M', rate: 12000, pattern: 'random' }, bandwidthBytesPerSec: 50 * MIB, downtimeLimitSec: 0.3, technique: pc(20, { passes: 1 }) },
  { name: 'rand256-512-s3-c50', memoryBytes: 512 * MIB, workload: 'dirtier', params: { wss: '256M', rate: 20000, pattern: 'random' }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.1, technique: pc(50, { sec: 3 }) },
  { name: 'rand384-1024-p1-c50', memoryBytes: 1024 * MIB, workload: 'dirtier', params: { wss: '384M', rate: 20000, pattern: 'random' }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.3, technique: pc(50, { passes: 1 }) },
  { name: 'mt128-512-p1-c20', memoryBytes: 512 * MIB, workload: 'memtester', params: { wss: '128M' }, bandwidthBytesPerSec: 50 * MIB, downtimeLimitSec: 0.1, technique: pc(20, { passes: 1 }) },
  { name: 'mt256-512-p1-c50', memoryBytes: 512 * MIB, workload: 'memtester', params: { wss: '256M' }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.3, technique: pc(50, { passes: 1 }) },
  { name: 'mt192-512-s3-c30', memoryBytes: 512 * MIB, workload: 'memtester', params: { wss: '192M' }, bandwidthBytesPerSec: 50 * MIB, downtimeLimitSec: 0.3, technique: pc(30, { sec: 3 }) },
  { name: 'mt384-1024-s2-c50', memoryBytes: 1024 * MIB, workload: 'memtester', params: { wss: '384M' }, bandwidthBytesPerSec: 100 * MIB, downtimeLimitSec: 0.1, technique: pc(50, { sec: 2 }) },
];

/** Rounds of the post-copy preset unless told (2: the repeat oracle needs two runs of each configuration). */
export const POSTCOPY_ROUNDS = 2;

/**
 * `postcopy`: every POSTCOPY_CONFIGS configuration once, then again (`rounds` rounds, so a drift in the machine's
 * load spreads over all of them): 12 x 2 = 24 runs. Their time-out is `timeoutSec` (default 30 s).
 */
export function postcopyMatrix(timeoutSec: number, rounds: number): MigrationConfig[] {
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError('postcopyMatrix: rounds must be an integer >= 1');
  const out: MigrationConfig[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const c of POSTCOPY_CONFIGS) {
      out.push(techniqueConfig(c, c.technique, timeoutSec));
    }
  }
  return out;
}
