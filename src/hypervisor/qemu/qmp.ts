/**
 * A QMP client over a unix socket (node:net, no dependency): greeting and capabilities negotiation,
 * commands with time-outs, an event stream, and errors that say what happened.
 */
import { connect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';

/** QEMU answered a command with an error. */
export class QmpError extends Error {
  override name = 'QmpError';
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`QMP ${command}: ${errorClass}: ${desc}`);
  }
}

/** A command got no answer in time. */
export class QmpTimeoutError extends Error {
  override name = 'QmpTimeoutError';
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`QMP ${command}: no answer within ${timeoutMs} ms`);
  }
}

/** The socket closed or failed (QEMU died, or the connection dropped): every pending command gets this. */
export class QmpDisconnectedError extends Error {
  override name = 'QmpDisconnectedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface QmpConnectOptions {
  /** How long to wait for the socket and greeting. Default 10 s. */
  timeoutMs?: number;
  /** Retry connecting until the socket exists (QEMU still starting). Default true. */
  retry?: boolean;
}

/**
 * What migcost's sampler and migration driver need of a QEMU monitor: commands, and (where the transport has
 * them) events. `QmpClient` is the direct socket; `hypervisor/libvirt/monitor.ts` passes commands through libvirt.
 */
export interface Monitor {
  execute<T = unknown>(command: string, args?: Record<string, unknown>, opts?: { timeoutMs?: number }): Promise<T>;
  queryStatus(): Promise<{ status: string; running: boolean }>;
  queryMigrate(): Promise<QueryMigrate>;
  vcpuThreadIds(): Promise<number[]>;
  on(event: 'event', fn: (e: QmpEvent) => void): unknown;
  off(event: 'event', fn: (e: QmpEvent) => void): unknown;
}

export class QmpClient extends EventEmitter implements Monitor {
  private buf = '';
  private nextId = 1;
  private pending = new Map<string, Pending>();
  private closedError: QmpDisconnectedError | undefined;
  greeting: unknown;

  private constructor(
    private readonly socket: Socket,
    readonly path: string,
  ) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (e) => this.fail(new QmpDisconnectedError(`QMP socket ${path}: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new QmpDisconnectedError(`QMP socket ${path} closed (QEMU exited or the connection dropped)`)));
  }

  /** Connects, reads the greeting and negotiates capabilities. */
  static async connect(path: string, opts: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        const client = new QmpClient(socket, path);
        client.greeting = await client.waitGreeting(Math.max(100, deadline - Date.now()));
        await client.execute('qmp_capabilities', undefined, { timeoutMs: Math.max(100, deadline - Date.now()) });
        return client;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (opts.retry !== false && (code === 'ENOENT' || code === 'ECONNREFUSED') && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        if (e instanceof QmpDisconnectedError || e instanceof QmpTimeoutError || e instanceof QmpError) throw e;
        throw new QmpDisconnectedError(`QMP socket ${path}: cannot connect (${(e as Error).message})`, { cause: e });
      }
    }
  }

  private waitGreeting(timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const e = new QmpTimeoutError('(greeting)', timeoutMs);
        e.message += ` (QEMU serves one client per QMP socket: is another one connected to ${this.path}?)`;
        reject(e);
      }, timeoutMs);
      this.once('greeting', (g) => {
        clearTimeout(timer);
        resolve(g);
      });
      this.once('disconnected', (e: Error) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line);
    } catch {
      this.fail(new QmpDisconnectedError(`QMP socket ${this.path}: malformed message ${JSON.stringify(line.slice(0, 200))}`));
      this.socket.destroy();
      return;
    }
    if ('QMP' in msg) {
      this.emit('greeting', msg.QMP);
      return;
    }
    if (typeof msg.event === 'string') {
      this.emit('event', msg as unknown as QmpEvent);
      return;
    }
    const id = msg.id === undefined ? undefined : String(msg.id);
    const p = id !== undefined ? this.pending.get(id) : undefined;
    if (!p || id === undefined) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const err = msg.error as { class?: string; desc?: string };
      p.reject(new QmpError(p.command, err.class ?? 'GenericError', err.desc ?? ''));
    } else {
      p.resolve(msg.return);
    }
  }

  private fail(e: QmpDisconnectedError): void {
    if (this.closedError) return;
    this.closedError = e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
    this.emit('disconnected', e);
  }

  get connected(): boolean {
    return this.closedError === undefined;
  }

  /** Runs a command; rejects with QmpError, QmpTimeoutError or QmpDisconnectedError. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, opts: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new QmpTimeoutError(command, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id })}\n`);
    });
  }

  /** Waits for an event (optionally matching a predicate). */
  waitForEvent(name: string, predicate: (e: QmpEvent) => boolean = () => true, timeoutMs = 10_000): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const onEvent = (e: QmpEvent) => {
        if (e.event === name && predicate(e)) {
          cleanup();
          resolve(e);
        }
      };
      const onGone = (e: Error) => {
        cleanup();
        reject(e);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new QmpTimeoutError(`(event ${name})`, timeoutMs));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('event', onEvent);
        this.off('disconnected', onGone);
      };
      this.on('event', onEvent);
      this.on('disconnected', onGone);
      if (this.closedError) onGone(this.closedError);
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  // Typed wrappers for what migcost uses.
  queryStatus() {
    return this.execute<{ status: string; running: boolean }>('query-status');
  }
  queryMigrate() {
    return this.execute<QueryMigrate>('query-migrate');
  }
  /** The host thread ids of the guest's vCPUs (`query-cpus-fast`). */
  vcpuThreadIds(): Promise<number[]> {
    return vcpuThreadIdsOf(this);
  }
}

/** The parts of `query-migrate` migcost reads (QEMU 10). */
export interface QueryMigrate {
  status?: string;
  'total-time'?: number;
  'expected-downtime'?: number;
  downtime?: number;
  'setup-time'?: number;
  'error-desc'?: string;
  /** Destination only, with the `postcopy-blocktime` capability: ms during which every vCPU waited for a page. */
  'postcopy-blocktime'?: number;
  ram?: {
    transferred: number;
    remaining: number;
    total: number;
    duplicate: number;
    normal: number;
    'normal-bytes': number;
    'dirty-pages-rate': number;
    mbps: number;
    'dirty-sync-count': number;
    'precopy-bytes'?: number;
    'downtime-bytes'?: number;
    'postcopy-bytes'?: number;
    'postcopy-requests'?: number;
    'multifd-bytes'?: number;
    'page-size': number;
  };
  'cpu-throttle-percentage'?: number;
  /** With the xbzrle capability: `pages` = cache hits encoded (overflows included), `bytes` = encoded bytes. */
  'xbzrle-cache'?: { 'cache-size': number; bytes: number; pages: number; 'cache-miss': number; 'cache-miss-rate'?: number; overflow: number };
}

/** The host thread ids of a guest's vCPUs (`query-cpus-fast`), over any monitor transport. */
export async function vcpuThreadIdsOf(m: Pick<Monitor, 'execute'>): Promise<number[]> {
  const cpus = await m.execute<{ 'thread-id': number }[]>('query-cpus-fast');
  return cpus.map((c) => c['thread-id']).filter((t) => Number.isInteger(t) && t > 0);
}
