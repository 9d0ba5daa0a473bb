/** `simulate --json` echoes every input it ran with, so a run can be repeated from its output alone. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simulateCommand, simulateInputs, type SimulateFlags } from '../../src/cli/commands/simulate/index.js';

/** The flags commander hands over for `simulate` plus `args` (defaults filled in, nothing run). */
function flagsOf(args: string[]): SimulateFlags {
  const cmd = simulateCommand();
  cmd.action(() => {});
  cmd.parse(args, { from: 'user' });
  return cmd.opts() as SimulateFlags;
}

describe('simulate --json: the inputs', () => {
  it('one day: detector, selection, objective, consolidation, migration model, seed, memory source, scale, pricing', () => {
    const o = flagsOf(['--day', '20110306', '--detector', 'lr', '--selection', 'optimal', '--objective', 'sla-per-mips', '--consolidation', 'cost', '--migration-model', 'migcost', '--seed', '7']);
    const inputs = simulateInputs(o, 1.2);
    assert.deepEqual(
      { ...inputs, traces: undefined },
      { preset: 'cloudsim-planetlab', day: '20110306', traces: undefined, fileOrder: 'tar', memorySource: 'vm-type', scale: 1, seed: 7, detector: 'lr', detectorParam: 1.2, selection: 'optimal', objective: 'sla-per-mips', consolidation: 'cost', migrationModel: 'migcost', pricing: 'workload-class', baseline: null },
    );
    assert.equal(typeof inputs.traces, 'string');
  });
  it('the defaults are echoed too (objective sla, consolidation utilisation), and --compare echoes its days and policies', () => {
    const d = simulateInputs(flagsOf([]), 0.8);
    assert.equal(d.objective, 'sla');
    assert.equal(d.consolidation, 'utilisation');
    assert.equal(d.migrationModel, 'cloudsim');
    const c = simulateInputs(flagsOf(['--compare', '--days', '20110303,20110306', '--policies', 'mmt,moa']), 0.8);
    assert.deepEqual(c.days, ['20110303', '20110306']);
    assert.deepEqual(c.policies, ['mmt', 'moa']);
    assert.equal(c.selection, undefined);
  });
});
