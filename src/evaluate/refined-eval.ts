/**
 * Does history help? For every VM (same workload and memory size), migrations in time order: the base
 * prediction uses the fresh sample alone; the refined one replaces its rate with Liu's eq. 13 blend of the
 * sample and the VM's history (eqs. 11-12, with the self-tuning phi of calibrate/refined.ts), scaling the
 * sampled curve by the same factor. Only migrations with history behind them are scored. Pure.
 */
import { initialRefinedState, refinedRate, updateRefined, weightedDirtyRate, type RefinedState } from '../calibrate/refined.js';
import { hostKey, type MigrationRecord } from '../record/record.js';
import type { VmSample } from '../model/sample.js';

/** A migration's realised dirty rate (eq. 11) from its trace: per-round dirtied bytes over round time. */
export function realisedRate(r: MigrationRecord): number | undefined {
  const rounds = r.trace.filter((t) => t.kind === 'pre-copy' && t.durationSec > 0).map((t) => ({ dirtyRateBytesPerSec: t.dirtiedBytes / t.durationSec, durationSec: t.durationSec }));
  return rounds.length > 0 ? weightedDirtyRate(rounds) : undefined;
}

export function vmKey(r: MigrationRecord): string {
  return `${r.config.workload}|${JSON.stringify(r.config.params)}|${r.config.memoryBytes}|${hostKey(r)}`;
}

/** The sample with its rate (and curve) replaced by the refined estimate. */
export function refinedSample(sample: VmSample, state: RefinedState): VmSample {
  const rate = refinedRate(state, sample.dirtyRateBytesPerSec);
  const k = sample.dirtyRateBytesPerSec > 0 ? rate / sample.dirtyRateBytesPerSec : 1;
  return { ...sample, dirtyRateBytesPerSec: rate, curve: sample.curve.map((p) => ({ windowSec: p.windowSec, dirtiedBytes: p.dirtiedBytes * k })) };
}

/**
 * Pairs each record that has history with its refined sample; `predictWith` turns a record and a sample into
 * the record re-predicted (e.g. predictAllVariants with the cross-validated platform).
 */
export function withRefinedSamples(records: readonly MigrationRecord[]): { record: MigrationRecord; refined: VmSample }[] {
  const byVm = new Map<string, MigrationRecord[]>();
  for (const r of records) byVm.set(vmKey(r), [...(byVm.get(vmKey(r)) ?? []), r]);
  const out: { record: MigrationRecord; refined: VmSample }[] = [];
  for (const list of byVm.values()) {
    list.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    let state = initialRefinedState();
    for (const r of list) {
      if (state.migrations > 0) out.push({ record: r, refined: refinedSample(r.sample, state) });
      const real = r.measured.status === 'completed' ? realisedRate(r) : undefined;
      if (real !== undefined) state = updateRefined(state, r.sample.dirtyRateBytesPerSec, real);
    }
  }
  return out;
}
