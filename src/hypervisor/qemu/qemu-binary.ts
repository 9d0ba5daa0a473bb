/**
 * The local QEMU: which binary and version (recorded with every migration) and the accelerator in use.
 */
import { execFileSync } from 'node:child_process';

/** QEMU missing, too old, or a host setup QEMU needs (pinning) is not there. */
export class QemuError extends Error {
  override name = 'QemuError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface QemuInfo {
  binary: string;
  version: string;
  major: number;
  minor: number;
}

/** Finds qemu-system-x86_64 and refuses versions whose TCG migrations lose dirty pages (< 9.0). */
export function findQemu(binary = process.env.MIGCOST_QEMU ?? 'qemu-system-x86_64'): QemuInfo {
  let out: string;
  try {
    out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  } catch (e) {
    throw new QemuError(`QEMU not found (${binary}): run \`sudo bash lab/setup.sh\``, { cause: e });
  }
  const m = /version (\d+)\.(\d+)(?:\.(\d+))?/.exec(out);
  if (!m) throw new QemuError(`cannot read the QEMU version from: ${out.split('\n')[0]}`);
  const info = { binary, version: `${m[1]}.${m[2]}${m[3] ? `.${m[3]}` : ''}`, major: Number(m[1]), minor: Number(m[2]) };
  if (info.major < 9) {
    throw new QemuError(`QEMU ${info.version} loses dirty pages in TCG migrations (fixed in 9.0): install qemu-system-x86 from bookworm-backports (lab/setup.sh does)`);
  }
  return info;
}

/** Accelerator in use: TCG here; KVM only if /dev/kvm can really run a guest, which it cannot on these machines. */
export function detectAccelerator(): 'tcg' | 'kvm' {
  return process.env.MIGCOST_ACCEL === 'kvm' ? 'kvm' : 'tcg';
}
