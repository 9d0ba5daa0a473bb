/**
 * Leaving a VM as migcost found it. Every migration migcost starts (the pseudo-migration of sampling as well
 * as a real move) changes capabilities and parameters that stay set in QEMU afterwards: a later migration by a
 * tool that does not set them all (a plain QMP or HMP `migrate`) would inherit `pause-before-switchover` and
 * stop in pre-switchover, the guest paused. So they are read first and put back afterwards — after success,
 * failure, time-out and interruption — and nothing starts while another migration is active.
 */
import { QmpDisconnectedError, type Monitor, type QueryMigrate } from './qmp.js';

/** Auto-converge's own parameters: the sampler's throttle probe sets them (throttle-probe.ts). */
export const AUTO_CONVERGE_PARAMETERS = ['throttle-trigger-threshold', 'cpu-throttle-initial', 'cpu-throttle-increment', 'max-cpu-throttle'] as const;

/**
 * The capabilities and parameters migcost's migrations set: the pre-copy driver's, and each technique's
 * (migrate.ts `techniqueSettings`). A capability or technique parameter this QEMU does not know is neither read
 * nor put back.
 */
export const TOUCHED_CAPABILITIES = ['events', 'auto-converge', 'pause-before-switchover', 'postcopy-ram', 'xbzrle', 'multifd'] as const;
export const TOUCHED_PARAMETERS = ['max-bandwidth', 'downtime-limit', 'xbzrle-cache-size', 'multifd-channels', 'multifd-compression', 'max-postcopy-bandwidth', 'avail-switchover-bandwidth', ...AUTO_CONVERGE_PARAMETERS] as const;
/** The parameters every QEMU migcost drives has; the others are optional. */
const REQUIRED_PARAMETERS: readonly string[] = ['max-bandwidth', 'downtime-limit'];

export interface MigrationSettings {
  capabilities: Partial<Record<(typeof TOUCHED_CAPABILITIES)[number], boolean>>;
  parameters: Partial<Record<(typeof TOUCHED_PARAMETERS)[number], number | string>>;
}

/** Migration states in which no new migration may start and settings cannot change. */
const IDLE = new Set(['none', 'completed', 'failed', 'cancelled']);

/** A migration is already running on the VM: migcost will not start one, nor sample. */
export class MigrationActiveError extends Error {
  override name = 'MigrationActiveError';
  /** The CLI answers a busy VM as bad input (exit 2). */
  readonly badInput = true;
  constructor(readonly status: string) {
    super(`a migration is already ${status} on this VM: migcost will not sample or migrate it until it ends`);
  }
}

/** The settings could not be put back: the VM may pause a later migration before its switch-over. */
export class MigrationSettingsError extends Error {
  override name = 'MigrationSettingsError';
}

export function isMigrationActive(q: QueryMigrate): boolean {
  return !IDLE.has(q.status ?? 'none');
}

/** Throws MigrationActiveError when a migration is running on the VM. */
export async function refuseIfMigrating(qmp: Monitor): Promise<void> {
  const q = await qmp.queryMigrate();
  if (isMigrationActive(q)) throw new MigrationActiveError(q.status ?? 'active');
}

/** Reads the capabilities and parameters migcost touches. */
export async function readMigrationSettings(qmp: Monitor): Promise<MigrationSettings> {
  const caps = await qmp.execute<{ capability: string; state: boolean }[]>('query-migrate-capabilities');
  const params = await qmp.execute<Record<string, unknown>>('query-migrate-parameters');
  const capabilities: MigrationSettings['capabilities'] = {};
  for (const c of TOUCHED_CAPABILITIES) {
    const found = caps.find((x) => x.capability === c);
    // The driver's own three are always put back (a QEMU reports every capability it knows).
    if (found || c === 'events' || c === 'auto-converge' || c === 'pause-before-switchover') capabilities[c] = found?.state === true;
  }
  const parameters: MigrationSettings['parameters'] = {};
  for (const p of TOUCHED_PARAMETERS) {
    const v = params[p];
    if (typeof v === 'number' || (typeof v === 'string' && !REQUIRED_PARAMETERS.includes(p))) parameters[p] = v;
    else if (REQUIRED_PARAMETERS.includes(p)) throw new MigrationSettingsError(`query-migrate-parameters has no ${p}`);
  }
  return { capabilities, parameters };
}

/** Waits (up to `timeoutMs`) for a migration being cancelled to end: settings cannot change before. */
async function waitIdle(qmp: Monitor, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const q = await qmp.queryMigrate();
    if (!isMigrationActive(q)) return;
    if (Date.now() > deadline) throw new MigrationSettingsError(`the migration is still ${q.status} after ${timeoutMs} ms: settings not restored`);
    if (q.status !== 'cancelling') await qmp.execute('migrate_cancel').catch(() => {});
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Puts the settings back (cancelling a migration still running first). A VM that is gone has nothing to restore. */
export async function restoreMigrationSettings(qmp: Monitor, s: MigrationSettings, timeoutMs = 30_000): Promise<void> {
  try {
    await waitIdle(qmp, timeoutMs);
    // Off first, then on: QEMU checks each set as a whole (multifd with xbzrle, postcopy with multifd are refused).
    const caps = TOUCHED_CAPABILITIES.filter((c) => s.capabilities[c] !== undefined);
    await qmp.execute('migrate-set-capabilities', { capabilities: caps.map((c) => ({ capability: c, state: false })) });
    const on = caps.filter((c) => s.capabilities[c] === true);
    if (on.length > 0) await qmp.execute('migrate-set-capabilities', { capabilities: on.map((c) => ({ capability: c, state: true })) });
    await qmp.execute('migrate-set-parameters', { ...s.parameters });
  } catch (e) {
    if (e instanceof QmpDisconnectedError) return;
    if (e instanceof MigrationSettingsError) throw e;
    throw new MigrationSettingsError(`could not restore the VM's migration settings: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Runs `fn` (which may change the touched settings) and restores them afterwards, whatever happens.
 * Refuses to start while a migration is active.
 */
export async function withMigrationSettings<T>(qmp: Monitor, fn: () => Promise<T>): Promise<T> {
  await refuseIfMigrating(qmp);
  const saved = await readMigrationSettings(qmp);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await restoreMigrationSettings(qmp, saved).catch(() => {});
    throw e;
  }
  await restoreMigrationSettings(qmp, saved);
  return result;
}

const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * For a command-line run: while `fn` runs, SIGINT and SIGTERM abort its signal instead of killing the process,
 * so the migration in progress is cancelled and the settings restored; then the signal is raised again
 * (handlers removed: the process ends as the signal says, exit status 128 + its number).
 */
export async function withInterruptsDeferred<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let caught: NodeJS.Signals | undefined;
  const on = (sig: NodeJS.Signals) => () => {
    if (caught) return;
    caught = sig;
    ac.abort(new Error(`interrupted (${sig})`));
  };
  const handlers = { SIGINT: on('SIGINT'), SIGTERM: on('SIGTERM') };
  for (const [s, h] of Object.entries(handlers)) process.on(s, h);
  try {
    return await fn(ac.signal);
  } finally {
    for (const [s, h] of Object.entries(handlers)) process.off(s, h);
    if (caught) {
      const code = 128 + SIGNAL_NUMBERS[caught as keyof typeof SIGNAL_NUMBERS];
      process.stderr.write(`migcost: interrupted (${caught})\n`);
      // Raised again with no handler left, the signal ends the process; exit with its status should it not.
      setTimeout(() => process.exit(code), 1000);
      process.kill(process.pid, caught);
      await new Promise(() => {});
    }
  }
}
