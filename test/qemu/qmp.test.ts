/**
 * QMP client behaviour under faults. The server here is a FAKE QMP peer on a unix socket, used only to
 * inject faults a real QEMU will not produce on demand (a socket that drops mid-command, split and
 * coalesced lines, silence, garbage). Real QEMU is exercised in migrate.test.ts.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QmpClient, QmpDisconnectedError, QmpError, QmpTimeoutError } from '../../src/hypervisor/qemu/qmp.js';

const dir = mkdtempSync(join(tmpdir(), 'migcost-qmp-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A fake QMP peer: greets, accepts qmp_capabilities, then hands every other command to `onCommand`. */
async function fakeQmp(onCommand: (cmd: { execute: string; id?: string; arguments?: unknown }, sock: Socket) => void): Promise<{ path: string; server: Server }> {
  const path = join(dir, `qmp-${n++}.sock`);
  const server = createServer((sock) => {
    sock.write('{"QMP": {"version": {"qemu": {"major": 10, "minor": 0, "micro": 2}}, "capabilities": []}}\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const cmd = JSON.parse(line);
        if (cmd.execute === 'qmp_capabilities') sock.write(`{"return": {}, "id": ${JSON.stringify(cmd.id)}}\r\n`);
        else onCommand(cmd, sock);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { path, server };
}

describe('QMP client', () => {
  it('runs commands and receives events, across split and coalesced lines', async () => {
    const { path, server } = await fakeQmp((cmd, sock) => {
      const answer = `{"event": "MIGRATION", "data": {"status": "active"}}\r\n{"return": {"status": "running", "running": true}, "id": ${JSON.stringify(cmd.id)}}\r\n`;
      // split the two coalesced messages at an awkward place
      sock.write(answer.slice(0, 17));
      setTimeout(() => sock.write(answer.slice(17)), 5);
    });
    const c = await QmpClient.connect(path);
    const ev = c.waitForEvent('MIGRATION', (e) => e.data?.status === 'active', 2000);
    const st = await c.queryStatus();
    assert.deepEqual(st, { status: 'running', running: true });
    assert.equal((await ev).event, 'MIGRATION');
    c.close();
    server.close();
  });

  it('an error answer is a QmpError with class and description', async () => {
    const { path, server } = await fakeQmp((cmd, sock) => sock.write(`{"error": {"class": "GenericError", "desc": "no migration"}, "id": ${JSON.stringify(cmd.id)}}\n`));
    const c = await QmpClient.connect(path);
    await assert.rejects(c.execute('migrate_cancel'), (e: unknown) => e instanceof QmpError && e.errorClass === 'GenericError' && /migrate_cancel: GenericError: no migration/.test(e.message));
    c.close();
    server.close();
  });

  it('a command with no answer times out, naming the command', async () => {
    const { path, server } = await fakeQmp(() => {});
    const c = await QmpClient.connect(path);
    await assert.rejects(c.execute('query-migrate', undefined, { timeoutMs: 100 }), (e: unknown) => e instanceof QmpTimeoutError && /query-migrate: no answer within 100 ms/.test((e as Error).message));
    c.close();
    server.close();
  });

  it('a socket that drops mid-command rejects every pending command, and later ones, without hanging', async () => {
    const { path, server } = await fakeQmp((_cmd, sock) => setTimeout(() => sock.destroy(), 20));
    const c = await QmpClient.connect(path);
    const a = c.execute('query-migrate', undefined, { timeoutMs: 5000 });
    const b = c.execute('query-status', undefined, { timeoutMs: 5000 });
    await assert.rejects(a, QmpDisconnectedError);
    await assert.rejects(b, QmpDisconnectedError);
    await assert.rejects(c.execute('query-status'), /closed/);
    await assert.rejects(c.waitForEvent('MIGRATION'), QmpDisconnectedError);
    assert.equal(c.connected, false);
    server.close();
  });

  it('garbage on the socket is a disconnection, not a crash', async () => {
    const { path, server } = await fakeQmp((_cmd, sock) => sock.write('this is not json\n'));
    const c = await QmpClient.connect(path);
    await assert.rejects(c.execute('query-status'), (e: unknown) => e instanceof QmpDisconnectedError && /malformed message/.test((e as Error).message));
    server.close();
  });

  it('connecting to a socket nobody serves fails clearly', async () => {
    await assert.rejects(QmpClient.connect(join(dir, 'nobody.sock'), { timeoutMs: 200 }), (e: unknown) => e instanceof QmpDisconnectedError && /cannot connect/.test((e as Error).message));
  });
});
