/** `migcost agent`: samples this host's QEMU VMs every --interval and posts the samples to `migcost serve`. */
import { Command } from 'commander';
import { InputError, parseDuration } from '../../../units.js';
import { formatSeconds } from '../../render/format.js';
import { durationArg, durationListArg, listArg, numberArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';
import type { AgentVm, Sampler } from '../../../agent/agent.js';

export interface AgentFlags {
  qmp?: string[];
  libvirt?: string;
  domain?: string[];
  allowQmpPassthrough?: true;
  vmId?: string[];
  service: URL;
  token?: string;
  interval: number;
  windows: number[];
  maxBuffer: number;
  spool?: string;
}

const url = (v: string): URL => {
  try {
    return new URL(v);
  } catch {
    throw new InputError('--service', v, 'must be a URL such as http://127.0.0.1:8080');
  }
};
const vmIds = (v: string): string[] => {
  const ids = listArg(v);
  for (const id of ids) if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) throw new InputError('--vm-id', id, 'must be 1-128 letters, digits, _ . : -');
  return ids;
};
const windows = durationListArg('--windows');

export function agentCommand(): Command {
  return new Command('agent')
    .description("sample this host's QEMU VMs (QMP sockets or libvirt domains) on a schedule and post the samples to a migcost service (buffers while it is down)")
    .addOption(parsedOption('--qmp <sockets>', 'QMP unix sockets, comma-separated (or --libvirt with --domain)', listArg))
    .option('--libvirt <uri>', "a libvirt connection URI (e.g. qemu:///system): sample its domains with libvirt's own calls")
    .addOption(parsedOption('--domain <names>', 'with --libvirt: the domains, comma-separated', listArg))
    .option('--allow-qmp-passthrough', "with --libvirt: sample through QEMU's monitor via libvirt (qemu-monitor-command), with sub-second windows; libvirt marks the domains tainted")
    .addOption(parsedOption('--vm-id <ids>', "the VMs' ids in the store, comma-separated, one per socket or domain (default with --libvirt: the domains' names)", vmIds))
    .addOption(parsedOption('--service <url>', 'the service, e.g. http://127.0.0.1:8080', url).makeOptionMandatory())
    .option('--token <token>', 'bearer token of the service (default $MIGCOST_TOKEN)')
    .addOption(parsedOption('--interval <time>', 'time between samples', durationArg('--interval'), '60s'))
    .addOption(parsedOption('--windows <list>', 'sampling windows (with --libvirt and no pass-through: whole seconds, default 1s)', windows, '50ms,250ms,1s'))
    .addOption(parsedOption('--max-buffer <n>', 'samples held while the service is down (oldest dropped beyond)', numberArg('--max-buffer', { min: 1, integer: true }), '10000'))
    .option('--spool <file>', 'also keep unsent samples in this JSONL file (read back on restart)')
    .action(async (o: AgentFlags, cmd: Command) => {
      try {
        const token = o.token || process.env.MIGCOST_TOKEN;
        if (!token) throw new InputError('--token', undefined, 'is required (or set MIGCOST_TOKEN): the token `migcost serve` printed');
        const { vms, sampler } = await agentVms(o, cmd.getOptionValueSource('windows') === 'default');
        const { Agent } = await import('../../../agent/agent.js');
        const agent = new Agent({
          vms,
          serviceUrl: o.service.toString(),
          token,
          intervalSec: o.interval,
          sampler,
          maxBuffer: o.maxBuffer,
          spoolFile: o.spool,
          log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
        });
        agent.start();
        process.stderr.write(`migcost agent: ${vms.length} VMs every ${formatSeconds(o.interval)} -> ${o.service}\n`);
        const stop = () => void agent.stop().then(() => {
          process.stderr.write(`migcost agent: stopped (${JSON.stringify({ ...agent.stats, pending: agent.pending })})\n`);
          process.exit(0);
        });
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      } catch (e) {
        exitWithError(e);
      }
    });
}

/** The VMs to sample and how: QMP sockets, or a libvirt connection's domains. */
async function agentVms(o: AgentFlags, defaultWindows: boolean): Promise<{ vms: AgentVm[]; sampler: Sampler }> {
  const { qmpSampler, libvirtSampler } = await import('../../../agent/agent.js');
  if ((o.qmp === undefined) === (o.libvirt === undefined)) throw new InputError('--qmp', o.qmp?.join(',') ?? '', 'give exactly one of --qmp SOCKETS or --libvirt URI --domain NAMES');
  if (o.qmp !== undefined) {
    if (o.domain !== undefined) throw new InputError('--domain', o.domain.join(','), 'goes with --libvirt, not --qmp');
    if (o.allowQmpPassthrough) throw new InputError('--allow-qmp-passthrough', 'true', 'goes with --libvirt, not --qmp');
    const qmp = o.qmp;
    if (o.vmId === undefined || qmp.length !== o.vmId.length) throw new InputError('--vm-id', o.vmId?.join(',') ?? '', `must name one VM per --qmp socket (${qmp.length} sockets, ${o.vmId?.length ?? 0} ids)`);
    return { vms: o.vmId.map((id, i) => ({ id, qmp: qmp[i] })), sampler: qmpSampler(o.windows) };
  }
  if (o.domain === undefined || o.domain.length === 0) throw new InputError('--domain', '', 'is required with --libvirt (comma-separated domain names)');
  const domains = o.domain;
  for (const d of domains) if (d.length > 256 || /[\x00-\x1f\x7f]/.test(d)) throw new InputError('--domain', d, 'is not a libvirt domain name (1-256 printable characters)');
  const ids = o.vmId ?? vmIds(domains.join(','));
  if (ids.length !== domains.length) throw new InputError('--vm-id', ids.join(','), `must name one VM per --domain (${domains.length} domains, ${ids.length} ids)`);
  let windowsSec = o.windows;
  if (!o.allowQmpPassthrough) {
    if (defaultWindows) windowsSec = [1];
    for (const [i, w] of windowsSec.entries()) if (!Number.isInteger(w) || w < 1 || w > 60) throw new InputError(`--windows[${i}]`, `${w}s`, 'libvirt measures whole seconds (1s to 60s); sub-second windows need --allow-qmp-passthrough');
  }
  return { vms: ids.map((id, i) => ({ id, libvirt: { uri: o.libvirt!, domain: domains[i] } })), sampler: libvirtSampler(windowsSec, o.allowQmpPassthrough === true) };
}
