/** Post-copy's downtime sentinel, its timing by QEMU's events, and the destination's stall (pure: no QEMU; a logging fake monitor). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postcopyBlocktimeSec, postcopyDowntimeSec, postcopyTimesFromEvents, prepareIncoming, finishIncoming } from '../../src/hypervisor/qemu/technique-settings.js';
import type { Monitor, QmpEvent } from '../../src/hypervisor/qemu/qmp.js';

/** A MIGRATION event of `status` stamped at `sec` (QEMU's timestamp: seconds and microseconds). */
const ev = (status: string, sec: number): QmpEvent => ({ event: 'MIGRATION', data: { status }, timestamp: { seconds: Math.floor(sec), microseconds: Math.round((sec - Math.floor(sec)) * 1e6) } });

describe('postcopyDowntimeSec', () => {
  it('reads a downtime equal to the post-copy phase as a switch under 1 ms', () => {
    // QEMU reported 134 ms for a run whose post-copy phase lasted 133 ms: the 0 ms switch was overwritten.
    assert.equal(postcopyDowntimeSec(0.134, 0.133), 0.0005);
    assert.equal(postcopyDowntimeSec(0.129, 0.133), 0.0005);
  });
  it('keeps a real switch downtime', () => {
    assert.equal(postcopyDowntimeSec(0.003, 0.133), 0.003);
    assert.equal(postcopyDowntimeSec(0.1, 0.5), 0.1);
  });
  it('keeps the reported downtime when there was no post-copy phase to confuse it with', () => {
    assert.equal(postcopyDowntimeSec(0.004, undefined), 0.004);
    assert.equal(postcopyDowntimeSec(0.004, 0), 0.004);
    assert.equal(postcopyDowntimeSec(0.004, 0.004), 0.004);
  });
});

describe('postcopyTimesFromEvents', () => {
  // QEMU 10: active -> device (the guest stopped) -> postcopy-active (the package sent) -> completed
  const q10 = (downtime: number) => postcopyTimesFromEvents([ev('setup', 1000), ev('active', 1000.01), ev('device', 1002.5), ev('postcopy-active', 1002.504), ev('completed', 1002.56)], downtime);
  // a QEMU that moves straight to postcopy-active at the switch
  const direct = (downtime: number) => postcopyTimesFromEvents([ev('setup', 1000), ev('active', 1000.01), ev('postcopy-active', 1002.5), ev('completed', 1002.56)], downtime);
  it('times the switch from setup and the phase from the guest\'s resumption, by QEMU\'s own stamps', () => {
    const t = q10(0.004)!;
    assert.ok(Math.abs(t.switchSec - 2.5) < 1e-6);
    assert.ok(Math.abs(t.phaseSec - 0.056) < 1e-6, `${t.phaseSec}`); // postcopy-active -> completed
    assert.equal(t.downtimeSec, 0.004);
    const d = direct(0.004)!;
    assert.ok(Math.abs(d.switchSec - 2.5) < 1e-6);
    assert.ok(Math.abs(d.phaseSec - 0.056) < 1e-6, `${d.phaseSec}`); // postcopy-active + the 4 ms switch -> completed
  });
  it('reads QEMU\'s 0 ms sentinel (a downtime spanning the switch to completed) as a switch under 1 ms', () => {
    const t = q10(0.06)!;
    assert.equal(t.downtimeSec, 0.0005);
    assert.ok(Math.abs(t.phaseSec - 0.056) < 1e-6);
    const d = direct(0.06)!;
    assert.equal(d.downtimeSec, 0.0005);
    assert.ok(Math.abs(d.phaseSec - 0.0595) < 1e-6);
  });
  it('nothing without the three events, or with them out of order', () => {
    assert.equal(postcopyTimesFromEvents([ev('setup', 1), ev('completed', 3)], 0.004), undefined);
    assert.equal(postcopyTimesFromEvents([ev('setup', 1), ev('postcopy-active', 3), ev('completed', 2)], 0.004), undefined);
    assert.equal(postcopyTimesFromEvents([{ event: 'MIGRATION', data: { status: 'setup' } }, ev('postcopy-active', 3), ev('completed', 4)], 0.004), undefined);
  });
});

