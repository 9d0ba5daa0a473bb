/**
 * Sample, migrate, record through libvirt: the libvirt twin of `hypervisor/qemu/sample-and-migrate.ts`, with
 * the same record (MigrationRecord) so calibration, evaluation and the store treat both alike.
 */
import { randomUUID } from 'node:crypto';
import { sampleAt } from '../../model/from-sample.js';
import type { Prediction } from '../../model/types.js';
import type { VmSample } from '../../model/sample.js';
import type { MigrationConfig, MigrationRecord } from '../../record/record.js';
import { Virsh, domainAccelerator, hypervisorVersion, type JobStats } from './virsh.js';
import { sampleDomain, type LibvirtSampleOptions } from './sample.js';
import { migrateDomain } from './migrate.js';

export interface LibvirtSampleAndMigrateOptions {
  source: Virsh;
  domain: string;
  destinationUri: string;
  xmlFile?: string;
  p2p?: boolean;
  config: MigrationConfig | ((sample: VmSample) => MigrationConfig);
  sampling?: LibvirtSampleOptions;
  /** Another way to sample (e.g. the full sampler over the monitor pass-through); default libvirt's own calls. */
  sample?: (signal?: AbortSignal) => Promise<VmSample>;
  /** The predictions stored with the record, from the sample at the migration's start. */
  predict: (sample: VmSample, cfg: MigrationConfig) => Record<string, Prediction>;
  onStep?: (step: 'sample' | 'migrate') => void;
  /** Told the job's statistics at each poll of the migration. */
  onProgress?: (stats: JobStats, elapsedSec: number) => void;
  signal?: AbortSignal;
}

export async function sampleAndMigrateDomain(o: LibvirtSampleAndMigrateOptions): Promise<{ record: MigrationRecord; domainOn: 'source' | 'destination' }> {
  const [qemuVersion, accelerator] = await Promise.all([hypervisorVersion(o.source), domainAccelerator(o.source, o.domain)]);
  o.onStep?.('sample');
  const sample = o.sample ? await o.sample(o.signal) : await sampleDomain(o.source, o.domain, { ...o.sampling, signal: o.signal });
  const cfg = typeof o.config === 'function' ? o.config(sample) : o.config;
  const migrationStartedAt = new Date().toISOString();
  const predicted = o.predict(sampleAt(sample, migrationStartedAt), cfg);
  o.onStep?.('migrate');
  const r = await migrateDomain({
    source: o.source,
    domain: o.domain,
    destinationUri: o.destinationUri,
    xmlFile: o.xmlFile,
    p2p: o.p2p,
    bandwidthBytesPerSec: cfg.bandwidthBytesPerSec,
    downtimeLimitSec: cfg.downtimeLimitSec,
    autoConverge: cfg.autoConverge,
    timeoutSec: cfg.timeoutSec,
    technique: cfg.technique,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const record: MigrationRecord = { id: randomUUID(), startedAt: migrationStartedAt, config: cfg, accelerator, qemuVersion, sample, predicted, measured: r.measured, trace: r.trace, migrationStartedAt, driver: 'libvirt' };
  return { record, domainOn: r.domainOn };
}
