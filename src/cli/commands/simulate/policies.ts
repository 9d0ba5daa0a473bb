/** Option parsers shared by `simulate` and `sweep`: policies, detectors, seeds, memory sources, objectives. */
import { parsePolicy } from '../../../sim/compare.js';
import { SIM_SELECTIONS } from '../../../sim/selection.js';
import { SIM_DETECTORS, type SimDetector } from '../../../sim/detectors.js';
import { MEMORY_SOURCES, type MemorySource } from '../../../sim/presets.js';
import { COST_OBJECTIVES, type CostObjective } from '../../../sim/types.js';
import { InputError } from '../../../units.js';
import { listArg } from '../../options.js';

/** `--policies`: each a selection, optionally `:objective` and `+co`, checked here so a typo lists what is valid. */
export function policiesArg(v: string): string[] {
  const list = listArg(v);
  for (const p of list) {
    const { selection, objective } = parsePolicy(p);
    const ok = (SIM_SELECTIONS as readonly string[]).includes(selection) && (objective === undefined || (COST_OBJECTIVES as readonly string[]).includes(objective));
    if (!ok) throw new InputError('--policies', p, `is not a policy: a selection (${SIM_SELECTIONS.join(', ')}), optionally :objective (${COST_OBJECTIVES.join(', ')}) and +co, e.g. mmt,moa:traffic+co`);
  }
  return list;
}

/** A comma-separated list whose items must each be one of `valid`. */
export const choiceListArg =
  <T extends string>(flag: string, valid: readonly T[]) =>
  (v: string): T[] => {
    const list = listArg(v);
    for (const x of list) if (!(valid as readonly string[]).includes(x)) throw new InputError(flag, x, `is not one of ${valid.join(', ')}`);
    if (list.length === 0) throw new InputError(flag, v, `must list at least one of ${valid.join(', ')}`);
    return list as T[];
  };

export const detectorsArg = choiceListArg<SimDetector>('--detectors', SIM_DETECTORS);
export const memorySourcesArg = choiceListArg<MemorySource>('--memory-source', MEMORY_SOURCES);
export const objectivesArg = choiceListArg<CostObjective>('--objectives', COST_OBJECTIVES);

/** `--seeds 1,2,3`: integers. */
export function seedsArg(v: string): number[] {
  const list = listArg(v).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new InputError('--seeds', s, 'must be an integer (e.g. 1,2,3)');
    return n;
  });
  if (list.length === 0) throw new InputError('--seeds', v, 'must list at least one integer');
  return list;
}
