/**
 * `migcost agent`: samples the dirty rate of a host's QEMU VMs on a schedule and POSTs each sample to the
 * service. It outlives the service being down: samples wait in a bounded queue (oldest dropped past the
 * bound), optionally mirrored to a JSONL spool file that a restarted agent reads back, and are retried with
 * exponential backoff. Every sample carries an idempotency id made when it was taken, which the service
 * dedupes on, so a retry after a lost answer stores nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { VmSample } from '../model/sample.js';
import { QUICK_WINDOWS_SEC } from '../hypervisor/qemu/windows.js';

export interface AgentVm {
  id: string;
  /** The VM's QMP unix socket (or `libvirt`). */
  qmp?: string;
  /** A libvirt domain: the connection URI and the domain's name. */
  libvirt?: { uri: string; domain: string };
}

/** One queued sample: `id` is its idempotency key. */
export interface QueuedSample {
  id: string;
  vmId: string;
  sample: VmSample;
}

/** Takes one sample of a VM. The default connects to its QMP socket (qemu/sample.ts). */
export type Sampler = (vm: AgentVm) => Promise<VmSample>;

export interface AgentConfig {
  vms: readonly AgentVm[];
  /** Base URL of `migcost serve`, e.g. http://127.0.0.1:8080 */
  serviceUrl: string;
  token: string;
  intervalSec: number;
  sampler: Sampler;
  /** Most samples held while the service is unreachable; the oldest go first. Default 10,000. */
  maxBuffer?: number;
  /** JSONL file mirroring the queue, read back on start. */
  spoolFile?: string;
  /** Retry delays: doubling from minSec up to maxSec, with jitter. Defaults 1 s and 60 s. */
  backoffMinSec?: number;
  backoffMaxSec?: number;
  log?: (line: string) => void;
}

export interface AgentStats {
  sampled: number;
  sent: number;
  duplicates: number;
  rejected: number;
  dropped: number;
  sampleErrors: number;
  pending: number;
}

export class Agent {
  private readonly queue: QueuedSample[] = [];
  private readonly maxBuffer: number;
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  readonly stats: Omit<AgentStats, 'pending'> = { sampled: 0, sent: 0, duplicates: 0, rejected: 0, dropped: 0, sampleErrors: 0 };

