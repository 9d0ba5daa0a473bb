import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { parseNumber } from '../../../units.js';
import { defaultDbLocation } from '../../../store/location.js';
import { exitWithError } from '../../errors.js';

/** The options of `migcost serve` as commander gives them. */
export interface ServeFlags {
  host: string;
  port: string;
  db: string;
  token?: string;
  web?: string;
  log?: true;
  allowDest?: string;
}

/** `migcost serve`: the HTTP API, its OpenAPI at /docs and the dashboard at /, over the CLI's store. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('the HTTP API (/v1/...; OpenAPI at /docs), the dashboard at / and Prometheus /metrics')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port', '8080')
    .option('--db <file|url>', 'history store (SQLite file or postgres:// URL)', defaultDbLocation())
    .option('--token <token>', 'bearer token for the routes that change state (default $MIGCOST_TOKEN, else a new one printed on stderr)')
    .option('--web <dir>', 'folder of the built dashboard (default web/dist)')
    .option('--log', 'log every request (JSON lines on stdout)')
    .option('--allow-dest <file>', 'targets file ({"vms": {"vm1": {"qmp": "/run/vm1.qmp", "uri": "tcp:10.0.0.2:4444"}}}, optionally "destinations" and "qmpSockets" lists): the only QMP sockets and migration URIs POST /v1/execute may use (without it, none)')
    .action(async (o: ServeFlags) => {
      try {
        const port = parseNumber('--port', o.port, { min: 0, max: 65535, integer: true });
        let token = o.token ? o.token : process.env.MIGCOST_TOKEN || undefined;
        const generated = token === undefined;
        token ??= randomBytes(24).toString('base64url');
        const { allowedTargetsFromFile } = await import('../../../hypervisor/qemu/migration-target.js');
        const allowedTargets = o.allowDest !== undefined ? allowedTargetsFromFile(o.allowDest) : undefined;
        const { openStore } = await import('../../../store/store.js');
        const { serve } = await import('../../../http/serve.js');
        const store = await openStore(o.db);
        const s = await serve({ host: o.host, port, store, token, logger: o.log === true, webRoot: o.web, allowedTargets });
        process.stderr.write(`migcost serving on ${s.url} (store ${store.location}; docs ${s.url}/docs)\n`);
        if (generated) process.stderr.write(`token (no --token or MIGCOST_TOKEN given): ${token}\n`);
        const stop = () => void s.close().then(() => store.close()).then(() => process.exit(0));
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      } catch (e) {
        exitWithError(e);
      }
    });
}
