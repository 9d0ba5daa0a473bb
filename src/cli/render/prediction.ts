import Table from 'cli-table3';
import type { Prediction, PredictInput, RoundTrace } from '../../model/index.js';
import { formatBytes, formatCount, formatJoules, formatRate, formatSeconds } from './format.js';

const plain = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } };

/** A two-column table of one prediction, for people. */
export function predictionTable(p: Prediction, input?: PredictInput): string {
  const t = new Table({ ...plain, head: ['metric', 'value'] });
  if (input) t.push(['policy', input.policy.name + (input.policy.autoConverge ? ' + auto-converge' : '')]);
  t.push(
    ['total time', formatSeconds(p.totalTimeSec)],
    ['downtime', formatSeconds(p.downtimeSec)],
    ['transferred', formatBytes(p.transferredBytes)],
    ['pre-copy rounds', formatCount(p.rounds)],
    ['converged', p.converged ? 'yes' : 'NO'],
    ['stopped because', p.reason],
    ['energy', formatJoules(p.energyJoules)],
    ['  setup', formatSeconds(p.setupSec)],
    ['  pre-copy', formatSeconds(p.precopySec)],
    ['  stop-and-copy', `${formatSeconds(p.stopCopySec)} (${formatBytes(p.stopCopyBytes)})`],
    ['  resume', formatSeconds(p.resumeSec)],
  );
  if (p.maxThrottle > 0) t.push(['max throttle', `${Math.round(p.maxThrottle * 100)} %`]);
  return t.toString();
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