describe("the destination's measured stall (postcopy-blocktime)", () => {
  /** A monitor that logs what it is asked and answers query-migrate with `answer`. */
  const monitor = (answer: Record<string, unknown>) => {
    const log: { cmd: string; args?: Record<string, unknown> }[] = [];
    const m = { execute: async (cmd: string, args?: Record<string, unknown>) => (log.push({ cmd, args }), cmd === 'query-migrate' ? answer : {}) } as unknown as Monitor;
    return { m, log };
  };
  it('prepareIncoming turns it on for post-copy only, before migrate-incoming', async () => {
    const pc = monitor({});
    await prepareIncoming(pc.m, { name: 'postcopy' }, 'tcp:127.0.0.1:1');
    const set = (log: typeof pc.log) => (log.find((c) => c.cmd === 'migrate-set-capabilities')!.args!.capabilities as { capability: string }[]).map((c) => c.capability);
    assert.deepEqual(set(pc.log), ['events', 'postcopy-ram', 'postcopy-blocktime']);
    assert.equal(pc.log.at(-1)!.cmd, 'migrate-incoming');
    const x = monitor({});
    await prepareIncoming(x.m, { name: 'xbzrle' }, 'tcp:127.0.0.1:1');
    assert.ok(!set(x.log).includes('postcopy-blocktime'));
  });
  it('finishIncoming reads it, then puts back what prepareIncoming changed; a monitor that fails reads undefined', async () => {
    // A destination that had events on already: prepareIncoming changes postcopy-ram and postcopy-blocktime only.
    const log: { cmd: string; args?: Record<string, unknown> }[] = [];
    const caps = [{ capability: 'events', state: true }, { capability: 'postcopy-ram', state: false }, { capability: 'postcopy-blocktime', state: false }];
    const d = { execute: async (cmd: string, args?: Record<string, unknown>) => (log.push({ cmd, args }), cmd === 'query-migrate-capabilities' ? caps : cmd === 'query-migrate' ? { status: 'completed', 'postcopy-blocktime': 12 } : {}) } as unknown as Monitor;
    const changes = await prepareIncoming(d, { name: 'postcopy' }, 'tcp:127.0.0.1:1');
    assert.deepEqual(changes, { capabilities: [{ capability: 'postcopy-ram', state: false }, { capability: 'postcopy-blocktime', state: false }], parameters: {} });
    log.length = 0;
    assert.equal(await finishIncoming(d, changes, true), 0.012);
    assert.deepEqual(log.map((c) => c.cmd), ['query-migrate', 'migrate-set-capabilities']);
    assert.deepEqual(log[1].args, { capabilities: [{ capability: 'postcopy-ram', state: false }, { capability: 'postcopy-blocktime', state: false }] });
    // Not asked to read (a move that failed): only the put-back.
    log.length = 0;
    assert.equal(await finishIncoming(d, changes, false), undefined);
    assert.deepEqual(log.map((c) => c.cmd), ['migrate-set-capabilities']);
    const broken = { execute: async () => { throw new Error('socket closed'); } } as unknown as Monitor;
    assert.equal(await finishIncoming(broken, changes, true), undefined);
  });
  it('multifd: the parameters prepareIncoming changed come back with their old values', async () => {
    const log: { cmd: string; args?: Record<string, unknown> }[] = [];
    const d = { execute: async (cmd: string, args?: Record<string, unknown>) => (log.push({ cmd, args }), cmd === 'query-migrate-parameters' ? { 'multifd-channels': 4, 'multifd-compression': 'zstd' } : cmd === 'query-migrate-capabilities' ? [] : {}) } as unknown as Monitor;
    const changes = await prepareIncoming(d, { name: 'multifd', multifdChannels: 2, multifdCompression: 'zstd' }, 'tcp:127.0.0.1:1');
    assert.deepEqual(changes.parameters, { 'multifd-channels': 4 });
    log.length = 0;
    await finishIncoming(d, changes, false);
    assert.deepEqual(log.find((c) => c.cmd === 'migrate-set-parameters')!.args, { 'multifd-channels': 4 });
  });
  it('reads ms as s; absent or not a number: undefined', async () => {
    assert.equal(await postcopyBlocktimeSec(monitor({ status: 'completed', 'postcopy-blocktime': 183 }).m), 0.183);
    assert.equal(await postcopyBlocktimeSec(monitor({ status: 'completed' }).m), undefined);
    assert.equal(await postcopyBlocktimeSec(monitor({ 'postcopy-blocktime': 'x' }).m), undefined);
  });
});
