/**
 * QEMU's monitor through libvirt (`virsh qemu-monitor-command`), for what libvirt has no call for: the zero-page
 * count (pmemsave), Deng's pseudo-migration and the RAM layout. Only when the user asks
 * (`--allow-qmp-passthrough`): libvirt then marks the domain tainted ("custom-monitor"), and a pass-through
 * bypasses libvirt's own bookkeeping. There are no events over it; the driver polls `query-migrate` anyway.
 *
 * Also here: a TCP sink for the pseudo-migration's pages, since libvirt starts QEMU sandboxed against spawning
 * processes (`-sandbox spawn=deny`), which rules out the `exec:cat > /dev/null` sink used over a direct socket.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, chownSync, chmodSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Monitor, QmpEvent, QueryMigrate } from '../qemu/qmp.js';
import { QmpError, vcpuThreadIdsOf } from '../qemu/qmp.js';
import { LibvirtError, Virsh, checkDomainName } from './virsh.js';

export class LibvirtMonitor implements Monitor {
  readonly domain: string;
  constructor(readonly virsh: Virsh, domain: string) {
    this.domain = checkDomainName('--domain', domain);
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>, opts: { timeoutMs?: number } = {}): Promise<T> {
    const cmd = JSON.stringify(args ? { execute: command, arguments: args } : { execute: command });
    const out = await this.virsh.run(['qemu-monitor-command', '--domain', this.domain, '--cmd', cmd], { timeoutMs: opts.timeoutMs ?? 10_000 });
    let reply: { return?: unknown; error?: { class: string; desc: string } };
    try {
      reply = JSON.parse(out);
    } catch {
      throw new LibvirtError(`qemu-monitor-command ${command}: not a QMP reply: ${out.slice(0, 200)}`);
    }
    if (reply.error) throw new QmpError(command, reply.error.class, reply.error.desc);
    return reply.return as T;
  }
  queryStatus() {
    return this.execute<{ status: string; running: boolean }>('query-status');
  }
  queryMigrate() {
    return this.execute<QueryMigrate>('query-migrate');
  }
  vcpuThreadIds(): Promise<number[]> {
    return vcpuThreadIdsOf(this);
  }
  /** No events through libvirt's pass-through. */
  on(_event: 'event', _fn: (e: QmpEvent) => void): this {
    return this;
  }
  off(_event: 'event', _fn: (e: QmpEvent) => void): this {
    return this;
  }
}

/** A loopback TCP listener that reads and discards whatever a pseudo-migration sends it. */
export async function startDiscardSink(): Promise<{ uri: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => res());
  });
  const port = (server.address() as { port: number }).port;
  return {
    uri: `tcp:127.0.0.1:${port}`,
    close: () => new Promise<void>((res) => {
      for (const s of sockets) s.destroy();
      server.close(() => res());
    }),
  };
}

/**
 * A private folder the domain's QEMU process can write its RAM dumps into: owned by the QEMU process's user
 * (read from /proc for a vCPU thread), mode 0700. Removed by `remove`.
 */
export async function dumpDirFor(monitor: Monitor): Promise<{ dir: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'migcost-ram-'));
  chmodSync(dir, 0o700);
  const [tid] = await monitor.vcpuThreadIds();
  if (tid !== undefined) {
    try {
      const st = statSync(`/proc/${tid}`);
      if (st.uid !== process.getuid?.()) chownSync(dir, st.uid, st.gid);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw new LibvirtError(`cannot give the RAM-dump folder to the domain's QEMU user: ${(e as Error).message} (run as root, or as that user)`);
    }
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
