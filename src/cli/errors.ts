import { InputError } from '../units.js';

/** Exit codes: 1 = the job failed, 2 = bad input. */
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** Prints an error people can act on and exits; never returns. */
export function exitWithError(e: unknown): never {
  const bad = e instanceof InputError || e instanceof RangeError || (e as { badInput?: unknown })?.badInput === true;
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`migcost: ${msg}\n`);
  if (process.env.MIGCOST_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exit(bad ? EXIT_BAD_INPUT : EXIT_FAILURE);
}
