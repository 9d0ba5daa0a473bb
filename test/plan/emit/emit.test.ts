import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCluster } from '../../../src/plan/cluster.js';
import { planMitigation } from '../../../src/plan/planner.js';
import type { ConsolidationDecision } from '../../../src/plan/consolidate.js';
import { actionsFromPlan, parseNames } from '../../../src/plan/emit/actions.js';
import { virshSteps } from '../../../src/plan/emit/virsh.js';
import { novaSettings, novaSnippets, openstackArgv } from '../../../src/plan/emit/openstack.js';
import { dnsLabel, kubevirtObjects } from '../../../src/plan/emit/kubevirt.js';
import { InputError } from '../../../src/units.js';
import { GiB, MiB } from '../../helpers.js';
import { DOC, action } from './fixtures.js';

describe('plan moves as actions', () => {
  it('carries each mitigation move with its priced bandwidth, the downtime limit, the 600 s time-out and the names (defaults: the VM and host ids)', () => {
    const c = parseCluster(DOC);
    const plan = planMitigation(c, { policy: 'mia', downtimeLimitSec: 0.25 });
    assert.deepEqual(plan.moves.map((m) => [m.vm, m.from, m.to]), [['a; rm -rf /', 'h1', 'h3']]);
    const [a] = actionsFromPlan(c, parseNames(DOC), plan, undefined, { downtimeLimitSec: 0.25 });
    assert.equal(a.reason, 'hot-host');
    assert.equal(a.bandwidthBytesPerSec, plan.moves[0].bandwidthBytesPerSec);
    assert.equal(a.downtimeLimitSec, 0.25);
    assert.equal(a.completionTimeoutSec, 600);
    assert.equal(a.memoryBytes, 2 * GiB);
    assert.deepEqual(a.technique, { autoConverge: false, postcopy: false });
    assert.equal(a.predicted.transferredBytes, plan.moves[0].predicted.transferredBytes);
    assert.deepEqual(a.source, { libvirtUri: 'qemu+tcp://10.0.0.1/system', computeHost: 'compute-1', node: 'node-1' });
    assert.deepEqual(a.destination, { libvirtUri: 'qemu+ssh://h3/system', computeHost: 'h3', node: 'h3' });
    assert.deepEqual(a.names, { domain: 'a; rm -rf /', server: "it's 'quoted'", vmi: 'evil-vmi', namespace: 'ns1' });
  });
  it('adds the moves of hosts consolidation switches off (as consolidation priced them), not of hosts it keeps', () => {
    const pred = (bytes: number) => ({ ...planMitigation(parseCluster(DOC), { policy: 'mia' }).moves[0].predicted, totalTimeSec: 50, downtimeSec: 0.1, transferredBytes: bytes, converged: true, maxThrottle: 0 });
    const c = parseCluster(DOC);
    const plan = planMitigation(c, { policy: 'mia' });
    const decisions: ConsolidationDecision[] = [
      { host: 'h2', moves: [{ vm: 'other', from: 'h2', to: 'h3', bandwidthBytesPerSec: 100 * MiB, predicted: pred(4.5 * GiB), energyJoules: 1, transferredBytes: 4.5 * GiB }], migrationEnergyJoules: 1, savedJoules: 2, switchOff: true, why: '' },
      { host: 'h3', moves: [{ vm: 'big', from: 'h3', to: 'h2', bandwidthBytesPerSec: 100 * MiB, predicted: pred(8 * GiB), energyJoules: 9, transferredBytes: 8 * GiB }], migrationEnergyJoules: 9, savedJoules: 2, switchOff: false, why: '' },
    ];
    const actions = actionsFromPlan(c, parseNames(DOC), plan, decisions, { downtimeLimitSec: 0.25 });
    assert.equal(actions.length, 2);
    const k = actions[1];
    assert.deepEqual([k.vm, k.from, k.to, k.reason], ['other', 'h2', 'h3', 'consolidation']);
    assert.equal(k.bandwidthBytesPerSec, 100 * MiB);
    assert.equal(k.downtimeLimitSec, 0.3);
    assert.deepEqual(k.predicted, { totalTimeSec: 50, downtimeSec: 0.1, transferredBytes: 4.5 * GiB, converged: true });
  });
  it('a name that is not a non-empty single-line string is refused, naming its field', () => {
    const bad = structuredClone(DOC) as { vms: Record<string, unknown>[] };
    bad.vms[2].domain = 'two\nlines';
    assert.throws(() => parseNames(bad), (e: unknown) => e instanceof InputError && /vms\[2\]\.domain/.test(e.message));
    bad.vms[2].domain = 7;
    assert.throws(() => parseNames(bad), (e: unknown) => e instanceof InputError && /vms\[2\]\.domain/.test(e.message));
  });
});

