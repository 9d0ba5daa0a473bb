/**
 * Starts the lab's QEMU processes: a source guest running a workload, and a destination waiting for an
 * incoming migration. TCG only (see LAB-NOTES: /dev/kvm here cannot run a guest).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QmpClient } from '../hypervisor/qemu/qmp.js';
import { QemuError, findQemu, detectAccelerator } from '../hypervisor/qemu/qemu-binary.js';

/** The lab cannot run here (guest not built) or a lab guest failed. */
export class LabError extends QemuError {
  override name = 'LabError';
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LabAssets {
  kernel: string;
  initrd: string;
}

/** Where lab/setup.sh put the guest kernel and initramfs. */
export function labAssets(dir = process.env.MIGCOST_LAB_DIR ?? join(REPO, '.lab')): LabAssets {
  const kernel = join(dir, 'vmlinux');
  const initrd = join(dir, 'initramfs.cpio');
  if (!existsSync(kernel) || !existsSync(initrd)) throw new LabError(`lab guest not built in ${dir}: run \`sudo bash lab/setup.sh\``);
  return { kernel, initrd };
}

/** True when the lab can run here (QEMU >= 9 and the guest built). */
export function labAvailable(): { ok: true } | { ok: false; why: string } {
  try {
    findQemu();
    labAssets();
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

export interface GuestOptions {
  memoryBytes: number;
  workload?: string;
  /** Workload parameters passed as migcost.KEY=VALUE on the kernel command line. */
  params?: Record<string, string | number>;
  /** Destination only: listen for the migration on this port. */
  incomingPort?: number;
  /** Destination only: start with `-incoming defer` (the port is then given to `migrate-incoming`: a technique's
   * capabilities, multifd's above all, must be set before it). */
  incomingDefer?: boolean;
  /** Start paused (-S). */
  paused?: boolean;
  readyTimeoutMs?: number;
}

export class Guest {
  private exited = false;
  readonly exit: Promise<number | null>;
  constructor(
    readonly proc: ChildProcess,
    readonly dir: string,
    readonly qmpPath: string,
    readonly serialPath: string,
    readonly qmp: QmpClient,
    /** A second QMP socket, for a test or tool to watch the guest while another client holds `qmpPath`. */
    readonly monitorPath: string,
  ) {
    this.exit = new Promise((r) => proc.once('exit', (code) => {
      this.exited = true;
      r(code);
    }));
  }
  get running(): boolean {
    return !this.exited;
  }
  serial(): string {
    try {
      return readFileSync(this.serialPath, 'utf8');
    } catch {
      return '';
    }
  }
  /** Kills QEMU (SIGKILL unless told) and removes its files. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.qmp.close();
    if (!this.exited) {
      this.proc.kill(signal);
      await this.exit;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function kernelArgs(workload: string | undefined, params: Record<string, string | number> = {}): string {
  const base = 'console=ttyS0 panic=-1 quiet mitigations=off nokaslr rodata=off tsc=reliable no_timer_check';
  const extra = Object.entries({ workload: workload ?? 'idle', ...params }).map(([k, v]) => {
    if (!/^[\w.:,-]+$/.test(String(v))) throw new LabError(`workload parameter ${k}=${v}: only letters, digits, '.', '_', '-', ':' and ','`);
    return `migcost.${k}=${v}`;
  });
  return `${base} ${extra.join(' ')}`;
}

/** Starts a QEMU process; for a source, waits until the guest prints MIGCOST-READY. */
export async function startGuest(opts: GuestOptions): Promise<Guest> {
  const qemu = findQemu();
  const assets = labAssets();
  const dir = mkdtempSync(join(tmpdir(), 'migcost-qemu-'));
  const qmpPath = join(dir, 'qmp.sock');
  const serialPath = join(dir, 'serial.log');
  const monitorPath = join(dir, 'monitor.sock');
  closeSync(openSync(serialPath, 'w'));
  const mib = Math.round(opts.memoryBytes / 2 ** 20);
  const args = [
    '-accel', detectAccelerator(),
    '-machine', 'pc', '-cpu', 'qemu64', '-smp', '1', '-m', `${mib}M`,
    '-display', 'none', '-nodefaults', '-no-reboot', '-no-user-config',
    '-kernel', assets.kernel, '-initrd', assets.initrd,
    '-append', kernelArgs(opts.workload, opts.params),
    '-serial', `file:${serialPath}`,
    '-qmp', `unix:${qmpPath},server=on,wait=off`,
    '-qmp', `unix:${monitorPath},server=on,wait=off`,
  ];
  if (opts.paused) args.push('-S');
  if (opts.incomingPort !== undefined) args.push('-incoming', opts.incomingDefer ? 'defer' : `tcp:127.0.0.1:${opts.incomingPort}`);
  const proc = spawn(qemu.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const died = new Promise<never>((_, rej) => proc.once('exit', (code) => rej(new LabError(`QEMU exited (${code}) while starting: ${stderr.trim().slice(0, 500)}`))));
  died.catch(() => {});
  let qmp: QmpClient;
  try {
    qmp = await Promise.race([QmpClient.connect(qmpPath, { timeoutMs: 15_000 }), died]);
  } catch (e) {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e instanceof LabError ? e : new LabError(`cannot reach QEMU's QMP socket: ${(e as Error).message}`, { cause: e });
  }
  const guest = new Guest(proc, dir, qmpPath, serialPath, qmp, monitorPath);
  if (opts.incomingPort === undefined && !opts.paused) {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    for (;;) {
      const serial = guest.serial();
      if (serial.includes('MIGCOST-FAILED')) {
        await guest.kill();
        throw new LabError(`the guest's workload failed: ${serial.slice(serial.indexOf('MIGCOST-FAILED')).slice(0, 400)}`);
      }
      if (serial.includes('MIGCOST-READY')) break;
      if (!guest.running) throw new LabError(`guest exited before it was ready: ${stderr.trim().slice(0, 500)}`);
      if (Date.now() > deadline) {
        await guest.kill();
        throw new LabError(`guest not ready within ${opts.readyTimeoutMs ?? 60_000} ms (serial: ${guest.serial().slice(-300)})`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return guest;
}
