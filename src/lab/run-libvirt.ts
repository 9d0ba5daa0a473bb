/**
 * One lab run driven through libvirt: the lab guest as a transient domain on the source daemon, sampled in full
 * over libvirt's monitor pass-through (the lab's own domain: the taint does not matter), predicted with every
 * model variant, migrated by `virsh migrate` to the destination daemon and recorded like a QMP run
 * (`driver: 'libvirt'`). The domain is destroyed on both daemons afterwards, whatever happened.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Virsh } from '../hypervisor/libvirt/virsh.js';
import { LibvirtMonitor, dumpDirFor, startDiscardSink } from '../hypervisor/libvirt/monitor.js';
import { sampleAndMigrateDomain } from '../hypervisor/libvirt/sample-and-migrate.js';
import { sampleVm } from '../hypervisor/qemu/sample.js';
import { LAYOUT_WINDOW_SEC, PSEUDO_MIGRATION_WINDOWS_SEC } from '../hypervisor/qemu/windows.js';
import { inFlightDirtFromSample, predictAllVariants, sampleAt } from '../model/from-sample.js';
import type { VmSample } from '../model/sample.js';
import type { InFlightPoint, MigrationConfig, MigrationRecord } from '../record/record.js';
import { inFlightFromJob } from '../hypervisor/libvirt/in-flight.js';
import { MigrationWatch } from '../hypervisor/watch.js';
import { labDomainXml, startLabDomain } from './libvirt-guest.js';
import { labHost } from './host.js';
import type { LabRunOptions } from './run.js';

/** Two libvirt daemons for the lab, and the folders their users may write a domain's console into. */
export interface LabLibvirt {
  source: string;
  destination: string;
  /** Writable by the source's / destination's daemon user (scripts/libvirt-test-daemons.sh makes them). */
  sourceDir: string;
  destinationDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLabConfigLibvirt(cfg: MigrationConfig, lv: LabLibvirt, opts: LabRunOptions = {}): Promise<MigrationRecord> {
  const log = opts.log ?? (() => {});
  const src = new Virsh(lv.source);
  const dst = new Virsh(lv.destination);
  const id = randomUUID();
  const name = `migcost-lab-${id.slice(0, 8)}`;
  const work = mkdtempSync(join(tmpdir(), 'migcost-lab-libvirt-'));
  const dom = { name, uuid: id, memoryBytes: cfg.memoryBytes, workload: cfg.workload, params: cfg.params, serialPath: join(lv.sourceDir, `${name}.log`) };
  writeFileSync(join(work, 'src.xml'), labDomainXml(dom));
  writeFileSync(join(work, 'dst.xml'), labDomainXml({ ...dom, serialPath: join(lv.destinationDir, `${name}.log`) }));
  try {
    log(`boot source domain ${name} (${cfg.workload})`);
    await startLabDomain(src, dom, join(work, 'src.xml'));
    await sleep((opts.settleSec ?? 1) * 1000);
    const monitor = new LibvirtMonitor(src, name);
    const pseudo = opts.pseudoMigration !== false;
    const inFlight: InFlightPoint[] = [];
    let sampled: VmSample | undefined;
    let watch: MigrationWatch | undefined;
    const { record } = await sampleAndMigrateDomain({
      source: src,
      domain: name,
      destinationUri: lv.destination,
      xmlFile: join(work, 'dst.xml'),
      config: cfg,
      sample: async (signal) => {
        const sink = pseudo ? await startDiscardSink() : undefined;
        const dump = await dumpDirFor(monitor);
        try {
          return (sampled = await sampleVm(monitor, { windowsSec: opts.windowsSec, bitmap: sink ? { windowsSec: PSEUDO_MIGRATION_WINDOWS_SEC, uri: sink.uri } : undefined, layoutWindowSec: pseudo ? LAYOUT_WINDOW_SEC : undefined, dumpDir: dump.dir, signal }));
        } finally {
          await sink?.close();
          dump.remove();
        }
      },
      predict: (sample, c) => predictAllVariants(sample, c, opts.platform ?? {}),
      onStep: (s) => log(s),
      // What `watch --completion-timeout <the run's time-out>` would say at each poll, with the sample taken before
      // the migration, and what it read: kept for scoring it (evaluate/in-flight-eval.ts) and replaying it offline.
      onProgress: (j) => {
        const reading = inFlightFromJob(j, cfg.downtimeLimitSec);
        if (!reading.state) return;
        const st = { ...reading.state, autoConverge: cfg.autoConverge };
        watch ??= new MigrationWatch({ completionTimeoutSec: cfg.timeoutSec, dirt: sampled ? inFlightDirtFromSample(sampleAt(sampled, new Date().toISOString()), opts.platform) : undefined });
        const l = watch.line({ ...reading, state: st });
        if (!l) return;
        const { transferredBytes, remainingBytes, memoryBytes, syncs, dirtyRateBytesPerSec, bandwidthBytesPerSec, throttle } = st;
        inFlight.push({
          elapsedSec: st.elapsedSec,
          totalTimeSec: l.totalTimeSec,
          rateKnown: l.rateKnown,
          dirtFrom: l.dirtFrom,
          warning: l.warning !== undefined,
          input: { transferredBytes, remainingBytes, memoryBytes, syncs, dirtyRateBytesPerSec, bandwidthBytesPerSec, throttle, ...(l.passElapsedSec !== undefined ? { passElapsedSec: l.passElapsedSec } : {}), ...(l.lastPassSec !== undefined ? { lastPassSec: l.lastPassSec } : {}) },
        });
      },
    });
    record.host = labHost();
    if (inFlight.length > 0) record.inFlight = inFlight;
    return record;
  } finally {
    await Promise.all([src.run(['destroy', '--domain', name]).catch(() => {}), dst.run(['destroy', '--domain', name]).catch(() => {})]);
    rmSync(work, { recursive: true, force: true });
    for (const d of [lv.sourceDir, lv.destinationDir]) rmSync(join(d, `${name}.log`), { force: true });
  }
}

/** The lab's libvirt daemons from the environment that `scripts/libvirt-test-daemons.sh start` prints. */
export function labLibvirtFromEnv(env = process.env): LabLibvirt | undefined {
  const { MIGCOST_LIBVIRT_SRC: s, MIGCOST_LIBVIRT_DST: d, MIGCOST_LIBVIRT_STATE: st } = env;
  if (!s || !d || !st) return undefined;
  return { source: s, destination: d, sourceDir: join(st, 'dom-migcosta'), destinationDir: join(st, 'dom-migcostb') };
}

/** The lab's libvirt daemons: from the environment, else started with scripts/libvirt-test-daemons.sh (as root). */
export function labLibvirt(): LabLibvirt {
  const fromEnv = labLibvirtFromEnv();
  if (fromEnv) return fromEnv;
  const script = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'scripts', 'libvirt-test-daemons.sh');
  const r = spawnSync('bash', [script, 'start'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`--driver libvirt: cannot start the lab's libvirt daemons: ${r.stderr.trim() || r.error?.message}`);
  const env = Object.fromEntries([...r.stdout.matchAll(/export (\w+)=(.*)/g)].map((m) => [m[1], m[2].replace(/\\(.)/g, '$1')]));
  const lv = labLibvirtFromEnv(env);
  if (!lv) throw new Error('--driver libvirt: the daemon script printed no URIs');
  return lv;
}
