/**
 * Running the built CLI (`bin/migcost.js`, after `npm run build`) from tests: `runCli` waits for it and answers
 * its exit code and output; `spawnCli` lets the test signal it while it runs (interruption tests).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/migcost.js', import.meta.url));

/** Runs the CLI to its end, `input` on its standard input. */
export function runCli(args: readonly string[], input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts the CLI; `onSpawn` gets a way to signal it. Resolves with how it ended and its standard error. */
export function spawnCli(args: readonly string[], onSpawn?: (kill: (s: NodeJS.Signals) => void) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args]);
    let e = '';
    p.stderr.on('data', (d) => (e += d));
    p.stdout.resume();
    p.on('exit', (code, signal) => resolve({ code, signal, err: e }));
    onSpawn?.((s) => p.kill(s));
  });
}
