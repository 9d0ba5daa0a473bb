import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import Table from 'cli-table3';
import type { QmpClient } from '../../../hypervisor/qemu/qmp.js';
import type { VmSample } from '../../../model/sample.js';
import { InputError, parseDuration } from '../../../units.js';
import { formatBytes } from '../../render/format.js';
import { FULL_WINDOWS_SEC } from '../../../hypervisor/qemu/windows.js';
import { parsedOption, throttleProbeArg, THROTTLE_PROBE_HELP } from '../../options.js';
import { phaseSummary, QUIET_RATE_SHARE } from '../../../model/phases.js';
import { exitWithError } from '../../errors.js';
import { progressReporter } from '../../progress.js';

/** The options of `migcost sample`; --pseudo-migration and --layout are false when absent, true without a value. */
export interface SampleFlags {
  qmp?: string;
  libvirt?: string;
  domain?: string;
  allowQmpPassthrough?: true;
  windows: number[];
  zeroPages: boolean;
  pseudoMigration: string | boolean;
  layout: string | boolean;
  horizon?: number;
  throttleProbe: string | boolean;
  output?: string;
  json?: true;
}

/** Window lengths between 50 ms and 60 s (what QEMU accepts). */
const windowsArg = (v: string): number[] =>
  v.split(',').map((w, i) => {
    const s = parseDuration('--windows', w.trim(), { needUnit: true });
    if (s < 0.05 || s > 60) throw new InputError('--windows', w, 'must be between 50ms and 60s (what QEMU accepts)');
    return s;
  });

/** A horizon between 1 s and 10 min. */
const horizonArg = (v: string): number => {
  const s = parseDuration('--horizon', v, { needUnit: true });
  if (!(s >= 1 && s <= 600)) throw new InputError('--horizon', v, 'must be between 1s and 10min');
  return s;
};

