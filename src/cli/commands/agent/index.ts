/** `migcost agent`: samples this host's QEMU VMs every --interval and posts the samples to `migcost serve`. */
import { Command } from 'commander';
import { InputError, parseDuration } from '../../../units.js';
import { formatSeconds } from '../../render/format.js';
import { durationArg, durationListArg, listArg, numberArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';

export interface AgentFlags {
  qmp: string[];
  vmId: string[];
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
    .description("sample this host's QEMU VMs on a schedule and post the samples to a migcost service (buffers while it is down)")
    .addOption(parsedOption('--qmp <sockets>', 'QMP unix sockets, comma-separated', listArg).makeOptionMandatory())
    .addOption(parsedOption('--vm-id <ids>', 'the VMs\' ids in the store, comma-separated, one per socket', vmIds).makeOptionMandatory())
    .addOption(parsedOption('--service <url>', 'the service, e.g. http://127.0.0.1:8080', url).makeOptionMandatory())
    .option('--token <token>', 'bearer token of the service (default $MIGCOST_TOKEN)')
    .addOption(parsedOption('--interval <time>', 'time between samples', durationArg('--interval'), '60s'))
    .addOption(parsedOption('--windows <list>', 'sampling windows', windows, '50ms,250ms,1s'))
    .addOption(parsedOption('--max-buffer <n>', 'samples held while the service is down (oldest dropped beyond)', numberArg('--max-buffer', { min: 1, integer: true }), '10000'))
    .option('--spool <file>', 'also keep unsent samples in this JSONL file (read back on restart)')
    .action(async (o: AgentFlags) => {
      try {
        if (o.qmp.length !== o.vmId.length) throw new InputError('--vm-id', o.vmId.join(','), `must name one VM per --qmp socket (${o.qmp.length} sockets, ${o.vmId.length} ids)`);
        const token = o.token || process.env.MIGCOST_TOKEN;
        if (!token) throw new InputError('--token', undefined, 'is required (or set MIGCOST_TOKEN): the token `migcost serve` printed');
        const { Agent, qmpSampler } = await import('../../../agent/agent.js');
        const agent = new Agent({
          vms: o.vmId.map((id, i) => ({ id, qmp: o.qmp[i] })),
          serviceUrl: o.service.toString(),
          token,
          intervalSec: o.interval,
          sampler: qmpSampler(o.windows),
          maxBuffer: o.maxBuffer,
          spoolFile: o.spool,
          log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
        });
        agent.start();
        process.stderr.write(`migcost agent: ${o.vmId.length} VMs every ${formatSeconds(o.interval)} -> ${o.service}\n`);
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
