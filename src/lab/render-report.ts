/** The validation report as text for people (Markdown tables that read well in a terminal and the README). */
import type { ErrorSummary } from '../calibrate/errors.js';
import type { LabReport, Metric } from './report.js';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function cell(e: ErrorSummary, m: Metric): string {
  if (e.n === 0) return 'n/a';
  const abs = m === 'downtimeSec' ? ` / ${(e.medianAbs * 1000).toFixed(0)} ms` : '';
  return `${pct(e.median)}${abs} / ${pct(e.p90)}`;
}

/**
 * One table: a row per variant (and per workload unless `overallOnly`), with median / p90 absolute
 * percentage error of total time, bytes sent and downtime (downtime also as median absolute ms).
 */
export function renderLabReport(rep: LabReport, opts: { overallOnly?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`${rep.migrations} migrations: ${rep.completed} completed, ${rep.notConverged} did not converge (cancelled at the time-out) or failed.`);
  lines.push('');
  lines.push('| variant | workload | n | total time: median / p90 | bytes sent: median / p90 | downtime: median / ms / p90 | converging or not: right |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of rep.rows) {
    if (opts.overallOnly && r.workload !== 'all') continue;
    lines.push(
      `| ${r.variant} | ${r.workload} | ${r.errors.totalTimeSec.n} | ${cell(r.errors.totalTimeSec, 'totalTimeSec')} | ${cell(r.errors.transferredBytes, 'transferredBytes')} | ${cell(r.errors.downtimeSec, 'downtimeSec')} | ${r.convergenceRight}/${r.convergenceTotal} |`,
    );
  }
  lines.push('');
  const nf = rep.noiseFloor;
  lines.push(
    `Noise floor (repeats of identical configurations: each run against its configuration's mean, spread-corrected, n = ${nf.totalTimeSec.n}): total time ${cell(nf.totalTimeSec, 'totalTimeSec')}, bytes ${cell(nf.transferredBytes, 'transferredBytes')}, downtime ${cell(nf.downtimeSec, 'downtimeSec')}.`,
  );
  return lines.join('\n');
}
