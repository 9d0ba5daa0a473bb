import Table from 'cli-table3';
import type { ConvergenceFields, Prediction, PredictInput, RoundTrace, TechniquePrediction } from '../../model/index.js';
import { formatBytes, formatCount, formatJoules, formatRate, formatSeconds } from './format.js';
import { stopVerdict } from '../../model/verdict.js';

const plain = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } };

/**
 * A two-column table of one prediction, for people; with its input, the downtime says when it is over the limit
 * or a forced switch-over's, and a line under the table says why the migration stopped (render/verdict.ts).
 */
export function predictionTable(p: Prediction & Partial<ConvergenceFields>, input?: PredictInput): string {
  const t = new Table({ ...plain, head: ['metric', 'value'] });
  const v = input ? stopVerdict(p, input) : undefined;
  if (input) t.push(['policy', input.policy.name + (input.policy.autoConverge ? ' + auto-converge' : '')]);
  const downtimeNote = v?.overLimitSec !== undefined ? ` (${formatSeconds(v.overLimitSec)} over the limit)` : p.reason === 'timeout' ? ' (forced switch-over at the time-out)' : '';
  t.push(
    ['total time', formatSeconds(p.totalTimeSec)],
    ['downtime', `${formatSeconds(p.downtimeSec)}${downtimeNote}`],
    ['transferred', formatBytes(p.transferredBytes)],
    ['pre-copy rounds', formatCount(p.rounds)],
    ['converged', p.converged ? 'yes' : 'NO'],
    ...(p.convergenceProbability === undefined ? [] : [
      ['P(converges)', `${(p.convergenceProbability * 100).toFixed(1)} %`],
      ['total time p10/p50/p90', `${formatSeconds(p.timeP10Sec!)} / ${formatSeconds(p.timeP50Sec!)} / ${formatSeconds(p.timeP90Sec!)}`],
    ]),
    ['stopped because', v?.overLimitSec !== undefined ? 'switch-over, downtime over the limit' : p.reason === 'timeout' ? 'timeout: forced switch-over' : p.reason],
    ['energy', formatJoules(p.energyJoules)],
    ['  setup', formatSeconds(p.setupSec)],
    ['  pre-copy', formatSeconds(p.precopySec)],
    ['  stop-and-copy', `${formatSeconds(p.stopCopySec)} (${formatBytes(p.stopCopyBytes)})`],
    ['  resume', formatSeconds(p.resumeSec)],
  );
  if (p.maxThrottle > 0) t.push(['max throttle', `${Math.round(p.maxThrottle * 100)} %`]);
  techniqueRows(p as TechniquePrediction).forEach((r) => t.push(r));
  const text = v ? `${t.toString()}\n${v.text}` : t.toString();
  return p.assumption ? `${text}\nassumption: ${p.assumption}` : text;
}

/** A technique's own figures, as rows (none for plain pre-copy). */
function techniqueRows(p: TechniquePrediction): [string, string][] {
  if (p.technique === undefined) return [];
  const rows: [string, string][] = [['technique', p.technique + (p.measured === false ? ' (not measured: rules from the sources)' : '')]];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  if (p.postcopyPhaseSec !== undefined) {
    rows.push(['  switch-over at', formatSeconds(p.switchoverSec ?? 0)], ['  post-copy phase', `${formatSeconds(p.postcopyPhaseSec)} (${formatBytes(p.postcopyBytes ?? 0)})`]);
    rows.push(['  remote faults', `${n(p.remoteFaults ?? 0)} (guest stalled ${formatSeconds(p.postcopyBlockedSec ?? 0)})`]);
  }
  if (p.xbzrleCacheHitRatio !== undefined) {
    rows.push(['  cache hit ratio (pass 3+)', pct(p.xbzrleCacheHitRatio)], ['  cache hits / misses', `${n(p.xbzrleCacheHits ?? 0)} / ${n(p.xbzrleCacheMisses ?? 0)} pages`]);
    rows.push(['  overflows', `${n(p.xbzrleOverflows ?? 0)} pages`], ['  encoded', formatBytes(p.xbzrleEncodedBytes ?? 0)]);
  }
  if (p.multifdChannels !== undefined) rows.push(['  multifd', `${p.multifdChannels} channels, ${p.multifdCompression}, ratio ${(p.compressionRatio ?? 1).toFixed(2)}${p.compressionRatioRewritten !== undefined ? ` (rewritten pages ${p.compressionRatioRewritten.toFixed(1)})` : ''} (${formatBytes(p.rawBytes ?? 0)} raw)`]);
  if (p.dirtyLimitBytesPerSec !== undefined) rows.push(['  dirty limit', `${formatBytes(p.dirtyLimitBytesPerSec)}/s${p.dirtyLimitFromSec !== undefined ? ` from ${formatSeconds(p.dirtyLimitFromSec)}` : ' (never triggered)'}`]);
  if (p.note) rows.push(['  note', p.note]);
  return rows;
}

/** The per-round trace as a table. */
export function traceTable(rows: readonly RoundTrace[]): string {
  const t = new Table({ ...plain, head: ['round', 'kind', 'sent', 'duration', 'rate', 'dirtied', 'skipped', 'remaining', 'throttle'] });
  for (const r of rows) {
    t.push([
      String(r.round),
      r.kind,
      formatBytes(r.sentBytes),
      formatSeconds(r.durationSec),
      formatRate(r.rateBytesPerSec),
      formatBytes(r.dirtiedBytes),
      formatBytes(r.skippedBytes),
      formatBytes(r.remainingBytes),
      `${Math.round(r.throttle * 100)} %`,
    ]);
  }
  return t.toString();
}
