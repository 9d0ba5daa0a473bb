/** `plan --advise --emit`: each move's advised technique and settings as virsh flags, a MigrationPolicy, nova.conf. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advisedTechnique, advisedTimeoutSec, actionsFromPlan, parseNames, PLAN_TIMEOUT_SEC } from '../../../src/plan/emit/actions.js';
import { virshNotes, virshSteps, virshTechniqueFlags } from '../../../src/plan/emit/virsh.js';
import { novaNotes, novaSettings } from '../../../src/plan/emit/openstack.js';
import { kubevirtNotes, policySettings } from '../../../src/plan/emit/kubevirt.js';
import { renderKubevirt, renderOpenstack, renderVirsh } from '../../../src/cli/render/emit.js';
import type { AdvisedMove } from '../../../src/plan/advise-moves.js';
import { adviseMoves } from '../../../src/plan/advise-moves.js';
import { parseCluster } from '../../../src/plan/cluster.js';
import { planMitigation } from '../../../src/plan/planner.js';
import { ADVISED, advisedAction } from './fixtures.js';
import { MiB } from '../../helpers.js';

const flags = (label: string, i = 0) => virshTechniqueFlags(ADVISED.filter((a) => a.technique.advised!.label === label)[i]);

describe('advised techniques as virsh flags', () => {
  it('each technique its flags (libvirt-clients 11 spellings)', () => {
    assert.deepEqual(flags('precopy'), []);
    assert.deepEqual(flags('auto-converge'), ['--auto-converge']);
    assert.deepEqual(flags('postcopy'), ['--postcopy', '--postcopy-after-precopy']);
    // after 30 s: the time-out switches (--timeout 30 --timeout-postcopy), the post-copy phase capped at 500 MiB/s
    assert.deepEqual(flags('postcopy', 1), ['--postcopy', '--postcopy-bandwidth', '500']);
    assert.deepEqual(flags('xbzrle'), ['--compressed', '--comp-methods', 'xbzrle', '--comp-xbzrle-cache', String(256 * MiB)]);
    assert.deepEqual(flags('multifd'), ['--parallel', '--parallel-connections', '2']);
    assert.deepEqual(flags('multifd+zstd'), ['--parallel', '--parallel-connections', '4', '--compressed', '--comp-methods', 'zstd']);
    assert.deepEqual(flags('multifd+zlib'), ['--parallel', '--parallel-connections', '2', '--compressed', '--comp-methods', 'zlib']);
    assert.deepEqual(flags('dirty-limit'), []);
  });
  it('post-copy switches at its time-out; dirty-limit and a later pass than the first are said to be out of reach', () => {
    const pc = virshSteps(ADVISED[3])[1].argv;
    assert.deepEqual(pc.slice(-3), ['--timeout', '30', '--timeout-postcopy']);
    assert.match(virshNotes(ADVISED[8]).join(), /no flag for QEMU's dirty-limit/);
    assert.match(virshNotes(advisedAction('postcopy', { name: 'postcopy', postcopyAfterPasses: 3 })).join(), /not after 3/);
    assert.deepEqual(virshNotes(ADVISED[2]), []);
    assert.match(renderVirsh([ADVISED[8]]), /# {4}virsh migrate has no flag/);
    assert.match(renderVirsh([ADVISED[6]]), /priced with: advised multifd\+zstd \(4 channels\)/);
  });
});

describe('advised techniques on KubeVirt and Nova', () => {
  it('KubeVirt: post-copy allowed, switching at completionTimeoutPerGiB; auto-converge allowed; the rest said to be out of reach', () => {
    assert.deepEqual(policySettings(ADVISED[2]), { bandwidthPerMigration: '200Mi', completionTimeoutPerGiB: 6, allowPostCopy: true, allowWorkloadDisruption: true }); // ceil(21 s / 4 GiB)
    assert.equal(policySettings(ADVISED[1]).allowAutoConverge, true);
    assert.equal(policySettings(ADVISED[4]).allowAutoConverge, undefined);
    assert.match(kubevirtNotes(ADVISED[2]).join(), /6 s\/GiB, the switch after 21 s/);
    assert.match(kubevirtNotes(ADVISED[4]).join(), /cannot set XBZRLE/);
    assert.match(kubevirtNotes(ADVISED[6]).join(), /cannot set multifd channels or zstd compression/);
    assert.match(kubevirtNotes(ADVISED[8]).join(), /cannot set dirty-limit/);
    assert.match(renderKubevirt([ADVISED[4]]), /# {4}KubeVirt cannot set XBZRLE/);
  });
  it('Nova: post-copy permitted and forced at the completion time-out; what nova.conf cannot set is said', () => {
    const s = novaSettings(ADVISED[2]);
    assert.equal(s.live_migration_permit_post_copy, true);
    assert.equal(s.live_migration_timeout_action, 'force_complete');
    assert.equal(s.live_migration_completion_timeout, 6);
    assert.match(novaNotes(ADVISED[4]).join(), /cannot set XBZRLE/);
    assert.match(novaNotes(ADVISED[5]).join(), /live_migration_parallel_connections = 2/);
    assert.match(novaNotes(ADVISED[7]).join(), /no Nova option sets zlib compression/);
    assert.match(renderOpenstack(ADVISED), /The openstack CLI sets only the destination host/);
  });
});

describe('plan --advise moves as actions', () => {
  const move = (technique: AdvisedMove['technique'], switchoverSec?: number): AdvisedMove => ({
    vm: 'v', from: 'h1', to: 'h2', bandwidthBytesPerSec: 100 * MiB, technique, advised: { label: technique.name, cost: 1, feasible: true },
    predicted: { totalTimeSec: 30, downtimeSec: 0.01, transferredBytes: 1, rounds: 1, converged: true, energyJoules: 0, setupSec: 0, precopySec: 0, stopCopySec: 0, stopCopyBytes: 0, resumeSec: 0, maxThrottle: 0, ...(switchoverSec !== undefined ? { switchoverSec } : {}) } as AdvisedMove['predicted'],
  } as AdvisedMove);
  it('post-copy: the time-out is the switch (after its seconds, else the predicted switch, rounded up); others keep the plan\'s', () => {
    assert.equal(advisedTimeoutSec(move({ name: 'postcopy' }, 20.2)), 21);
    assert.equal(advisedTimeoutSec(move({ name: 'postcopy', postcopyAfterSec: 12 }, 20.2)), 12);
    assert.equal(advisedTimeoutSec(move({ name: 'postcopy' })), PLAN_TIMEOUT_SEC);
    assert.equal(advisedTimeoutSec(move({ name: 'xbzrle' }, 5)), PLAN_TIMEOUT_SEC);
    assert.deepEqual(advisedTechnique(move({ name: 'auto-converge' })), { autoConverge: true, postcopy: false, advised: { label: 'auto-converge', options: { name: 'auto-converge' } } });
  });
  it('a plan advised end to end: every mitigation move carries the technique advise picked', () => {
    const doc = {
      hosts: [{ id: 'h1', cpu: 8, memory: '32GiB', bandwidth: '100MiB/s' }, { id: 'h2', cpu: 8, memory: '32GiB', bandwidth: '100MiB/s' }],
      vms: [{ id: 'hot', host: 'h1', cpu: 5, memory: '4GiB', dirtyRate: '150MiB/s', workingSet: '512MiB' }, { id: 'calm', host: 'h1', cpu: 4, memory: '16GiB', dirtyRate: '1MiB/s' }],
    };
    const c = parseCluster(doc);
    const plan = planMitigation(c, { policy: 'mia', downtimeLimitSec: 0.3 });
    const moves = adviseMoves(c, plan.moves, { downtimeLimitSec: 0.3 });
    const actions = actionsFromPlan(c, parseNames(doc), { ...plan, moves }, undefined, { downtimeLimitSec: 0.3 });
    assert.equal(actions.length, moves.length);
    for (const [i, a] of actions.entries()) {
      const m = moves[i] as AdvisedMove;
      assert.deepEqual(a.technique.advised?.options, m.technique);
      assert.equal(a.technique.autoConverge, m.technique.name === 'auto-converge');
      assert.equal(a.technique.postcopy, m.technique.name === 'postcopy');
    }
  });
});
