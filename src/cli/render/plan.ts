/** `migcost plan` as tables: hot hosts with the rule that flagged each, the moves, and the consolidation. */
import Table from 'cli-table3';
import type { Plan } from '../../plan/planner.js';
import type { ConsolidationDecision } from '../../plan/consolidate.js';
import type { HotHost } from '../../plan/hot.js';
import type { Prediction } from '../../model/types.js';
import { formatBytes, formatSeconds } from '../../units.js';

const style = { head: [], border: [] };

function hotLines(title: string, hot: readonly HotHost[]): string {
  if (hot.length === 0) return `${title}: none\n`;
  return `${title}:\n${hot.map((h) => `  ${h.host}  ${h.reason}\n`).join('')}`;
}

/** One row's figures: link, time, downtime, bytes sent, converges. */
function figures(bw: number, p: Prediction): string[] {
  return [`${formatBytes(bw)}/s`, formatSeconds(p.totalTimeSec), formatSeconds(p.downtimeSec), formatBytes(p.transferredBytes), p.converged ? 'yes' : 'NO'];
}

/** The plan, and its consolidation when one was asked for (`--consolidate`), for people. */
export function renderPlan(plan: Plan, consolidation?: readonly ConsolidationDecision[], horizonSec?: number): string {
  let out = hotLines('hot before the plan', plan.hot) + hotLines('hot after it', plan.stillHot);
  const t = new Table({ head: ['#', 'vm', 'from', 'to', 'bandwidth', 'time', 'downtime', 'sent', 'converges'], style });
  plan.moves.forEach((m, i) => t.push([String(i + 1), m.vm, m.from, m.to, ...figures(m.bandwidthBytesPerSec, m.predicted)]));
  out += plan.moves.length > 0 ? `${t.toString()}\n` : 'no moves\n';
  out += `total: ${formatBytes(plan.total.transferredBytes)} sent, ${formatSeconds(plan.total.downtimeSec)} downtime summed, ${formatSeconds(plan.total.totalTimeSec)} until the last move ends, ${plan.total.energyJoules.toFixed(0)} J\n`;
  for (const a of plan.avoided) out += `avoided ${a.vm} on ${a.host}: ${a.why}\n`;
  if (consolidation === undefined) return out;
  const horizon = horizonSec === undefined ? '' : ` over ${formatSeconds(horizonSec)}`;
  const off = consolidation.filter((d) => d.switchOff);
  out += `\nconsolidation${horizon}, after the moves above: ${off.length > 0 ? `switch off ${off.map((d) => d.host).join(', ')}` : 'no host switched off'}\n`;
  if (off.length > 0) {
    const c = new Table({ head: ['#', 'vm', 'from', 'to', 'bandwidth', 'time', 'downtime', 'sent', 'converges', 'energy'], style });
    let n = plan.moves.length;
    for (const d of off) for (const m of d.moves) c.push([String(++n), m.vm, m.from, m.to, ...figures(m.bandwidthBytesPerSec, m.predicted), `${m.energyJoules.toFixed(0)} J`]);
    out += `${c.toString()}\n`;
  }
  for (const d of consolidation) out += `  ${d.host}: ${d.switchOff ? 'switch off' : 'keep'} (${d.why}; migration ${d.migrationEnergyJoules.toFixed(0)} J vs ${d.savedJoules.toFixed(0)} J saved)\n`;
  return out;
}
