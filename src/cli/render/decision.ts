/** `lab decide`'s report as tables: Liu's model-guided pick against random, Deng's policies against MIA. */
import Table from 'cli-table3';
import { DENG_POLICIES, type DecisionReport } from '../../evaluate/decide.js';
import { formatBytes } from './format.js';

const pctOf = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The decision report as tables. */
export function renderDecision(rep: DecisionReport): string {
  const liu = new Table({ head: ['group', 'model picks', 'best in hindsight', 'latency', 'downtime', 'traffic', 'energy', 'regret (C)'], style: { head: [], border: [] } });
  for (const g of rep.liu.perGroup) {
    liu.push([g.group, g.modelChoice, g.bestChoice, pctOf(g.reduction.totalTimeSec), pctOf(g.reduction.downtimeSec), pctOf(g.reduction.transferredBytes), pctOf(g.reduction.energyJoules), pctOf(g.regret)]);
  }
  const m = rep.liu.meanReduction;
  liu.push(['mean', `${rep.liu.bestPicked}/${rep.groups} best`, '', pctOf(m.totalTimeSec), pctOf(m.downtimeSec), pctOf(m.transferredBytes), pctOf(m.energyJoules), pctOf(rep.liu.meanRegret)]);
  liu.push(['Liu 2011', '', '', '72.9 %', '93.5 %', '74.5 %', '73.6 %', '']);
  const r = rep.liu.meanRegretBy;
  const regretLine = `regret per figure alone (model's pick against the best pick for that figure, mean): latency ${pctOf(r.totalTimeSec)}, downtime ${pctOf(r.downtimeSec)}, traffic ${pctOf(r.transferredBytes)}, energy ${pctOf(r.energyJoules)}`;
  const deng = new Table({ head: ['group', 'hindsight best', ...DENG_POLICIES.map((p) => `${p} (x MIA, regret)`)], style: { head: [], border: [] } });
  for (const g of rep.deng.perGroup) {
    deng.push([g.group, `${formatBytes(g.best.transferredBytes)} [${g.best.moved.join(' ')}]`, ...DENG_POLICIES.map((p) => `${g.policies[p].normalisedToMia.toFixed(3)}, ${pctOf(g.policies[p].regret)}`)]);
  }
  deng.push(['mean', '', ...DENG_POLICIES.map((p) => `${rep.deng.meanNormalisedToMia[p].toFixed(3)}, ${pctOf(rep.deng.meanRegret[p])}`)]);
  deng.push(['Deng 2013', '', 'MOA 0.774', '', 'MIA 1', 'RA 1.264']);
  return `Liu: pick one VM of 8 to move; model-guided (least predicted C) against a random pick — reduction of the measured figures (energy: Liu's wired model of the measured bytes)\n${liu.toString()}\n${regretLine}\n${rep.liu.pooled ? `regret against the VM best on its mean measured outcome over the ${rep.groups} groups (${rep.liu.pooled.best}): ${pctOf(rep.liu.pooled.meanRegret)}; always picking that VM would score ${pctOf(rep.liu.pooled.bestFixedPerGroupRegret)} per group (the floor the groups' noise sets)\n` : ''}\nDeng: cool a hot host; measured traffic of each policy's VMs normalised to MIA, and regret against the best set in hindsight\n${deng.toString()}\n`;
}

