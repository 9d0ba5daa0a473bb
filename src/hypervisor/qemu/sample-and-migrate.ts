/**
 * Sample, migrate, record: the one routine behind `lab run`, `migcost execute` and `POST /v1/execute`. It
 * samples the VM on its (connected) QMP client, readies the destination, predicts just before the migration
 * starts (a growing VM extrapolated to that moment), migrates for real and builds the MigrationRecord.
 * Every migration setting it changes is restored (see migration-settings.ts).
 */
import { randomUUID } from 'node:crypto';
import type { QmpClient } from './qmp.js';
import { sampleVm, type SampleOptions } from './sample.js';
import { runMigration } from './migrate.js';
import { findQemu, detectAccelerator } from './qemu-binary.js';
import { predictAllVariants, sampleAt } from '../../model/from-sample.js';
import type { AdaptiveRate, Platform, Prediction } from '../../model/types.js';
import type { VmSample } from '../../model/sample.js';
import type { MigrationConfig, MigrationHost, MigrationRecord } from '../../record/record.js';

export interface SampleAndMigrateOptions {
  source: QmpClient;
  /** The destination's migration URI, or a function that readies the destination once the VM is sampled
   * (the lab boots it then, with the technique's incoming settings: technique-settings.ts `prepareIncoming`)
   * and answers its URI. */
  destination: string | ((sample: VmSample) => Promise<string>);
  /** The migration's settings, or a function of the sample (a VM's memory size is read from it). */
  config: MigrationConfig | ((sample: VmSample) => MigrationConfig);
  /** How to sample (windows, zero pages, pseudo-migration, layout). */
  sampling: SampleOptions;
  /** The predictions stored with the record: given ones (a plan's), or every model variant's for a platform. */
  predictions: { given: Record<string, Prediction> } | { variants: Partial<Platform> };
  adaptiveRate?: AdaptiveRate;
  /** The host the record says it ran on (the lab's). */
  host?: MigrationHost;
  /** When the run started (default: when the migration starts). */
  startedAt?: string;
  /** Told each step as it begins. */
  onStep?: (step: 'sample' | 'destination' | 'migrate') => void;
  /** Aborting stops the sampling or cancels the migration; the settings are restored either way. */
  signal?: AbortSignal;
}

export interface SampledMigration {
  record: MigrationRecord;
  /** The source VM's state afterwards ('postmigrate' when it moved, 'running' when it stayed). */
  sourceStatus: string;
}

export async function sampleAndMigrate(o: SampleAndMigrateOptions): Promise<SampledMigration> {
  const qemu = findQemu();
  o.onStep?.('sample');
  const sample = await sampleVm(o.source, { ...o.sampling, signal: o.signal ?? o.sampling.signal });
  o.onStep?.('destination');
  const uri = typeof o.destination === 'string' ? o.destination : await o.destination(sample);
  const cfg = typeof o.config === 'function' ? o.config(sample) : o.config;
  // Predicted just before the migration starts: a growing VM is extrapolated to now.
  const migrationStartedAt = new Date().toISOString();
  const predicted = 'given' in o.predictions ? o.predictions.given : predictAllVariants(sampleAt(sample, migrationStartedAt), cfg, o.predictions.variants);
  o.onStep?.('migrate');
  const r = await runMigration({
    source: o.source,
    uri,
    bandwidthBytesPerSec: cfg.bandwidthBytesPerSec,
    downtimeLimitSec: cfg.downtimeLimitSec,
    autoConverge: cfg.autoConverge,
    timeoutSec: cfg.timeoutSec,
    adaptiveRate: o.adaptiveRate,
    signal: o.signal,
    technique: cfg.technique,
  });
  const record: MigrationRecord = {
    id: randomUUID(),
    startedAt: o.startedAt ?? migrationStartedAt,
    config: cfg,
    accelerator: detectAccelerator(),
    qemuVersion: qemu.version,
    sample,
    predicted,
    measured: r.measured,
    trace: r.trace,
    migrationStartedAt,
  };
  if (o.host) record.host = o.host;
  return { record, sourceStatus: r.sourceStatus };
}
