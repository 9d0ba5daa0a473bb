/** `lab report --techniques` as text: every technique's errors against its repeat oracle, and advise's regret. */
import type { ErrorSummary } from '../../calibrate/errors.js';
import { TECHNIQUE_TARGETS, type TechniqueRow } from '../../evaluate/technique-report.js';
import type { TechniqueDecisionReport } from '../../evaluate/technique-regret.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'inf');
const mark = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? ' ok' : ' MISS');
const mp = (e: ErrorSummary | undefined) => (e && e.n > 0 ? `${pct(e.median)} / ${pct(e.p90)}` : 'n/a');

/** One Markdown table: a row per technique, model and oracle side by side, each target marked met or missed. */
export function renderTechniqueRows(rows: readonly TechniqueRow[], variant: string): string {
  const T = TECHNIQUE_TARGETS;
  const lines = [
    `Per technique (${variant}; errors median / p90 over the completed runs it said would converge; oracle: each repeat predicted by the median of its configuration's other repeats). Targets: time and bytes median <= ${pct(T.medianError)} and p90 within ${T.p90OverOracle * 100} points of the oracle; downtime median abs <= ${T.downtimeMedianAbsSec * 1000} ms; post-copy phase median <= ${pct(T.postcopyPhaseMedianError)}.`,
    '',
    '| technique | runs | completed | converging: right (deterministic / p >= 0.5) | n | total time | oracle | bytes | oracle | downtime median abs | oracle | post-copy phase | oracle |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const v = r.verdicts;
    const dt = (e: ErrorSummary) => (e.n > 0 ? `${(e.medianAbs * 1000).toFixed(0)} ms` : 'n/a');
    lines.push(
      `| ${r.technique} | ${r.migrations} | ${r.completed} | ${r.convergenceRight}/${r.migrations}${r.probabilityRight !== undefined ? ` / ${r.probabilityRight}/${r.migrations}` : ''} | ${r.errors.totalTimeSec.n} | ${mp(r.errors.totalTimeSec)}${mark(v.timeMedian)}${mark(v.timeP90)} | ${mp(r.oracle.totalTimeSec)} | ${mp(r.errors.transferredBytes)}${mark(v.bytesMedian)}${mark(v.bytesP90)} | ${mp(r.oracle.transferredBytes)} | ${dt(r.errors.downtimeSec)}${mark(v.downtime)} | ${dt(r.oracle.downtimeSec)} | ${r.postcopyPhase ? `${mp(r.postcopyPhase)}${mark(v.postcopyPhase)}` : ''} | ${r.postcopyPhaseOracle ? mp(r.postcopyPhaseOracle) : ''} |`,
    );
  }
  for (const r of rows) {
    const st = r.postcopyStall;
    if (st) lines.push('', `${r.technique}: the guest's stall against the destination's postcopy-blocktime (${st.n} runs): median abs error ${(st.medianAbsSec * 1000).toFixed(0)} ms; medians measured ${(st.measuredMedianSec * 1000).toFixed(0)} ms, predicted ${(st.predictedMedianSec * 1000).toFixed(0)} ms.`);
    if (r.downtimeIsPhase) lines.push('', `${r.technique}: ${r.downtimeIsPhase} of ${r.completed} completed runs report a downtime equal to their post-copy phase (QEMU's 0 ms sentinel, migration_downtime_end): that downtime is the phase, not the switch; counted here, not corrected.`);
  }
  return lines.join('\n');
}

/** advise's pick per group against the best in hindsight, the regret, and what always choosing one technique scores. */
export function renderTechniqueDecisions(d: TechniqueDecisionReport): string {
  if (d.groups === 0) return 'No decision groups (records of `lab matrix --preset techniques-groups` carry config.group).';
  const lines = [
    `advise against the best technique in hindsight over ${d.groups} groups (${d.costRule}):`,
    '',
    '| group | advise picks | best in hindsight | measured cost: pick / best (s) | regret | did not complete |',
    '|---|---|---|---|---|---|',
  ];
  for (const g of d.perGroup) {
    lines.push(
      `| ${g.group} | ${g.pick}${g.adviseTop ? ` (advise's first: ${g.adviseTop}, not run)` : ''} | ${g.best} | ${g.costs[g.pick].toFixed(2)} / ${g.costs[g.best].toFixed(2)} | ${pct(g.regret)} | ${g.incomplete.join(', ')} |`,
    );
  }
  lines.push('');
  lines.push(`regret: mean ${pct(d.meanRegret)}, median ${pct(d.medianRegret)}, max ${pct(d.maxRegret)}; best picked in ${d.bestPicked}/${d.groups} groups (target: <= 5 %).`);
  lines.push(`always one technique, mean regret: ${Object.entries(d.fixed).map(([l, r]) => `${l} ${pct(r)}`).join(', ')}.`);
  return lines.join('\n');
}
