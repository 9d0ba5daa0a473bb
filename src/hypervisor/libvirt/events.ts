/**
 * A domain's events during a migration, from `virsh event --domain D --all --loop --timestamp` (argument array; one
 * child process, stopped by its handle): QEMU's passes (`migration-iteration`), the lifecycle changes (the source's
 * `Suspended Post-copy` is the switch to post-copy) and the `job-completed` statistics — the one place a transient
 * domain's completed job survives on the source, and what the destination no longer has after post-copy
 * (LIBVIRT-NOTES §3). Each line carries virsh's arrival time; the parsing is strict about the lines it reads and
 * skips the event types it does not use.
 */
import { spawn } from 'node:child_process';
import type { JobStats, Virsh } from './virsh.js';

export type DomainEvent =
  | { kind: 'iteration'; atMs: number; iteration: number }
  | { kind: 'lifecycle'; atMs: number; event: string; detail: string }
  | { kind: 'job-completed'; atMs: number; stats: JobStats };

const STAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(\d{2}): (.*)$/;

/** A `--timestamp` line: when it arrived (ms since the epoch) and the rest; undefined for a line without one. */
export function splitStamp(line: string): { atMs: number; text: string } | undefined {
  const m = STAMP.exec(line);
  if (!m) return undefined;
  const atMs = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  return Number.isFinite(atMs) ? { atMs, text: m[5] } : undefined;
}

/**
 * Reads virsh's event lines one at a time. A job-completed event spans lines: its header, then one
 * `\tfield: value` line per statistic (unstamped in virsh 11, each stamped before); it is emitted at the first line
 * that is not one of them.
 */
export class EventParser {
  private job: { atMs: number; stats: Map<string, string> } | undefined;
  constructor(private readonly emit: (e: DomainEvent) => void) {}

  line(raw: string): void {
    const text = raw.replace(/\r$/, '');
    const s = splitStamp(text);
    // virsh 11 stamps an event once, its statistics following on lines of their own; older ones stamp every line.
    const field = /^\t(\w+): (.*)$/.exec(s ? s.text : text);
    if (this.job && field) {
      this.job.stats.set(field[1], field[2].trim());
      return;
    }
    if (!s) {
      this.flush();
      return;
    }
    this.flush();
    let m: RegExpExecArray | null;
    if ((m = /^event 'migration-iteration' for domain '.*': iteration: '(\d+)'\s*$/.exec(s.text))) this.emit({ kind: 'iteration', atMs: s.atMs, iteration: Number(m[1]) });
    else if ((m = /^event 'lifecycle' for domain '.*': (\S+) (.+?)\s*$/.exec(s.text))) this.emit({ kind: 'lifecycle', atMs: s.atMs, event: m[1], detail: m[2] });
    else if (/^event 'job-completed' for domain '.*':\s*$/.test(s.text)) this.job = { atMs: s.atMs, stats: new Map() };
  }

  /** Emits a job-completed event whose lines are all in. */
  flush(): void {
    if (!this.job) return;
    const { atMs, stats } = this.job;
    this.job = undefined;
    this.emit({ kind: 'job-completed', atMs, stats: { type: 'completed', stats } });
  }
}

/**
 * Follows a domain's events until stopped. `ready` resolves once the listener has had time to register (virsh
 * prints nothing when it has); a first pass missed for that reason is told apart by its iteration number.
 */
export function watchDomainEvents(v: Virsh, domain: string, onEvent: (e: DomainEvent) => void): { ready: Promise<void>; stop: () => Promise<void> } {
  const child = spawn(v.binary, ['-q', '-c', v.uri, 'event', '--domain', domain, '--all', '--loop', '--timestamp'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
  child.on('error', () => {}); // no virsh: the callers fall back on the polls
  const parser = new EventParser(onEvent);
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      parser.line(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const ready = new Promise<void>((r) => setTimeout(r, 300));
  let stopped: Promise<void> | undefined;
  return {
    ready,
    // Lets the last lines in (a job-completed event comes as the job ends), then stops the child by its handle. Once.
    stop: () =>
      (stopped ??= (async () => {
        await new Promise((r) => setTimeout(r, 100));
        if (child.exitCode === null && child.signalCode === null) child.kill();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
        if (buf) parser.line(buf);
        buf = '';
        parser.flush();
      })()),
  };
}
