/** `migcost worker --queue postgres://...`: runs queued sweep runs (pg-boss jobs) on this machine's cores until stopped. */
import { Command } from 'commander';
import { startQueueWorker } from '../../../sweep/queue.js';
import { defaultWorkers } from '../../../sweep/sweep.js';
import { InputError } from '../../../units.js';
import { durationArg, numberArg, parsedOption } from '../../options.js';
import { exitWithError } from '../../errors.js';

interface WorkerFlags {
  queue: string;
  workers: number;
  jobTimeout: number;
  quiet?: true;
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('run the sweep runs queued by `migcost sweep --queue` on this machine, storing each result in the same database; stops on Ctrl-C (SIGINT) or SIGTERM')
    .requiredOption('--queue <postgres-url>', 'the PostgreSQL database holding the queue and the results')
    .addOption(parsedOption('--workers <n>', 'runs at once, one worker thread each (default: the cores)', numberArg('--workers', { integer: true, min: 1 }), String(defaultWorkers())))
    .addOption(parsedOption('--job-timeout <time>', 'only when this worker creates the queue: a job running longer (or whose worker died) is retried', durationArg('--job-timeout'), '15min'))
    .option('--quiet', 'no line per finished run on stderr')
    .action(async (o: WorkerFlags) => {
      try {
        if (!/^postgres(ql)?:\/\//.test(o.queue)) throw new InputError('--queue', o.queue, 'must be a postgres:// URL (the database `sweep --queue` enqueued on)');
        const w = await startQueueWorker(o.queue, {
          threads: o.workers,
          jobTimeoutSec: o.jobTimeout,
          ...(process.env.MIGCOST_QUEUE_MAINTENANCE_SEC ? { maintenanceSec: Number(process.env.MIGCOST_QUEUE_MAINTENANCE_SEC) } : {}),
          onRun: (key, stored) => {
            if (!o.quiet) process.stderr.write(`worker: run ${key.slice(0, 12)} ${stored ? 'stored' : 'was stored already'}\n`);
          },
        });
        process.stderr.write(`worker: ${o.workers} threads on the queue; Ctrl-C stops\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await w.stop();
        process.stderr.write(`worker: ${w.done} runs done\n`);
      } catch (e) {
        exitWithError(e);
      }
    });
}
