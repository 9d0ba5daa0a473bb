/**
 * Predictions no fitted constant was tuned on: k-fold cross-validation over configurations. Records of
 * one configuration (repeats included) stay in one fold; each fold is predicted, from its own samples,
 * with platform constants fitted on the other folds only. Pure.
 */
import { fitPlatform, type PlatformObservation } from '../calibrate/platform.js';
import type { Platform } from '../model/types.js';
import { configKey, type LabRecord } from './types.js';
import { predictAllVariants } from './variants.js';
import { withRefinedSamples } from './refined-eval.js';

export function platformObservation(r: LabRecord): PlatformObservation | undefined {
  const m = r.measured;
  if (m.status !== 'completed') return undefined;
  return {
    setupSec: m.setupSec,
    downtimeSec: m.downtimeSec,
    stopCopyBytes: m.stopCopyBytes ?? 0,
    precopyBytes: m.precopyBytes ?? m.transferredBytes - (m.stopCopyBytes ?? 0),
    precopySec: m.totalTimeSec - m.downtimeSec - m.setupSec,
    capBytesPerSec: r.config.bandwidthBytesPerSec,
    rounds: m.rounds,
  };
}

/** Fits the platform constants on every completed record given. */
export function fitPlatformFromRecords(records: readonly LabRecord[]): Partial<Platform> {
  return fitPlatform(records.map(platformObservation).filter((o): o is PlatformObservation => o !== undefined)).platform;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Re-predicts every record from its sample with the current models, out of fold. */
export function crossValidate(records: readonly LabRecord[], k = 5): LabRecord[] {
  const fold = (r: LabRecord) => hash(configKey(r.config)) % k;
  const platforms: Partial<Platform>[] = [];
  for (let f = 0; f < k; f++) platforms.push(fitPlatformFromRecords(records.filter((r) => fold(r) !== f)));
  return records.map((r) => ({ ...r, predicted: predictAllVariants(r.sample, r.config, platforms[fold(r)]) }));
}

/** Re-predicts every record with one given platform (in-sample when it was fitted on them). */
export function repredict(records: readonly LabRecord[], platform: Partial<Platform>): LabRecord[] {
  return records.map((r) => ({ ...r, predicted: predictAllVariants(r.sample, r.config, platform) }));
}

/**
 * Refined-model evaluation: the records that have history, each predicted twice out of fold — as `base:`
 * variants from the fresh sample, and as `refined:` variants from the history-blended sample.
 */
export function crossValidateRefined(records: readonly LabRecord[], variants: readonly string[], k = 5): LabRecord[] {
  const fold = (r: LabRecord) => hash(configKey(r.config)) % k;
  const platforms: Partial<Platform>[] = [];
  for (let f = 0; f < k; f++) platforms.push(fitPlatformFromRecords(records.filter((r) => fold(r) !== f)));
  return withRefinedSamples(records).map(({ record, refined }) => {
    const base = predictAllVariants(record.sample, record.config, platforms[fold(record)]);
    const ref = predictAllVariants(refined, record.config, platforms[fold(record)]);
    const predicted: LabRecord['predicted'] = {};
    for (const v of variants) {
      predicted[`base:${v}`] = base[v as keyof typeof base];
      predicted[`refined:${v}`] = ref[v as keyof typeof ref];
    }
    return { ...record, predicted };
  });
}
