/**
 * A sweep's results as comparison rows: each run's figures, with ESV, traffic and downtime against the MMT run of
 * the same configuration (same day, detector, parameter, seed and memory; NaN without one). Pure.
 */
import type { CompareRow } from '../sim/compare.js';
import { canonicalJson, type SweepRun } from './grid.js';
import type { SweepRunResult } from './sweep.js';

export interface SweepRow extends CompareRow {
  detector: string;
  detectorParam: number;
  seed: number;
  memorySource: string;
  migrationModel: string;
  key: string;
  cached: boolean;
}

/** What a run is compared within: every input but the policy. */
const groupOf = (r: SweepRun) => canonicalJson({ ...r, policy: undefined });

const num = (x: number | null | undefined) => (x === null || x === undefined ? NaN : x);

export function sweepRows(results: readonly SweepRunResult[]): SweepRow[] {
  const rows = results.map(({ run, key, result: r, wallSec, cached }): SweepRow => ({
    day: run.day,
    policy: run.policy,
    detector: run.detector,
    detectorParam: run.detectorParam,
    seed: run.seed,
    memorySource: run.memorySource,
    migrationModel: run.migrationModel,
    energyKWh: num(r.energyKWh),
    migrations: r.migrations,
    slatah: num(r.slatah),
    pdm: num(r.pdm),
    slav: num(r.slav),
    esv: num(r.esv),
    transferredBytes: num(r.migrationCost?.transferredBytes),
    downtimeSec: num(r.migrationCost?.downtimeSec),
    esvVsMmt: NaN,
    bytesVsMmt: NaN,
    downtimeVsMmt: NaN,
    wallSec,
    key,
    cached,
  }));
  const mmt = new Map<string, SweepRow>();
  results.forEach(({ run }, i) => {
    if (run.policy === 'mmt') mmt.set(groupOf(run), rows[i]);
  });
  results.forEach(({ run }, i) => {
    const m = mmt.get(groupOf(run));
    if (!m) return;
    const r = rows[i];
    r.esvVsMmt = (r.esv - m.esv) / m.esv;
    r.bytesVsMmt = (r.transferredBytes - m.transferredBytes) / m.transferredBytes;
    r.downtimeVsMmt = (r.downtimeSec - m.downtimeSec) / m.downtimeSec;
  });
  return rows;
}
