import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import Table from 'cli-table3';
import { defaultDbLocation } from '../../../store/location.js';
import { InputError, parseDuration } from '../../../units.js';
import { formatBytes, formatSeconds } from '../../render/format.js';
import { TECHNIQUES, type Prediction, type TechniqueOptions } from '../../../model/types.js';
import { needsIncomingSetup } from '../../../hypervisor/qemu/technique-settings.js';
import type { MigrationRecord } from '../../../record/record.js';
import { durationArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';
import { progressReporter } from '../../progress.js';
import { timeoutIssue, uriShapeIssue } from '../../../hypervisor/qemu/migration-target.js';

interface PlannedMove {
  vm: string;
  from: string;
  to: string;
  bandwidthBytesPerSec: number;
  predicted: Prediction;
  /** `plan --advise`: the technique to migrate with. */
  technique?: TechniqueOptions;
}

function readJson(field: string, path: string): Record<string, unknown> {
  try {
    const d = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof d !== 'object' || d === null) throw new Error('not an object');
    return d;
  } catch (e) {
    throw new InputError(field, path, `must be a readable JSON object (${(e as Error).message})`);
  }
}

/** The options of `migcost execute`. */
export interface ExecuteFlags {
  plan: string;
  targets: string;
  downtimeLimit: number;
  timeout: number;
  autoConverge?: true;
  advise?: true;
  db: string;
  json?: true;
}

/** Seconds, within what a migration may be given. */
const timeoutArg = (v: string): number => {
  const s = parseDuration('--timeout', v, { needUnit: true });
  const issue = timeoutIssue(s);
  if (issue) throw new InputError('--timeout', v, issue);
  return s;
};

/**
 * `migcost execute`: runs a plan's moves one after another through the QEMU driver. Each VM is reached on
 * its QMP socket and sent to the migration URI its destination QEMU listens on (started with -incoming), as
 * the targets file says. Every outcome is sampled before, recorded in the store, and compared with the
 * prediction.
 */
