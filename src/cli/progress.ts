import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  done(summary: string): void;
  stop(): void;
}

/**
 * Progress on stderr: a bar on a terminal, a quiet line every few seconds otherwise.
 * `quiet` turns it off (e.g. when stdout is the data and stderr is a terminal the user reads anyway).
 */
export function progressReporter(unit: string, enabled = true): Progress {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  const started = Date.now();
  return {
    update(done, total) {
      if (!enabled) return;
      if (tty && total !== undefined) {
        if (!bar) {
          bar = new cliProgress.SingleBar({ format: `{bar} {value}/{total} ${unit} | {eta_formatted} left`, stream: process.stderr }, cliProgress.Presets.shades_classic);
          bar.start(total, done);
        }
        bar.update(done);
        return;
      }
      const now = Date.now();
      if (now - lastLine >= (tty ? 500 : 5000)) {
        lastLine = now;
        const rate = done / Math.max(1e-3, (now - started) / 1000);
        process.stderr.write(`${tty ? '\r' : ''}${done}${total !== undefined ? `/${total}` : ''} ${unit} (${Math.round(rate)}/s)${tty ? '' : '\n'}`);
      }
    },
    done(summary) {
      bar?.stop();
      if (enabled) process.stderr.write(`${tty && !bar ? '\r' : ''}${summary} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}