/** `migcost sample`: Deng's pseudo-migration on a running QEMU VM, output usable as `predict --vm FILE`. */
export function sampleCommand(): Command {
  return new Command('sample')
    .description("measure a running QEMU VM's dirty rate, dirtied-pages-versus-window curve and zero pages")
    .option('--qmp <socket>', "the VM's QMP unix socket (or --libvirt with --domain)")
    .option('--libvirt <uri>', 'a libvirt connection URI (e.g. qemu:///system): sample the domain with libvirt\'s own calls')
    .option('--domain <name>', 'with --libvirt: the domain (name, id or UUID)')
    .option('--allow-qmp-passthrough', "with --libvirt: sample through QEMU's monitor via libvirt (qemu-monitor-command) for what libvirt has no call for — zero pages, --pseudo-migration, --layout; libvirt marks the domain tainted")
    .addOption(parsedOption('--windows <list>', 'window lengths for the curve', windowsArg, FULL_WINDOWS_SEC.map((w) => (w < 1 ? `${Math.round(w * 1000)}ms` : `${w}s`)).join(',')))
    .option('--no-zero-pages', 'skip the RAM dump that counts zero pages')
    .option('--pseudo-migration [windows]', "also count dirtied pages with QEMU's dirty bitmap: pre-copy to /dev/null, cancelled before any switch-over (rounds of about these lengths)", false)
    .option('--layout [window]', 'dump RAM twice this far apart (default 1s) and record where the non-zero and the changed pages lie (the working set, in the order a first pre-copy pass scans)', false)
    .addOption(parsedOption('--horizon <time>', 'also watch this long (e.g. 10s) in back-to-back 100 ms page-sampling windows and report how the dirt rate varies over time (phases: p10/p50/p90, the quiet share)', horizonArg))
    .option('--throttle-probe [percent]', THROTTLE_PROBE_HELP, false)
    .option('--output <file>', 'also write the JSON here (for `migcost predict --vm FILE`)')
    .option('--json', 'print JSON')
    .action(async (o: SampleFlags, cmd: Command) => {
      let qmp: QmpClient | undefined;
      try {
        if ((o.qmp === undefined) === (o.libvirt === undefined)) throw new InputError('--qmp', o.qmp ?? '', 'give exactly one of --qmp SOCKET or --libvirt URI --domain NAME');
        if (o.libvirt !== undefined) {
          if (o.allowQmpPassthrough) {
            await sampleThroughPassthrough(o, cmd.getOptionValueSource('windows') === 'default');
            return;
          }
          await sampleThroughLibvirt(o, cmd.getOptionValueSource('windows') === 'default');
          return;
        }
        if (o.domain !== undefined) throw new InputError('--domain', o.domain, 'goes with --libvirt, not --qmp');
        if (o.allowQmpPassthrough) throw new InputError('--allow-qmp-passthrough', 'true', 'goes with --libvirt, not --qmp');
        const windowsSec = o.windows;
        const throttleProbe = throttleProbeArg(o.throttleProbe);
        const { QmpClient } = await import('../../../hypervisor/qemu/qmp.js');
        const { sampleVm } = await import('../../../hypervisor/qemu/sample.js');
        const { withInterruptsDeferred } = await import('../../../hypervisor/qemu/migration-settings.js');
        const { PSEUDO_MIGRATION_WINDOWS_SEC, LAYOUT_WINDOW_SEC } = await import('../../../hypervisor/qemu/windows.js');
        qmp = await QmpClient.connect(o.qmp!, { retry: false });
        const progress = progressReporter('windows', !o.json);
        const pseudo = o.pseudoMigration === false ? undefined : { windowsSec: typeof o.pseudoMigration === 'string' ? o.pseudoMigration.split(',').map((w) => parseDuration('--pseudo-migration', w.trim(), { needUnit: true })) : PSEUDO_MIGRATION_WINDOWS_SEC };
        const layoutWindowSec = o.layout === false ? undefined : typeof o.layout === 'string' ? parseDuration('--layout', o.layout, { needUnit: true }) : LAYOUT_WINDOW_SEC;
        if (layoutWindowSec !== undefined && o.zeroPages === false) throw new InputError('--layout', String(o.layout), 'needs the RAM dumps: drop --no-zero-pages');
        if (layoutWindowSec !== undefined && !(layoutWindowSec > 0 && layoutWindowSec <= 60)) throw new InputError('--layout', String(o.layout), 'must be between 0 and 60s');
        const client = qmp;
        // SIGINT / SIGTERM cancel a pseudo-migration in progress and restore the VM's migration settings first.
        const horizon = o.horizon !== undefined ? { sec: o.horizon } : undefined;
        const s = await withInterruptsDeferred((signal) => sampleVm(client, { windowsSec, zeroPages: o.zeroPages, bitmap: pseudo, layoutWindowSec, horizon, throttleProbe: throttleProbe && { ...throttleProbe, onSkip: probeSkipped }, signal, onProgress: (d, t) => progress.update(d, t) }));
        progress.done('sampled');
        printSample(s, o);
      } catch (e) {
        exitWithError(e);
      } finally {
        qmp?.close();
      }
    });
}

/** A throttle probe that measured nothing says why, on stderr (the sample goes on without a response). */
const probeSkipped = (reason: string) => process.stderr.write(`migcost: the throttle probe measured no response: ${reason}\n`);

