/** A sample as its row of the samples table holds it, and back. */
import type { Selectable } from 'kysely';
import type { VmSample } from '../model/sample.js';
import type { SamplesTable } from './schema.js';
import type { StoredSample } from './store.js';

/** The pseudo-migration's part of a sample, as stored (null when the sample has none). */
const PSEUDO_FIELDS = ['bitmapCurve', 'bitmapZeroShare', 'zeroPageFractionLate', 'zeroPagesLateAt', 'nonZeroGrowthBytesPerSec', 'ramLayout', 'compressibility', 'touchedPagesPerSec', 'throttleResponse'] as const;
type PseudoFields = Pick<VmSample, (typeof PSEUDO_FIELDS)[number]>;

export function pseudoJson(s: VmSample): string | null {
  const o: Record<string, unknown> = {};
  for (const k of PSEUDO_FIELDS) if (s[k] !== undefined) o[k] = s[k];
  return Object.keys(o).length > 0 ? JSON.stringify(o) : null;
}

export function pseudoFields(json: string | null | undefined): PseudoFields {
  if (!json) return {};
  const o = JSON.parse(json) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of PSEUDO_FIELDS) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out as PseudoFields;
}

export function storedSampleFromRow(s: Selectable<SamplesTable>): StoredSample {
  return {
    id: s.id,
    vmId: s.vm_id,
    source: s.source,
    memoryBytes: Number(s.memory_bytes),
    pageSizeBytes: 4096,
    dirtyRateBytesPerSec: Number(s.dirty_rate_bytes_per_sec),
    curve: JSON.parse(s.curve_json),
    zeroPageFraction: s.zero_page_fraction ?? undefined,
    cpuUtilisation: s.cpu_utilisation ?? undefined,
    sampledAt: s.taken_at,
    ...pseudoFields(s.pseudo_json),
  };
}
