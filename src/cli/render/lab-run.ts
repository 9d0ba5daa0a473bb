/** One lab run for people (a predicted-against-measured table) and as JSON (the fields of `predict --json`). */
import Table from 'cli-table3';
import type { MigrationRecord } from '../../record/record.js';
import { roundForJson } from '../../rounding.js';
import type { Platform } from '../../model/types.js';
import { formatBytes, formatSeconds } from './format.js';

const FIELDS = ['totalTimeSec', 'downtimeSec', 'transferredBytes', 'rounds', 'converged'] as const;

/** The run's predicted (by `variant`) and measured figures side by side. */
export function comparisonTable(r: MigrationRecord, variant: string): string {
  const t = new Table({ head: ['', `predicted (${variant})`, 'measured'], style: { head: [], border: [] } });
  const p = r.predicted[variant];
  const m = r.measured;
  t.push(
    ['total time', formatSeconds(p.totalTimeSec), formatSeconds(m.totalTimeSec)],
    ['downtime', formatSeconds(p.downtimeSec), m.status === 'completed' ? formatSeconds(m.downtimeSec) : '-'],
    ['sent', formatBytes(p.transferredBytes), formatBytes(m.transferredBytes)],
    ['rounds', String(p.rounds), String(m.rounds)],
    ['converged', p.converged ? 'yes' : 'no', m.status === 'completed' ? 'yes' : `no (${m.status})`],
  );
  return t.toString();
}

/** The fields `predict --json` prints, from a prediction or a measured outcome (energy and reason null when absent). */
export function contractFields(o: object): Record<string, unknown> {
  const src = o as Record<string, unknown>;
  return Object.fromEntries(FIELDS.map((k) => [k, src[k]]).concat([['energyJoules', src.energyJoules ?? null], ['reason', src.reason ?? null]]));
}

/** `lab run --json`: the record with `variant`'s prediction and every variant's in the contract fields, rounded as `predict --json`. */
export function labRunJson(r: MigrationRecord, variant: string): string {
  return JSON.stringify({
    id: r.id,
    config: r.config,
    sample: r.sample,
    predicted: roundForJson(contractFields(r.predicted[variant])),
    measured: roundForJson(contractFields(r.measured)),
    variants: Object.fromEntries(Object.entries(r.predicted).map(([k, v]) => [k, roundForJson(contractFields(v))])),
    trace: r.trace,
    ...(r.config.technique ? { technique: { predicted: techniqueFields(r.predicted[variant]), measured: techniqueFields(r.measured) } } : {}),
  });
}

/** A technique's own fields that both a prediction and a measurement may carry (docs/techniques.md). */
const TECHNIQUE_FIELDS = ['technique', 'switchoverSec', 'postcopyPhaseSec', 'postcopyBytes', 'remoteFaults', 'xbzrleCacheHits', 'xbzrleCacheMisses', 'xbzrleOverflows', 'xbzrleEncodedBytes', 'compressionRatio'] as const;

function techniqueFields(o: object | undefined): Record<string, unknown> {
  const src = (o ?? {}) as Record<string, unknown>;
  return Object.fromEntries(TECHNIQUE_FIELDS.filter((k) => src[k] !== undefined).map((k) => [k, src[k]]));
}

/** Fitted platform constants as a table. */
export function platformTable(platform: Partial<Platform>): string {
  const t = new Table({ head: ['constant', 'value'], style: { head: [], border: [] } });
  if (platform.setupSec !== undefined) t.push(['setup', formatSeconds(platform.setupSec)]);
  if (platform.resumeSec !== undefined) t.push(['resume (fixed part of downtime)', formatSeconds(platform.resumeSec)]);
  if (platform.firstTouchRateBytesPerSec !== undefined) t.push(['stop-and-copy rate, pages never sent', `${formatBytes(platform.firstTouchRateBytesPerSec)}/s`]);
  if (platform.stopCopyRateBytesPerSec !== undefined) t.push(['stop-and-copy rate', `${formatBytes(platform.stopCopyRateBytesPerSec)}/s`]);
  if (platform.stopCopyBufferedBytes !== undefined) t.push(['stop-and-copy bytes the socket buffers take', formatBytes(platform.stopCopyBufferedBytes)]);
  if (platform.postcopySwitchSec !== undefined) t.push(['post-copy switch (its downtime)', formatSeconds(platform.postcopySwitchSec)]);
  if (platform.postcopyFaultLatencySec !== undefined) t.push(['post-copy stall per remote fault', formatSeconds(platform.postcopyFaultLatencySec)]);
  if (platform.postcopyPushRateBytesPerSec !== undefined) t.push(['post-copy push rate (uncapped)', `${formatBytes(platform.postcopyPushRateBytesPerSec)}/s`]);
  if (platform.lineRateBytesPerSec !== undefined) t.push(['pre-copy line rate', `${formatBytes(platform.lineRateBytesPerSec)}/s`]);
  for (const c of ['Zlib', 'Zstd'] as const) {
    const r = platform[`multifd${c}ChannelBytesPerSec`];
    const r0 = platform[`multifd${c}ChannelRedundantBytesPerSec`];
    if (r !== undefined && r0 !== undefined) t.push([`multifd ${c.toLowerCase()} per channel, incompressible / redundant pages`, `${formatBytes(r)}/s / ${formatBytes(r0)}/s`]);
  }
  if (platform.multifdStopCopyChannelSpeedup !== undefined) t.push(['multifd zlib/zstd channels at the stop-and-copy, x their live rate', platform.multifdStopCopyChannelSpeedup.toFixed(2)]);
  return t.toString();
}