export function executeCommand(): Command {
  return new Command('execute')
    .description("run a plan's moves for real through QEMU, record them, and compare predicted with measured")
    .requiredOption('--plan <file>', 'the output of `migcost plan --json`')
    .requiredOption('--targets <file>', 'how to reach each VM: {"vms": {"vm1": {"qmp": "/path/vm1.qmp", "uri": "tcp:10.0.0.2:4444"}}}')
    .addOption(parsedOption('--downtime-limit <time>', 'downtime limit', durationArg('--downtime-limit'), '300ms'))
    .addOption(parsedOption('--timeout <time>', 'cancel a move after', timeoutArg, '600s'))
    .option('--auto-converge', 'enable auto-converge')
    .option('--advise', 'migrate each move with the technique its plan move carries (`plan --advise`); over QMP a technique that needs the destination set (postcopy, xbzrle, multifd) needs its QMP socket as destQmp in the targets, its QEMU started with -incoming defer; libvirt sets both sides itself')
    .option('--db <file|url>', 'history store', defaultDbLocation())
    .option('--json', 'print JSON lines, one per move')
    .action(async (o: ExecuteFlags) => {
      try {
        const plan = readJson('--plan', o.plan);
        const targets = readJson('--targets', o.targets);
        if (!Array.isArray(plan.moves)) throw new InputError('--plan', o.plan, 'has no moves array (give it the output of `migcost plan --json`)');
        const moves = plan.moves as PlannedMove[];
        const vms = (targets.vms ?? {}) as Record<string, { qmp?: unknown; uri?: unknown; libvirt?: unknown; domain?: unknown; dest?: unknown; xml?: unknown }>;
        for (const [i, m] of moves.entries()) {
          const t = vms[m.vm];
          if (!(m.bandwidthBytesPerSec > 0)) throw new InputError(`--plan moves[${i}].bandwidthBytesPerSec`, m.bandwidthBytesPerSec, 'must be greater than 0');
          if (t && typeof t.libvirt === 'string') {
            if (typeof t.dest !== 'string') throw new InputError(`--targets vms.${m.vm}.dest`, t.dest ?? null, 'must give the destination libvirt URI');
            if (t.domain !== undefined && typeof t.domain !== 'string') throw new InputError(`--targets vms.${m.vm}.domain`, t.domain, 'must be a domain name');
            if (t.xml !== undefined && typeof t.xml !== 'string') throw new InputError(`--targets vms.${m.vm}.xml`, t.xml, 'must be a file path');
            continue;
          }
          if (!t || typeof t.qmp !== 'string' || typeof t.uri !== 'string') throw new InputError(`--targets vms.${m.vm}`, t ?? null, `must give qmp (socket path) and uri, or libvirt, domain and dest (URIs), for move ${i + 1}`);
        }
        if (o.advise) {
          for (const [i, m] of moves.entries()) {
            const t = m.technique;
            if (typeof t !== 'object' || t === null || !(TECHNIQUES as readonly string[]).includes(t.name)) throw new InputError(`--plan moves[${i}].technique`, t ?? null, `is required with --advise, one of ${TECHNIQUES.join(', ')} (make the plan with \`plan --advise\`)`);
            if (t.name === 'dirty-limit') throw new InputError(`--plan moves[${i}].technique`, t.name, "cannot be run by migcost's driver (predicted only: it needs KVM's dirty ring)");
            if (o.autoConverge && t.name !== 'auto-converge') throw new InputError('--auto-converge', true, `contradicts move ${i + 1}'s technique ${t.name} (with --advise the plan's technique decides)`);
            // libvirt sets a technique up on both sides itself (virsh migrate's flags: hypervisor/libvirt/technique-args.ts).
            if (typeof vms[m.vm].libvirt === 'string') continue;
            if (needsIncomingSetup(t) && typeof (vms[m.vm] as { destQmp?: unknown }).destQmp !== 'string') throw new InputError(`--targets vms.${m.vm}.destQmp`, undefined, `is required for technique ${t.name}: the destination QEMU's QMP socket (started with -incoming defer), to set it before the migration`);
          }
        }
        for (const m of moves) {
          if (typeof vms[m.vm].libvirt === 'string') continue;
          const t = vms[m.vm] as { qmp: string; uri: string };
          const issue = uriShapeIssue(t.uri);
          if (issue) throw new InputError(`--targets vms.${m.vm}.uri`, t.uri, issue);
          if (!t.qmp.startsWith('/')) throw new InputError(`--targets vms.${m.vm}.qmp`, t.qmp, 'must be an absolute socket path');
        }
        const downtimeLimitSec = o.downtimeLimit;
        const timeoutSec = o.timeout;
        const { QmpClient } = await import('../../../hypervisor/qemu/qmp.js');
        const { sampleAndMigrate } = await import('../../../hypervisor/qemu/sample-and-migrate.js');
        const { QUICK_WINDOWS_SEC } = await import('../../../hypervisor/qemu/windows.js');
        const { withInterruptsDeferred } = await import('../../../hypervisor/qemu/migration-settings.js');
        const { openStore } = await import('../../../store/store.js');
        const store = await openStore(o.db);
        const progress = progressReporter('moves', !o.json);
        const table = new Table({ head: ['vm', 'from -> to', 'status', 'time (pred / meas)', 'sent (pred / meas)', 'downtime (pred / meas)'], style: { head: [], border: [] } });
        let failures = 0;
        const report = async (m: PlannedMove, rec: MigrationRecord, sourceStatus: string): Promise<void> => {
          await store.recordMigration(rec);
          if (rec.measured.status !== 'completed') failures++;
          const p = m.predicted;
          const mm = rec.measured;
          if (o.json) process.stdout.write(`${JSON.stringify({ vm: m.vm, from: m.from, to: m.to, predicted: p, measured: mm, sourceStatus })}\n`);
          else table.push([m.vm, `${m.from} -> ${m.to}`, mm.status, `${formatSeconds(p.totalTimeSec)} / ${formatSeconds(mm.totalTimeSec)}`, `${formatBytes(p.transferredBytes)} / ${formatBytes(mm.transferredBytes)}`, `${formatSeconds(p.downtimeSec)} / ${mm.status === 'completed' ? formatSeconds(mm.downtimeSec) : '-'}`]);
        };
        // An interrupt cancels the move in progress (recorded as cancelled) and restores the VM's settings.
        await withInterruptsDeferred(async (signal) => {
          try {
            for (const [i, m] of moves.entries()) {
              if (signal.aborted) break;
              progress.update(i, moves.length);
              const lv = vms[m.vm] as { libvirt?: string; domain?: string; dest?: string; xml?: string };
              if (lv.libvirt !== undefined) {
                const { Virsh } = await import('../../../hypervisor/libvirt/virsh.js');
                const { sampleAndMigrateDomain } = await import('../../../hypervisor/libvirt/sample-and-migrate.js');
                const lvTechnique = o.advise ? m.technique : undefined;
                const r = await sampleAndMigrateDomain({
                  source: new Virsh(lv.libvirt),
                  domain: lv.domain ?? m.vm,
                  destinationUri: lv.dest!,
                  xmlFile: lv.xml,
                  sampling: { windowsSec: [1] },
                  config: (sample) => ({ memoryBytes: sample.memoryBytes, workload: 'external', params: { vm: m.vm.replace(/[^\w.-]/g, '_'), from: m.from, to: m.to }, bandwidthBytesPerSec: m.bandwidthBytesPerSec, downtimeLimitSec, autoConverge: o.autoConverge === true || lvTechnique?.name === 'auto-converge', timeoutSec, ...(lvTechnique ? { technique: lvTechnique } : {}) }),
                  predict: () => ({ plan: m.predicted }),
                  signal,
                });
                await report(m, r.record, r.domainOn === 'source' ? 'running' : 'migrated');
                continue;
              }
              const t = vms[m.vm] as { qmp: string; uri: string; destQmp?: string };
              const qmp = await QmpClient.connect(t.qmp, { retry: false });
              const technique = o.advise ? m.technique : undefined;
              const { prepareIncoming, finishIncoming } = await import('../../../hypervisor/qemu/technique-settings.js');
              // What readying the destination changed there, put back once the move ends, whatever its outcome.
              let incoming: Awaited<ReturnType<typeof prepareIncoming>> | undefined;
              const finish = async (readBlocktime: boolean): Promise<number | undefined> => {
                const changes = incoming;
                incoming = undefined;
                if (!changes || !t.destQmp) return undefined;
                const dst = await QmpClient.connect(t.destQmp, { retry: false }).catch(() => undefined);
                if (!dst) return undefined;
                try {
                  return await finishIncoming(dst, changes, readBlocktime);
                } finally {
                  dst.close();
                }
              };
              try {
                const r = await sampleAndMigrate({
                  source: qmp,
                  destination: technique && needsIncomingSetup(technique)
                    ? async () => {
                        const dst = await QmpClient.connect(t.destQmp!, { retry: false });
                        try {
                          incoming = await prepareIncoming(dst, technique, t.uri);
                        } finally {
                          dst.close();
                        }
                        return t.uri;
                      }
                    : t.uri,
                  sampling: { windowsSec: QUICK_WINDOWS_SEC, zeroPages: false },
                  config: (sample) => ({ memoryBytes: sample.memoryBytes, workload: 'external', params: { vm: m.vm.replace(/[^\w.-]/g, '_'), from: m.from, to: m.to }, bandwidthBytesPerSec: m.bandwidthBytesPerSec, downtimeLimitSec, autoConverge: o.autoConverge === true || technique?.name === 'auto-converge', timeoutSec, ...(technique ? { technique } : {}) }),
                  predictions: { given: { plan: m.predicted } },
                  signal,
                });
                const done = r.record.measured;
                // post-copy: the destination's measured stall, for `lab calibrate`'s fault latency.
                const sec = await finish(technique?.name === 'postcopy' && done.status === 'completed' && (done.postcopyPhaseSec ?? 0) > 0);
                if (sec !== undefined) done.postcopyBlocktimeSec = sec;
                await report(m, r.record, r.sourceStatus);
              } finally {
                await finish(false);
                qmp.close();
              }
            }
          } finally {
            await store.close();
          }
        });
        progress.done(`${moves.length} moves, ${failures} did not complete; recorded in ${o.db.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`);
        if (!o.json) process.stdout.write(`${table.toString()}\n`);
        if (failures > 0) process.exitCode = 1;
      } catch (e) {
        exitWithError(e);
      }
    });
}
