import { Command } from 'commander';
import { parseNumber } from '../../units.js';
import { exitWithError } from '../errors.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('the HTTP API: /v1/predict, /v1/predict/batch, /v1/plan, /v1/health, /metrics (Prometheus)')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port', '8080')
    .action(async (o: Record<string, unknown>) => {
      try {
        const { serve } = await import('../../http/serve.js');
        const s = await serve({ host: String(o.host), port: parseNumber('--port', o.port, { min: 0, max: 65535, integer: true }) });
        process.stderr.write(`migcost serving on ${s.url}\n`);
        const stop = () => void s.close().then(() => process.exit(0));
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      } catch (e) {
        exitWithError(e);
      }
    });
}
