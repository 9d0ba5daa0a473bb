/**
 * Predictions no fitted constant was tuned on: k-fold cross-validation over configurations. Records of
 * one configuration (repeats included) stay in one fold; each fold is predicted, from its own samples,
 * with platform constants fitted on the other folds only. Pure.
 */
import { fitPlatform, type PlatformObservation } from '../calibrate/platform.js';
import type { Platform } from '../model/types.js';
import { TECHNIQUE_DEFAULTS } from '../model/techniques.js';
import { configKey, hostKey, type MigrationRecord } from '../record/record.js';
import { predictAllVariants, predictVariant, sampleAt } from '../model/from-sample.js';
import { fitStopCopySpeedup, type StopCopyRun } from '../calibrate/multifd-stop.js';
import { withRefinedSamples, vmKey } from './refined-eval.js';
import { applyResidual, initialResidualState, updateResidual, type ResidualState } from '../calibrate/residual.js';
import { LIU_WIRED_ENERGY, wiredEnergyJoules } from '../model/energy.js';
import { downtimeIsPhase } from './technique-report.js';

export function platformObservation(r: MigrationRecord): PlatformObservation | undefined {
  const m = r.measured;
  if (m.status !== 'completed') return undefined;
  const t = r.config.technique;
  const precopySec = m.totalTimeSec - m.downtimeSec - m.setupSec;
  let multifd: PlatformObservation['multifd'];
  if (t?.name === 'multifd' || t?.name === 'compress') {
    const compression = t.multifdCompression ?? (t.name === 'compress' ? 'zlib' : 'none');
    if (compression === 'none') multifd = { compression };
    else if (m.multifdBytes !== undefined && m.compressionRatio !== undefined) {
      multifd = { compression, channels: t.multifdChannels ?? TECHNIQUE_DEFAULTS.multifdChannels, rawBytes: m.multifdBytes * m.compressionRatio, wireBytes: m.multifdBytes, sec: precopySec, capBytesPerSec: r.config.bandwidthBytesPerSec };
    } else multifd = { compression: 'none' }; // no figures: kept out of the line rate only
  }
  return {
    ...(multifd ? { multifd, technique: 'multifd' as const } : {}),
    ...(t?.name === 'xbzrle' ? { technique: 'xbzrle' as const } : {}),
    // A post-copy run that switched (not QEMU's 0 ms sentinel, where the downtime is the whole phase).
    ...(t?.name === 'postcopy' && (m.postcopyPhaseSec ?? 0) > 0 && !downtimeIsPhase(m) ? { technique: 'postcopy' as const } : {}),
    ...(t?.name === 'postcopy' && (m.postcopyPhaseSec ?? 0) > 0 && (m.postcopyBytes ?? 0) > 0
      ? { postcopyPush: { bytes: m.postcopyBytes!, sec: m.postcopyPhaseSec!, capBytesPerSec: t.maxPostcopyBandwidthBytesPerSec ?? Infinity, ...(m.postcopyTimedBy ? { timedBy: m.postcopyTimedBy } : {}), ...(m.remoteFaults !== undefined ? { faults: m.remoteFaults } : {}), ...(m.postcopyBlocktimeSec !== undefined ? { blocktimeSec: m.postcopyBlocktimeSec } : {}) } }
      : {}),
    setupSec: m.setupSec,
    downtimeSec: m.downtimeSec,
    stopCopyBytes: m.stopCopyBytes ?? 0,
    precopyBytes: m.precopyBytes ?? m.transferredBytes - (m.stopCopyBytes ?? 0),
    precopySec,
    capBytesPerSec: r.config.bandwidthBytesPerSec,
    rounds: m.rounds,
  };
}

/**
 * Fits the platform constants on every completed record given; then, with those, multifd's stop-and-copy speedup
 * from the compressed multifd runs' downtimes (calibrate/multifd-stop.ts: it needs the model, which needs the rest).
 */
export function fitPlatformFromRecords(records: readonly MigrationRecord[]): Partial<Platform> {
  const platform = fitPlatform(records.map(platformObservation).filter((o): o is PlatformObservation => o !== undefined)).platform;
  const runs: StopCopyRun[] = records.filter(compressedMultifd).map((r) => {
    const sample = sampleAt(r.sample, r.migrationStartedAt);
    return {
      measuredDowntimeSec: r.measured.downtimeSec,
      predictedDowntimeSec: (s: number) => {
        const p = predictVariant('deng-bitmap', sample, r.config, { ...platform, multifdStopCopyChannelSpeedup: s });
        return p.converged ? p.downtimeSec : undefined;
      },
    };
  });
  const speedup = fitStopCopySpeedup(runs);
  if (speedup !== undefined) platform.multifdStopCopyChannelSpeedup = speedup;
  return platform;
}

/** A completed migration that ran multifd with zlib or zstd (the old `compress` included). */
function compressedMultifd(r: MigrationRecord): boolean {
  const t = r.config.technique;
  if (r.measured.status !== 'completed' || !t) return false;
  return t.name === 'compress' || (t.name === 'multifd' && (t.multifdCompression === 'zlib' || t.multifdCompression === 'zstd'));
}

/** Completed records a machine needs before its platform constants are fitted on its own records alone. */
export const MIN_HOST_RECORDS = 20;

/**
 * The platform constants for each record, fitted out of fold: on the other folds' records of the same platform
 * (machine, pinning, driver: hostKey) when it has at least MIN_HOST_RECORDS completed records outside the fold
 * (stop-and-copy rates differ by 2x between machines), else on the other folds' records driven the same way, else
 * on every other fold's record.
 */