describe('virsh', () => {
  it('sets the downtime limit (ms), then migrates live with the bandwidth in whole MiB/s, the technique and a forced switch-over at the time-out', () => {
    const [down, mig] = virshSteps(action());
    assert.deepEqual(down.argv, ['virsh', '-c', 'qemu+ssh://h1/system', 'migrate-setmaxdowntime', '--domain', 'db1-dom', '--downtime', '500']);
    assert.deepEqual(mig.argv, ['virsh', '-c', 'qemu+ssh://h1/system', 'migrate', '--live', '--persistent', '--undefinesource', '--domain', 'db1-dom', '--desturi', 'qemu+ssh://h2/system', '--bandwidth', '200', '--auto-converge', '--timeout', '600', '--timeout-suspend']);
  });
  it('post-copy switches after the first pass, and at the time-out', () => {
    const mig = virshSteps(action({ technique: { autoConverge: false, postcopy: true } }))[1].argv;
    assert.deepEqual(mig.slice(13), ['--postcopy', '--postcopy-after-precopy', '--timeout', '600', '--timeout-postcopy']);
    // a link under 1 MiB/s still gets libvirt's smallest cap, 1 MiB/s
    assert.equal(virshSteps(action({ bandwidthBytesPerSec: 1000 }))[1].argv[12], '1');
  });
});

describe('openstack', () => {
  it('live-migrates to the destination compute host at microversion 2.30; nova.conf carries what differs from Nova\'s defaults', () => {
    assert.deepEqual(openstackArgv(action()), ['openstack', '--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', '--host', 'cmp-2', '--wait', 'db1-srv']);
    assert.deepEqual(novaSettings(action()), {
      live_migration_bandwidth: 200,
      live_migration_downtime: 500,
      live_migration_completion_timeout: 150, // 600 s / 4 GiB
      live_migration_timeout_action: 'force_complete',
      live_migration_permit_auto_converge: true,
      live_migration_permit_post_copy: false,
    });
    const [s] = novaSnippets([action()]);
    assert.equal(s.computeHost, 'h1');
    // the downtime (500 ms) and post-copy (off) are Nova's defaults, so they are left out
    assert.deepEqual(s.settings, { live_migration_bandwidth: 200, live_migration_completion_timeout: 150, live_migration_timeout_action: 'force_complete', live_migration_permit_auto_converge: true });
    assert.deepEqual(s.differing, []);
  });
  it('one snippet per source host: where its moves differ, the lowest bandwidth and time-out, and says so', () => {
    const two = novaSnippets([action(), action({ vm: 'x', bandwidthBytesPerSec: 50 * MiB, memoryBytes: 8 * GiB, technique: { autoConverge: false, postcopy: false } })]);
    assert.equal(two.length, 1);
    assert.equal(two[0].settings.live_migration_bandwidth, 50);
    assert.equal(two[0].settings.live_migration_completion_timeout, 75);
    assert.equal(two[0].settings.live_migration_permit_auto_converge, true);
    assert.deepEqual(two[0].differing, ['live_migration_bandwidth', 'live_migration_completion_timeout', 'live_migration_permit_auto_converge']);
  });
});

describe('kubevirt', () => {
  it('one VirtualMachineInstanceMigration per move, pinned to the node; one MigrationPolicy per distinct set of non-default settings', () => {
    const { policies, moves } = kubevirtObjects([action(), action({ vm: 'db2', names: { domain: 'd', server: 's', vmi: 'db-2.x', namespace: 'prod' } }), action({ vm: 'q', bandwidthBytesPerSec: 64 * MiB })]);
    assert.deepEqual(
      policies.map((p) => p.spec),
      [
        { bandwidthPerMigration: '200Mi', allowAutoConverge: true, allowWorkloadDisruption: true, selectors: { virtualMachineInstanceSelector: { 'migcost.io/migration-policy': 'migcost-policy-1' } } },
        { bandwidthPerMigration: '64Mi', allowAutoConverge: true, allowWorkloadDisruption: true, selectors: { virtualMachineInstanceSelector: { 'migcost.io/migration-policy': 'migcost-policy-2' } } },
      ],
    ); // completionTimeoutPerGiB: 600 s / 4 GiB = 150, KubeVirt's default, so left out
    assert.deepEqual(moves.map((m) => m.policy), ['migcost-policy-1', 'migcost-policy-1', 'migcost-policy-2']);
    assert.deepEqual(moves[0].migration, { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'migcost-1-db1', namespace: 'prod' }, spec: { vmiName: 'db1', addedNodeSelector: { 'kubernetes.io/hostname': 'node-2' } } });
  });
  it('a VMI name or namespace Kubernetes would refuse is an error naming the field to set', () => {
    assert.throws(() => kubevirtObjects([action({ names: { domain: 'd', server: 's', vmi: 'a; rm -rf /', namespace: 'prod' } })]), (e: unknown) => e instanceof InputError && /"vmi"/.test(e.message));
    assert.throws(() => kubevirtObjects([action({ names: { domain: 'd', server: 's', vmi: 'ok', namespace: 'Prod' } })]), (e: unknown) => e instanceof InputError && /"namespace"/.test(e.message));
  });
  it('dnsLabel keeps [a-z0-9-], alphanumeric at both ends, within the length', () => {
    assert.equal(dnsLabel('A; rm -rf /'), 'a-rm-rf');
    assert.equal(dnsLabel('___'), 'vm');
    assert.equal(dnsLabel('x'.repeat(80), 40).length, 40);
  });
});
