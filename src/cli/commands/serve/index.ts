import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { InputError, parseNumber } from '../../../units.js';
import { defaultDbLocation } from '../../../store/location.js';
import { exitWithError } from '../../errors.js';

/** Shortest token accepted (a generated one is 32 characters). */
export const MIN_TOKEN_LENGTH = 16;

/**
 * The bearer token: --token-file (first line), else --token, else $MIGCOST_TOKEN; `undefined` when none is given.
 * The file or the environment keep it out of `ps`.
 */
function givenToken(o: Record<string, unknown>): { token: string; from: string } | undefined {
  if (typeof o.tokenFile === 'string') {
    let text: string;
    try {
      text = readFileSync(o.tokenFile, 'utf8');
    } catch (e) {
      throw new InputError('--token-file', o.tokenFile, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return { token: text.split('\n')[0].trim(), from: '--token-file' };
  }
  if (typeof o.token === 'string' && o.token) return { token: o.token, from: '--token' };
  if (process.env.MIGCOST_TOKEN) return { token: process.env.MIGCOST_TOKEN, from: 'MIGCOST_TOKEN' };
  return undefined;
}

const collect = (v: string, acc: string[]) => [...acc, v];

/** `migcost serve`: the HTTP API, its OpenAPI at /docs and the dashboard at /, over the CLI's store. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('the HTTP API (/v1/...; OpenAPI at /docs), the dashboard at / and Prometheus /metrics')
    .option('--host <addr>', 'address to listen on; beyond loopback a token must be given (--token-file or MIGCOST_TOKEN)', '127.0.0.1')
    .option('--port <n>', 'port', '8080')
    .option('--db <file|url>', 'history store (SQLite file or postgres:// URL)', defaultDbLocation())
    .option('--token-file <file>', `file whose first line is the bearer token for the routes that change state (at least ${MIN_TOKEN_LENGTH} characters)`)
    .option('--token <token>', 'the token itself (shows in ps: prefer --token-file or $MIGCOST_TOKEN; default a new one printed on stderr, loopback only)')
    .option('--allowed-host <name>', 'a Host header name to answer besides localhost, 127.0.0.1, [::1] (repeatable; name or name:port)', collect, [] as string[])
    .option('--web <dir>', 'folder of the built dashboard (default web/dist)')
    .option('--log', 'log every request (JSON lines on stdout; errors are always logged on stderr)')
    .option('--allow-dest <file>', 'targets file ({"vms": {"vm1": {"qmp": "/run/vm1.qmp", "uri": "tcp:10.0.0.2:4444"}}}, optionally "destinations" and "qmpSockets" lists): the only QMP sockets and migration URIs POST /v1/execute may use (without it, none)')
    .option('--allow-libvirt-domain <name@uri>', 'a libvirt domain POST /v1/execute may migrate and POST /v1/jobs follow, NAME@URI (repeatable; also the targets file\'s libvirt.domains)', collect, [] as string[])
    .option('--allow-libvirt-dest <uri>', 'a libvirt connection POST /v1/execute may migrate to (repeatable; also the targets file\'s libvirt.destinations)', collect, [] as string[])
    .action(async (o: Record<string, unknown>) => {
      try {
        const port = parseNumber('--port', o.port, { min: 0, max: 65535, integer: true });
        const host = String(o.host);
        const given = givenToken(o);
        const { isLoopback } = await import('../../../http/serve.js');
        if (!given && !isLoopback(host)) {
          throw new InputError('--host', host, `is beyond loopback: give a token (--token-file, or MIGCOST_TOKEN) of at least ${MIN_TOKEN_LENGTH} characters, so that no one else on the network can change state`);
        }
        if (given && given.token.length < MIN_TOKEN_LENGTH) throw new InputError(given.from, `${given.token.length} characters`, `is too short: a token needs at least ${MIN_TOKEN_LENGTH} characters`);
        const token = given?.token ?? randomBytes(24).toString('base64url');
        const { allowedTargetsFromFile } = await import('../../../hypervisor/qemu/migration-target.js');
        const { allowedFromFlags } = await import('../../../hypervisor/libvirt/migration-target.js');
        const fromFile = typeof o.allowDest === 'string' ? allowedTargetsFromFile(o.allowDest) : undefined;
        const allowedTargets = allowedFromFlags(fromFile, o.allowLibvirtDomain as string[], o.allowLibvirtDest as string[]);
        const { openStore } = await import('../../../store/store.js');
        const { serve } = await import('../../../http/serve.js');
        const store = await openStore(String(o.db));
        const allowedHosts = o.allowedHost as string[];
        const s = await serve({ host, port, store, token, allowedHosts, logger: o.log === true, webRoot: typeof o.web === 'string' ? o.web : undefined, allowedTargets });
        const wildcard = s.address.address === '0.0.0.0' || s.address.address === '::';
        const reach = wildcard ? `every interface; clients send Host localhost${allowedHosts.length ? ` or ${allowedHosts.join(', ')}` : ' (add --allowed-host NAME for the names they use)'}` : `docs ${s.url}/docs`;
        process.stderr.write(`migcost serving on ${s.url} (store ${store.location}; ${reach})\n`);
        if (!given) process.stderr.write(`token (no --token or MIGCOST_TOKEN given): ${token}\n`);
        const stop = () => void s.close().then(() => store.close()).then(() => process.exit(0));
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      } catch (e) {
        exitWithError(e);
      }
    });
}
