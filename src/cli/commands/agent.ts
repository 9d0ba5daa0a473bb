import { Command } from 'commander';
import { InputError, parseDuration, parseNumber } from '../../units.js';
import { exitWithError } from '../errors.js';

/** `migcost agent`: samples this host's QEMU VMs every --interval and posts the samples to `migcost serve`. */
export function agentCommand(): Command {
  return new Command('agent')
    .description("sample this host's QEMU VMs on a schedule and post the samples to a migcost service (buffers while it is down)")
    .requiredOption('--qmp <sockets>', 'QMP unix sockets, comma-separated')
    .requiredOption('--vm-id <ids>', 'the VMs\' ids in the store, comma-separated, one per socket')
    .requiredOption('--service <url>', 'the service, e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'bearer token of the service (default $MIGCOST_TOKEN)')
    .option('--interval <time>', 'time between samples', '60s')
    .option('--windows <list>', 'sampling windows', '50ms,250ms,1s')
    .option('--max-buffer <n>', 'samples held while the service is down (oldest dropped beyond)', '10000')
    .option('--spool <file>', 'also keep unsent samples in this JSONL file (read back on restart)')
    .action(async (o: Record<string, unknown>) => {
      try {
        const sockets = String(o.qmp).split(',').map((s) => s.trim()).filter(Boolean);
        const ids = String(o.vmId).split(',').map((s) => s.trim()).filter(Boolean);
        if (sockets.length !== ids.length) throw new InputError('--vm-id', o.vmId, `must name one VM per --qmp socket (${sockets.length} sockets, ${ids.length} ids)`);
        for (const id of ids) if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) throw new InputError('--vm-id', id, 'must be 1-128 letters, digits, _ . : -');
        const token = typeof o.token === 'string' && o.token ? o.token : process.env.MIGCOST_TOKEN;
        if (!token) throw new InputError('--token', undefined, 'is required (or set MIGCOST_TOKEN): the token `migcost serve` printed');
        let service: URL;
        try {
          service = new URL(String(o.service));
        } catch {
          throw new InputError('--service', o.service, 'must be a URL such as http://127.0.0.1:8080');
        }
        const windows = String(o.windows).split(',').map((w, i) => parseDuration(`windows[${i}]`, w.trim()));
        const { Agent, qmpSampler } = await import('../../agent/agent.js');
        const agent = new Agent({
          vms: ids.map((id, i) => ({ id, qmp: sockets[i] })),
          serviceUrl: service.toString(),
          token,
          intervalSec: parseDuration('--interval', o.interval),
          sampler: qmpSampler(windows),
          maxBuffer: parseNumber('--max-buffer', o.maxBuffer, { min: 1, integer: true }),
          spoolFile: typeof o.spool === 'string' ? o.spool : undefined,
          log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
        });
        agent.start();
        process.stderr.write(`migcost agent: ${ids.length} VMs every ${o.interval} -> ${service}\n`);
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
