/**
 * Lab guests as libvirt domains: the same kernel, initramfs and workloads as `guest.ts`, described as domain
 * XML for a libvirt daemon (TCG, `<domain type='qemu'>`), and started and stopped with virsh. For the libvirt
 * tests and libvirt-driven lab passes (docs/libvirt.md).
 */
import { readFileSync, existsSync, statSync, mkdirSync, copyFileSync, chmodSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { Virsh } from '../hypervisor/libvirt/virsh.js';
import { LabError, labAssets, kernelArgs, type LabAssets } from './guest.js';

export interface LabDomain {
  name: string;
  uuid: string;
  memoryBytes: number;
  workload?: string;
  params?: Record<string, string | number>;
  /** The guest console goes here; the daemon's user must be able to write it. */
  serialPath: string;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

/**
 * The lab guest's kernel and initramfs where a libvirt daemon's user can read them: the repository may sit in a
 * private folder (a `mktemp -d` clone is 0700), which another user's QEMU cannot enter. Copied once into a
 * world-readable folder of the temporary directory, again only when the source changes (size and mtime).
 */
export function readableLabAssets(dir = join(tmpdir(), 'migcost-lab-assets')): LabAssets {
  const src = labAssets();
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const copy = (from: string): string => {
    const to = join(dir, basename(from));
    const s = statSync(from);
    const stamp = `${to}.stamp`;
    const want = `${s.size} ${s.mtimeMs}`;
    if (!existsSync(to) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== want) {
      copyFileSync(from, `${to}.tmp`);
      chmodSync(`${to}.tmp`, 0o644);
      renameSync(`${to}.tmp`, to);
      writeFileSync(stamp, want);
    }
    return to;
  };
  return { kernel: copy(src.kernel), initrd: copy(src.initrd) };
}

/** The domain XML of a lab guest (1 vCPU, qemu64, no devices but a serial console to a file). */
export function labDomainXml(d: LabDomain): string {
  const a = readableLabAssets();
  const mib = Math.round(d.memoryBytes / 2 ** 20);
  return `<domain type='qemu'>
  <name>${xmlEscape(d.name)}</name>
  <uuid>${xmlEscape(d.uuid)}</uuid>
  <memory unit='MiB'>${mib}</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${xmlEscape(a.kernel)}</kernel><initrd>${xmlEscape(a.initrd)}</initrd><cmdline>${xmlEscape(kernelArgs(d.workload, d.params))}</cmdline></os>
  <cpu mode='custom' match='exact' check='none'><model fallback='forbid'>qemu64</model></cpu>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <controller type='usb' model='none'/>
    <serial type='file'><source path='${xmlEscape(d.serialPath)}' append='on'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

/** Waits until the guest's console says its workload is ready (or failed). */
export async function waitReady(serialPath: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = existsSync(serialPath) ? readFileSync(serialPath, 'utf8') : '';
    if (s.includes('MIGCOST-FAILED')) throw new LabError(`the guest's workload failed: ${s.slice(s.indexOf('MIGCOST-FAILED')).slice(0, 400)}`);
    if (s.includes('MIGCOST-READY')) return;
    if (Date.now() > deadline) throw new LabError(`guest not ready within ${timeoutMs} ms (serial: ${s.slice(-300)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a transient lab domain on a libvirt connection and waits for its workload. */
export async function startLabDomain(v: Virsh, d: LabDomain, xmlPath: string, timeoutMs?: number): Promise<void> {
  await v.run(['create', '--file', xmlPath]);
  await waitReady(d.serialPath, timeoutMs);
}
