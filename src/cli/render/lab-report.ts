/** The validation report as text for people (Markdown tables that read well in a terminal and the README). */
import type { ErrorSummary } from '../../calibrate/errors.js';
import type { LabReport, Metric } from '../../evaluate/report.js';

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
  const ro = rep.repeatOracle;
  if (ro.totalTimeSec.n > 0) {
    lines.push(
      `Repeat oracle (each repeated run predicted by the median of its configuration's other runs on that machine — what knowing how every other identical migration went would score, n = ${ro.totalTimeSec.n}): total time ${cell(ro.totalTimeSec, 'totalTimeSec')}, bytes ${cell(ro.transferredBytes, 'transferredBytes')}, downtime ${cell(ro.downtimeSec, 'downtimeSec')}.`,
    );
  }
  const rp = rep.repeatability;
  if (rp && rp.erratic.configurations > 0) {
    const e = (x: typeof rp.repeatable) => `total time ${cell(x.errors.totalTimeSec, 'totalTimeSec')}, bytes ${cell(x.errors.transferredBytes, 'transferredBytes')} (n = ${x.errors.totalTimeSec.n})`;
    lines.push('');
    lines.push(
      `Where the error lies (${rp.variant}; in hindsight, by how each configuration's own repeats on one machine went): ${rp.repeatable.configurations} configurations whose repeats agree (${rp.repeatable.migrations} runs): ${e(rp.repeatable)}; ${rp.erratic.configurations} erratic ones — runs ending differently, or total times spread by more than ${(rp.spreadLimit * 100).toFixed(0)} % (${rp.erratic.migrations} runs): ${e(rp.erratic)}.`,
    );
  }
  return lines.join('\n');
}
