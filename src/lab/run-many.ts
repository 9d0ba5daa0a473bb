/**
 * Many lab runs, one at a time: each configuration is run for real (runLabConfig), recorded in the store and/or
 * appended to a JSON Lines file, and reported through hooks. A run that fails to start is counted, not thrown,
 * so a long matrix goes on.
 */
import type { MigrationConfig, MigrationRecord } from '../record/record.js';
import { appendRecord } from '../record/load.js';
import type { Store } from '../store/store.js';
import type { LabRunOptions } from './run.js';

export interface RunManyOptions<R extends MigrationRecord> {
  /** Options of every run (platform constants, pinning). */
  run?: LabRunOptions;
  /** Store each record here. */
  store?: Store;
  /** Append each record to this JSON Lines file. */
  results?: string;
  /** The record to keep from run i's record (e.g. with an experiment tag); default as it is. */
  tag?: (i: number, r: MigrationRecord) => R;
  /** Called before run i of `total`. */
  onStart?: (i: number, total: number) => void;
  /** Called once run i is recorded. */
  onRecord?: (i: number, r: R) => void;
  /** Called when run i failed to start or to record. */
  onFailure?: (i: number, e: Error) => void;
}

/** Runs `configs` in order; the counts of runs recorded and failed. */
export async function runAndRecord<R extends MigrationRecord = MigrationRecord>(configs: readonly MigrationConfig[], opts: RunManyOptions<R> = {}): Promise<{ recorded: number; failed: number }> {
  // The QEMU driver loads only when something is run.
  const { runLabConfig } = await import('./run.js');
  const { runLabConfigLibvirt } = await import('./run-libvirt.js');
  let failed = 0;
  for (let i = 0; i < configs.length; i++) {
    opts.onStart?.(i, configs.length);
    try {
      const lv = opts.run?.libvirt;
      const raw = lv ? await runLabConfigLibvirt(configs[i], lv, opts.run) : await runLabConfig(configs[i], opts.run);
      const r = opts.tag ? opts.tag(i, raw) : (raw as R);
      await opts.store?.recordMigration(r);
      if (opts.results !== undefined) appendRecord(opts.results, r);
      opts.onRecord?.(i, r);
    } catch (e) {
      failed++;
      opts.onFailure?.(i, e as Error);
    }
  }
  return { recorded: configs.length - failed, failed };
}