function printSample(s: VmSample, o: SampleFlags): void {
  const json = JSON.stringify(s);
  if (o.output) writeFileSync(o.output, `${json}\n`);
  if (o.json) process.stdout.write(`${json}\n`);
  else {
    const t = new Table({ head: ['', 'value'], style: { head: [], border: [] } });
    t.push(['memory', formatBytes(s.memoryBytes)], ['dirty rate', `${formatBytes(s.dirtyRateBytesPerSec)}/s`]);
    for (const p of s.curve) t.push([`dirtied within ${p.windowSec} s`, formatBytes(p.dirtiedBytes)]);
    if (s.zeroPageFraction !== undefined) t.push(['zero pages', `${(s.zeroPageFraction * 100).toFixed(1)} %`]);
    for (const p of s.bitmapCurve ?? []) t.push([`bitmap: dirtied within ${p.windowSec.toFixed(2)} s`, formatBytes(p.dirtiedBytes)]);
    const ph = phaseSummary(s.phases);
    if (ph) {
      t.push([`dirty rate over ${ph.windows} windows of ${ph.windowSec} s: p10 / p50 / p90`, `${formatBytes(ph.p10)}/s / ${formatBytes(ph.p50)}/s / ${formatBytes(ph.p90)}/s`]);
      t.push([`quiet (under ${QUIET_RATE_SHARE * 100} % of the median)`, `${(ph.quietShare * 100).toFixed(0)} % of the time${ph.quietShare > 0 ? `, runs of ${ph.quietRunSec.toFixed(1)} s at ${(ph.quietFactor * 100).toFixed(0)} % of the busy rate` : ''}`]);
    }
    const tr = s.throttleResponse;
    if (tr) t.push([`dirt under a ${Math.round(tr.throttle * 100)} % throttle (${tr.windowSec} s windows)`, `${formatBytes(tr.rateThrottled)}/s of ${formatBytes(tr.rateUnthrottled)}/s: exponent ${tr.exponent.toFixed(2)} (1 proportional, 0 full catch-up)`]);
    if (s.ramLayout) {
      const changed = s.ramLayout.changedPages.reduce((a, b) => a + b, 0);
      t.push([`changed between RAM dumps ${s.ramLayout.windowSec.toFixed(2)} s apart`, formatBytes(changed * s.pageSizeBytes)]);
    }
    const c = s.compressibility;
    if (c) {
      const pct = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(1)} %`);
      t.push([`XBZRLE delta of ${c.rewrittenPages} rewritten pages (of a page)`, `${pct(c.xbzrleDeltaRatio)}, ${pct(c.xbzrleOverflowShare)} overflow`]);
      const unit = c.packetPages !== undefined ? `in ${c.packetPages}-page packets` : 'each page alone';
      t.push([`zlib / zstd size, rewritten pages ${unit}`, `${pct(c.zlibShareRewritten)} / ${pct(c.zstdShareRewritten)}`]);
      t.push([`zlib / zstd size, ${c.nonZeroPages} non-zero pages ${unit}`, `${pct(c.zlibShare)} / ${pct(c.zstdShare)}${c.zstdShare === undefined ? ' (no zstd)' : ''}`]);
      const x = (v: number | undefined) => (v === undefined ? '-' : `${v.toFixed(2)} x`);
      if (c.zlibSpeedupRewritten !== undefined || c.zstdSpeedupRewritten !== undefined) t.push(['zlib / zstd speed, rewritten over all pages', `${x(c.zlibSpeedupRewritten)} / ${x(c.zstdSpeedupRewritten)}`]);
    }
    process.stdout.write(`${t.toString()}\n`);
  }
}

/** `sample --libvirt URI --domain NAME`: libvirt's own calls only (no monitor pass-through, the domain is not tainted). */
async function sampleThroughLibvirt(o: SampleFlags, defaultWindows: boolean): Promise<void> {
  if (o.domain === undefined) throw new InputError('--domain', '', 'is required with --libvirt');
  if (o.pseudoMigration !== false) throw new InputError('--pseudo-migration', String(o.pseudoMigration), 'needs QEMU\'s monitor, which libvirt owns: add --allow-qmp-passthrough (it taints the domain) or use --qmp');
  if (o.layout !== false) throw new InputError('--layout', String(o.layout), 'needs QEMU\'s monitor, which libvirt owns: add --allow-qmp-passthrough (it taints the domain) or use --qmp');
  if (o.horizon !== undefined && o.horizon < 2) throw new InputError('--horizon', `${o.horizon}s`, 'through libvirt is watched in whole 1 s windows: at least 2s');
  if (o.throttleProbe !== false) throw new InputError('--throttle-probe', String(o.throttleProbe), 'needs QEMU\'s monitor, which libvirt owns: add --allow-qmp-passthrough (it taints the domain) or use --qmp');
  const { Virsh } = await import('../../../hypervisor/libvirt/virsh.js');
  const { sampleDomain, LIBVIRT_WINDOWS_SEC } = await import('../../../hypervisor/libvirt/sample.js');
  const windowsSec = defaultWindows ? LIBVIRT_WINDOWS_SEC : o.windows;
  for (const [i, w] of windowsSec.entries()) {
    if (!Number.isInteger(w)) throw new InputError(`--windows[${i}]`, `${w}s`, 'libvirt measures whole seconds (1s to 60s)');
  }
  const progress = progressReporter('windows', !o.json);
  const s = await sampleDomain(new Virsh(o.libvirt!), o.domain, { windowsSec, horizon: o.horizon !== undefined ? { sec: o.horizon } : undefined, onProgress: (d, t) => progress.update(d, t) });
  progress.done('sampled through libvirt (zero pages not measured: libvirt has no call for them)');
  printSample(s, o);
}

/**
 * `sample --libvirt URI --domain NAME --allow-qmp-passthrough`: the full QMP sampler over libvirt's monitor
 * pass-through; the pseudo-migration goes to a loopback TCP sink (libvirt's QEMU may not spawn `cat`), the RAM
 * dumps into a folder the domain's QEMU user owns. Every migration setting is restored, as over QMP.
 */
async function sampleThroughPassthrough(o: SampleFlags, defaultWindows: boolean): Promise<void> {
  if (o.domain === undefined) throw new InputError('--domain', '', 'is required with --libvirt');
  const { Virsh } = await import('../../../hypervisor/libvirt/virsh.js');
  const { LibvirtMonitor, startDiscardSink, dumpDirFor } = await import('../../../hypervisor/libvirt/monitor.js');
  const { sampleVm } = await import('../../../hypervisor/qemu/sample.js');
  const { withInterruptsDeferred } = await import('../../../hypervisor/qemu/migration-settings.js');
  const { PSEUDO_MIGRATION_WINDOWS_SEC, LAYOUT_WINDOW_SEC, FULL_WINDOWS_SEC } = await import('../../../hypervisor/qemu/windows.js');
  const throttleProbe = throttleProbeArg(o.throttleProbe);
  const monitor = new LibvirtMonitor(new Virsh(o.libvirt!), o.domain);
  const pseudoWindows = o.pseudoMigration === false ? undefined : typeof o.pseudoMigration === 'string' ? o.pseudoMigration.split(',').map((w, i) => parseDuration(`pseudo-migration[${i}]`, w.trim())) : PSEUDO_MIGRATION_WINDOWS_SEC;
  const layoutWindowSec = o.layout === false ? undefined : typeof o.layout === 'string' ? parseDuration('layout', o.layout) : LAYOUT_WINDOW_SEC;
  if (layoutWindowSec !== undefined && o.zeroPages === false) throw new InputError('layout', String(o.layout), 'needs the RAM dumps: drop --no-zero-pages');
  const sink = pseudoWindows || throttleProbe ? await startDiscardSink() : undefined;
  const dump = o.zeroPages === false ? undefined : await dumpDirFor(monitor);
  try {
    const progress = progressReporter('windows', !o.json);
    const s = await withInterruptsDeferred((signal) => sampleVm(monitor, { windowsSec: defaultWindows ? FULL_WINDOWS_SEC : o.windows, zeroPages: o.zeroPages, bitmap: pseudoWindows ? { windowsSec: pseudoWindows, uri: sink!.uri } : undefined, layoutWindowSec, horizon: o.horizon !== undefined ? { sec: o.horizon } : undefined, throttleProbe: throttleProbe ? { ...throttleProbe, uri: sink!.uri, onSkip: probeSkipped } : undefined, dumpDir: dump?.dir, signal, onProgress: (d, t) => progress.update(d, t) }));
    progress.done('sampled through libvirt\'s monitor pass-through (the domain is now marked tainted by libvirt)');
    printSample(s, o);
  } finally {
    await sink?.close();
    dump?.remove();
  }
}
