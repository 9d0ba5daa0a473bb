/** The convergence outlook's scores as text for people (`lab report --outlook`): one Markdown table and its notes. */
import type { ErrorSummary } from '../../calibrate/errors.js';
import type { OutlookEval } from '../../evaluate/outlook-eval.js';

const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(1)} %`);
const err = (e: ErrorSummary) => (e.n === 0 ? 'n/a' : `${pct(e.median)} / ${pct(e.p90)} (n ${e.n})`);

/**
 * A row per workload ('all' first): verdicts right by the deterministic prediction and by the probability, the
 * Brier score, total time median / p90 error of the deterministic point and of the outlook's p50, and the
 * [p10, p90] interval's coverage and median width.
 */
export function renderOutlookReport(ev: OutlookEval): string {
  const lines: string[] = [];
  const all = ev.rows[0];
  lines.push(`Convergence outlook on ${all?.runs ?? 0} migrations: ${all?.completed ?? 0} completed, ${all?.notConverged ?? 0} cancelled at the time-out${ev.failed ? `, ${ev.failed} failed (not scored)` : ''}.`);
  lines.push('');
  lines.push('| workload | runs | verdicts right: deterministic / p >= 0.5 | Brier | total time, deterministic: median / p90 | total time, p50: median / p90 | [p10, p90] coverage (nominal 80 %) | median width / p50 |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const r of ev.rows) {
    const brier = r.brier === undefined ? 'n/a' : r.brier.toFixed(3);
    const cov = r.interval.n === 0 ? 'n/a' : `${pct(r.interval.coverage)} (${r.interval.covered}/${r.interval.n})`;
    lines.push(`| ${r.workload} | ${r.runs} | ${r.deterministicRight} / ${r.probabilityRight} | ${brier} | ${err(r.deterministicError)} | ${err(r.p50Error)} | ${cov} | ${pct(r.interval.medianWidth)} |`);
  }
  lines.push('');
  lines.push(`Repeat oracle, total time (each repeated run predicted by the median of its configuration's other runs on that machine): ${err(ev.repeatOracle)}.`);
  const vo = ev.verdictOracle;
  if (vo.runs > 0) lines.push(`Repeat oracle, verdicts (each repeated run's by the majority of its configuration's other runs on that machine, a tie half): ${vo.right} / ${vo.runs} (${pct(vo.right / vo.runs)}).`);
  const ph = ev.phases;
  lines.push(`Phases: ${ph.records} records carry a longer look, ${ph.quiet} saw a quiet phase; without it ${ph.verdictsChanged} probability verdicts would differ.`);
  return `${lines.join('\n')}\n`;
}