  constructor(private readonly cfg: AgentConfig) {
    if (cfg.vms.length === 0) throw new RangeError('Agent: needs at least one VM');
    if (!(cfg.intervalSec > 0)) throw new RangeError('Agent: intervalSec must be > 0');
    this.maxBuffer = cfg.maxBuffer ?? 10_000;
    if (!(this.maxBuffer >= 1)) throw new RangeError('Agent: maxBuffer must be >= 1');
    this.log = cfg.log ?? (() => {});
    if (cfg.spoolFile && existsSync(cfg.spoolFile)) {
      for (const line of readFileSync(cfg.spoolFile, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const q = JSON.parse(line) as QueuedSample;
          if (typeof q.id === 'string' && typeof q.vmId === 'string' && q.sample) this.queue.push(q);
        } catch {
          /* a torn last line from a crash: skip it */
        }
      }
      this.trim();
      if (this.queue.length > 0) this.log(`agent: ${this.queue.length} spooled samples to send`);
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Samples now, then every intervalSec, posting as it goes. */
  start(): void {
    this.stopped = false;
    const loop = async () => {
      await this.tick();
      if (!this.stopped) this.timer = setTimeout(loop, this.cfg.intervalSec * 1000);
    };
    void loop();
  }

  /** Stops sampling and retrying; a last flush is attempted, and the queue stays in the spool. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
    await this.flushing;
    this.save();
  }

  /** Samples every VM once, queues the samples and tries to send the queue. */
  async tick(): Promise<void> {
    for (const vm of this.cfg.vms) {
      try {
        const sample = await this.cfg.sampler(vm);
        this.queue.push({ id: randomUUID(), vmId: vm.id, sample });
        this.stats.sampled++;
      } catch (e) {
        this.stats.sampleErrors++;
        this.log(`agent: sampling ${vm.id} failed: ${(e as Error).message}`);
      }
    }
    this.trim();
    this.save();
    await this.flush();
  }

  /** Sends the queue in order until it is empty or the service fails; then schedules a retry. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    clearTimeout(this.retryTimer);
    let changed = false;
    while (this.queue.length > 0) {
      const q = this.queue[0];
      let status: number;
      try {
        const res = await fetch(`${this.cfg.serviceUrl.replace(/\/$/, '')}/v1/vms/${encodeURIComponent(q.vmId)}/samples`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.cfg.token}` },
          body: JSON.stringify({ id: q.id, sample: q.sample, source: 'agent' }),
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch (e) {
        this.retryLater(`service unreachable (${(e as Error).message})`);
        break;
      }
      if (status === 201 || status === 200) {
        if (status === 200) this.stats.duplicates++;
        this.stats.sent++;
      } else if (status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 408 && status !== 429) {
        this.stats.rejected++;
        this.log(`agent: the service rejected sample ${q.id} of ${q.vmId} (${status}); dropped`);
      } else {
        this.retryLater(`service answered ${status}`);
        break;
      }
      this.queue.shift();
      this.failures = 0;
      changed = true;
    }
    if (changed) this.save();
  }

  private retryLater(why: string): void {
    if (this.stopped) return;
    const min = this.cfg.backoffMinSec ?? 1;
    const max = this.cfg.backoffMaxSec ?? 60;
    const delaySec = Math.min(max, min * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures++;
    this.log(`agent: ${why}; ${this.queue.length} samples held, retry in ${delaySec.toFixed(1)} s`);
    this.retryTimer = setTimeout(() => void this.flush(), delaySec * 1000);
  }

  private trim(): void {
    const over = this.queue.length - this.maxBuffer;
    if (over > 0) {
      this.queue.splice(0, over);
      this.stats.dropped += over;
      this.log(`agent: buffer full (${this.maxBuffer}); dropped the ${over} oldest samples`);
    }
  }

  /** Rewrites the spool (write then rename: a crash leaves the old one or the new one). */
  private save(): void {
    const f = this.cfg.spoolFile;
    if (!f) return;
    writeFileSync(`${f}.tmp`, this.queue.map((q) => `${JSON.stringify(q)}\n`).join(''));
    renameSync(`${f}.tmp`, f);
  }
}

/** The real sampler: short windows over QMP (as `migcost execute` samples before a move). */
export function qmpSampler(windowsSec: readonly number[] = QUICK_WINDOWS_SEC): Sampler {
  return async (vm) => {
    const { QmpClient } = await import('../hypervisor/qemu/qmp.js');
    const { sampleVm } = await import('../hypervisor/qemu/sample.js');
    if (vm.qmp === undefined) throw new Error(`${vm.id}: no QMP socket to sample`);
    const qmp = await QmpClient.connect(vm.qmp, { retry: false });
    try {
      return await sampleVm(qmp, { windowsSec: [...windowsSec], zeroPages: false });
    } finally {
      qmp.close();
    }
  };
}

/**
 * The libvirt sampler: libvirt's own calls (`domdirtyrate-calc` over whole-second windows; the domain is not
 * tainted), or, with `passthrough`, the QMP sampler through libvirt's monitor pass-through (short windows; libvirt
 * marks the domain tainted). Zero pages are not counted either way (the agent samples often).
 */
export function libvirtSampler(windowsSec: readonly number[], passthrough = false): Sampler {
  return async (vm) => {
    if (vm.libvirt === undefined) throw new Error(`${vm.id}: no libvirt domain to sample`);
    const { Virsh } = await import('../hypervisor/libvirt/virsh.js');
    const v = new Virsh(vm.libvirt.uri);
    if (passthrough) {
      const { LibvirtMonitor } = await import('../hypervisor/libvirt/monitor.js');
      const { sampleVm } = await import('../hypervisor/qemu/sample.js');
      return sampleVm(new LibvirtMonitor(v, vm.libvirt.domain), { windowsSec: [...windowsSec], zeroPages: false });
    }
    const { sampleDomain } = await import('../hypervisor/libvirt/sample.js');
    return sampleDomain(v, vm.libvirt.domain, { windowsSec });
  };
}