export function outOfFoldPlatforms(records: readonly MigrationRecord[], k: number): (r: MigrationRecord) => Partial<Platform> {
  const fold = (r: MigrationRecord) => hash(configKey(r.config)) % k;
  const cache = new Map<string, Partial<Platform>>();
  return (r) => {
    const f = fold(r);
    const host = hostKey(r);
    const key = `${f}|${host}`;
    let p = cache.get(key);
    if (!p) {
      p = fitPlatformFromRecords(recordsForHost(records.filter((o) => fold(o) !== f), host).records);
      cache.set(key, p);
    }
    return p;
  };
}

/**
 * The records to fit one platform's constants on: its own when it has at least MIN_HOST_RECORDS completed ones,
 * else every machine's records driven the same way (a libvirt-driven record's job time includes starting the
 * destination QEMU: its setup is not the QMP driver's), else every record (`scope` says which). Pure.
 */
export function recordsForHost(records: readonly MigrationRecord[], host: string): { records: readonly MigrationRecord[]; scope: 'host' | 'driver' | 'all' } {
  const completed = (rs: readonly MigrationRecord[]) => rs.filter((r) => r.measured.status === 'completed').length;
  const mine = records.filter((r) => hostKey(r) === host);
  if (completed(mine) >= MIN_HOST_RECORDS) return { records: mine, scope: 'host' };
  const libvirt = host.endsWith(' via libvirt');
  const sameDriver = records.filter((r) => (r.driver === 'libvirt') === libvirt);
  if (sameDriver.length < records.length && completed(sameDriver) > 0) return { records: sameDriver, scope: 'driver' };
  return { records, scope: 'all' };
}

/** FNV-1a of a configuration key: which fold a configuration falls in. */
export function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Re-predicts every record from its sample with the current models, out of fold. */
export function crossValidate(records: readonly MigrationRecord[], k = 5): MigrationRecord[] {
  const platformOf = outOfFoldPlatforms(records, k);
  return records.map((r) => ({ ...r, predicted: predictAllVariants(sampleAt(r.sample, r.migrationStartedAt), r.config, platformOf(r)) }));
}

/** Re-predicts every record with one given platform (in-sample when it was fitted on them). */
export function repredict<R extends MigrationRecord>(records: readonly R[], platform: Partial<Platform>): R[] {
  return records.map((r) => ({ ...r, predicted: predictAllVariants(sampleAt(r.sample, r.migrationStartedAt), r.config, platform) }));
}

/**
 * History evaluation: the records that have history, each predicted out of fold as `base:` variants from
 * the fresh sample, `refined:` from Liu's history-blended sample (eqs. 11-13), `history:` as the base
 * prediction corrected by the VM's past errors (calibrate/residual.ts), and `refined+history:` both.
 * Each VM's past predictions are the out-of-fold ones of its own configuration, as they would have been made.
 */
export function crossValidateRefined(records: readonly MigrationRecord[], variants: readonly string[], k = 5): MigrationRecord[] {
  const platformOf = outOfFoldPlatforms(records, k);
  const refinedOf = new Map(withRefinedSamples(records).map(({ record, refined }) => [record.id, refined]));
  const byVm = new Map<string, MigrationRecord[]>();
  for (const r of records) byVm.set(vmKey(r), [...(byVm.get(vmKey(r)) ?? []), r]);
  const energyOf = (b: number) => wiredEnergyJoules(LIU_WIRED_ENERGY, b);
  const out: MigrationRecord[] = [];
  for (const list of byVm.values()) {
    list.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const base = new Map<string, ResidualState>();
    const refinedState = new Map<string, ResidualState>();
    for (const record of list) {
      const b = predictAllVariants(sampleAt(record.sample, record.migrationStartedAt), record.config, platformOf(record));
      const refinedSample = refinedOf.get(record.id);
      const ref = refinedSample ? predictAllVariants(sampleAt(refinedSample, record.migrationStartedAt), record.config, platformOf(record)) : b;
      const m = record.measured;
      const measured = { totalTimeSec: m.totalTimeSec, transferredBytes: m.transferredBytes, downtimeSec: m.downtimeSec, completed: m.status === 'completed' };
      if (refinedSample) {
        const predicted: MigrationRecord['predicted'] = {};
        for (const v of variants) {
          const key = v as keyof typeof b;
          predicted[`base:${v}`] = b[key];
          predicted[`refined:${v}`] = ref[key];
          predicted[`history:${v}`] = applyResidual(base.get(v) ?? initialResidualState(), b[key], undefined, energyOf);
          predicted[`refined+history:${v}`] = applyResidual(refinedState.get(v) ?? initialResidualState(), ref[key], undefined, energyOf);
        }
        out.push({ ...record, predicted });
      }
      for (const v of variants) {
        const key = v as keyof typeof b;
        base.set(v, updateResidual(base.get(v) ?? initialResidualState(), b[key], measured));
        refinedState.set(v, updateResidual(refinedState.get(v) ?? initialResidualState(), ref[key], measured));
      }
    }
  }
  return out;
}

/**
 * The records a lab report scores. By default every record is re-predicted from its own sample with the current
 * models and with platform constants fitted only on other configurations (k-fold), so no constant saw its
 * migration; `refined` scores history against none (base: and refined: variants), `asRecorded` the predictions
 * made before each migration, and `platform` re-predicts with given constants instead of fitting them.
 */
export function recordsToScore(
  raw: readonly MigrationRecord[],
  opts: { folds: number; variants?: readonly string[]; refined?: boolean; asRecorded?: boolean; platform?: Partial<Platform> },
): readonly MigrationRecord[] {
  if (opts.refined) return crossValidateRefined(raw, opts.variants ?? ['qemu+zero', 'deng-curve', 'deng-bitmap'], opts.folds);
  if (opts.asRecorded) return raw;
  if (opts.platform !== undefined) return repredict(raw, opts.platform);
  return crossValidate(raw, opts.folds);
}
