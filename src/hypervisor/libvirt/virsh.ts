/**
 * libvirt through `virsh`: no npm binding covers libvirt's migration calls, so migcost runs the `virsh` client
 * with an argument array (never a shell string: a domain name is one argv entry whatever it contains) and
 * parses its output strictly — a line it does not expect is an error, not a guess.
 */
import { execFile } from 'node:child_process';

/** virsh failed, or answered something migcost cannot read. */
export class LibvirtError extends Error {
  override name = 'LibvirtError';
}

/** A domain name, id or UUID as libvirt accepts it; refuses what cannot be one (empty, control characters). */
export function checkDomainName(field: string, name: string): string {
  if (name.length === 0 || name.length > 256 || /[\x00-\x1f\x7f]/.test(name)) {
    throw new LibvirtError(`${field}: "${name}" is not a libvirt domain name (1-256 printable characters)`);
  }
  return name;
}

export interface VirshOptions {
  /** The virsh binary (default: `virsh` on the PATH, or $MIGCOST_VIRSH). */
  binary?: string;
  /** Each call's time limit (default 60 s). */
  timeoutMs?: number;
}

/** One libvirt connection, by URI (e.g. `qemu:///system`, `qemu+ssh://host/system`). */
export class Virsh {
  readonly binary: string;
  readonly timeoutMs: number;
  constructor(readonly uri: string, o: VirshOptions = {}) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new LibvirtError(`--libvirt: "${uri}" is not a libvirt URI (e.g. qemu:///system)`);
    this.binary = o.binary ?? process.env.MIGCOST_VIRSH ?? 'virsh';
    this.timeoutMs = o.timeoutMs ?? 60_000;
  }

  /** Runs `virsh -c URI ARGS...` and answers its standard output; a non-zero exit is a LibvirtError with virsh's message. */
  run(args: readonly string[], o: { timeoutMs?: number } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.binary, ['-q', '-c', this.uri, ...args], { timeout: o.timeoutMs ?? this.timeoutMs, maxBuffer: 16 * 2 ** 20, env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return reject(new LibvirtError(`virsh not found (${this.binary}): install libvirt-clients`));
          const msg = String(stderr).trim().replace(/^error:\s*/gm, '').split('\n').filter(Boolean).join('; ');
          return reject(new LibvirtError(`virsh ${args[0]} on ${this.uri}: ${msg || err.message}`));
        }
        resolve(String(stdout));
      });
    });
  }
}

/** `key: value` or `key=value` lines (domjobinfo --rawstats, domstats), blank lines and a `Domain: 'x'` header skipped. */
export function parseKeyValues(text: string, sep: ':' | '='): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || /^Domain: '/.test(line)) continue;
    const i = line.indexOf(sep);
    if (i <= 0) throw new LibvirtError(`virsh: cannot read the line "${line}" (expected key${sep}value)`);
    out.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return out;
}

/** A whole non-negative integer field of virsh's output, or an error naming it. */
export function intField(m: Map<string, string>, key: string, what: string): number {
  const v = m.get(key);
  if (v === undefined) throw new LibvirtError(`${what}: virsh did not report ${key}`);
  if (!/^\d+$/.test(v)) throw new LibvirtError(`${what}: ${key} is "${v}", not a whole number`);
  return Number(v);
}

export function optionalInt(m: Map<string, string>, key: string): number | undefined {
  const v = m.get(key);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** libvirt's job types in `domjobinfo --rawstats` ("Job type: N"): none, bounded, unbounded, completed, failed, cancelled. */
export const JOB_TYPES = ['none', 'bounded', 'unbounded', 'completed', 'failed', 'cancelled'] as const;
export type JobType = (typeof JOB_TYPES)[number];

export interface JobStats {
  type: JobType;
  /** Everything else `--rawstats` printed: operation, time_elapsed, data_*, memory_*, downtime, ... */
  stats: Map<string, string>;
}

/** Parses `virsh domjobinfo --rawstats` (the first line is "Job type: N"). */
export function parseJobInfo(text: string): JobStats {
  const m = parseKeyValues(text, ':');
  const t = intField(m, 'Job type', 'domjobinfo');
  const type = JOB_TYPES[t];
  if (type === undefined) throw new LibvirtError(`domjobinfo: unknown job type ${t}`);
  m.delete('Job type');
  return { type, stats: m };
}

export async function jobInfo(v: Virsh, domain: string, o: { completed?: boolean; keep?: boolean } = {}): Promise<JobStats> {
  const args = ['domjobinfo', '--domain', domain, '--rawstats'];
  if (o.completed) args.push('--completed');
  if (o.keep) args.push('--keep-completed');
  return parseJobInfo(await v.run(args));
}

/** `virsh dominfo`: the domain's state and its memory. */
export async function domainInfo(v: Virsh, domain: string): Promise<{ state: string; maxMemoryBytes: number; usedMemoryBytes: number; persistent: boolean }> {
  const m = parseKeyValues(await v.run(['dominfo', '--domain', domain]), ':');
  const kib = (key: string): number => {
    const s = m.get(key);
    const r = s && /^(\d+) KiB$/.exec(s);
    if (!r) throw new LibvirtError(`dominfo: ${key} is "${s ?? ''}", expected "N KiB"`);
    return Number(r[1]) * 1024;
  };
  const state = m.get('State');
  if (!state) throw new LibvirtError('dominfo: no State');
  return { state, maxMemoryBytes: kib('Max memory'), usedMemoryBytes: kib('Used memory'), persistent: m.get('Persistent') === 'yes' };
}

/** The hypervisor behind the connection, from `virsh version` ("Running hypervisor: QEMU 10.0.2"). */
export async function hypervisorVersion(v: Virsh): Promise<string> {
  const out = await v.run(['version']);
  const r = /Running hypervisor:\s*(\S+)\s+(\S+)/.exec(out);
  if (!r) throw new LibvirtError('virsh version: no "Running hypervisor" line');
  return r[2];
}

/** The domain's virtualization type from its XML (`<domain type='kvm'>` runs on KVM, `'qemu'` on TCG). */
export async function domainAccelerator(v: Virsh, domain: string): Promise<'kvm' | 'tcg'> {
  const xml = await v.run(['dumpxml', '--domain', domain]);
  const r = /<domain\s+type=['"](\w+)['"]/.exec(xml);
  if (!r) throw new LibvirtError('dumpxml: no <domain type=...>');
  return r[1] === 'kvm' ? 'kvm' : 'tcg';
}
