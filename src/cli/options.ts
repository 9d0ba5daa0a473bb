/**
 * Option values parsed by commander as it reads them: each parser turns the typed text into the value the
 * command uses (SI units, numbers, lists) and throws the InputError of src/units.ts naming the flag, which
 * main() turns into exit status 2. A default is given as the user would type it and shown so in --help.
 */
import { Option } from 'commander';
import { InputError, parseDuration, parseNumber, parseRate, parseSize, parseWatts } from '../units.js';

export type ArgParser<T> = (value: string) => T;

/** Bytes from "256MiB". */
export const sizeArg = (flag: string): ArgParser<number> => (v) => parseSize(flag, v);
/** Bytes per second from "100MiB/s", "1Gbit/s"; a plain number is refused with a hint (it would be bytes/s). */
export const rateArg = (flag: string): ArgParser<number> => (v) => parseRate(flag, v, { needUnit: true });
/** Seconds from "300ms", "30s"; a plain number is refused with a hint (it would be seconds). */
export const durationArg = (flag: string): ArgParser<number> => (v) => parseDuration(flag, v, { needUnit: true });
/** Seconds from a comma-separated list of times ("0.1s,0.5s,1s"), each with its unit. */
export const durationListArg = (flag: string): ArgParser<number[]> => (v) => v.split(',').map((w) => parseDuration(flag, w.trim(), { needUnit: true }));
/** Watts from "2W", "350mW". */
export const wattsArg = (flag: string): ArgParser<number> => (v) => parseWatts(flag, v);
/** A finite number within optional bounds. */
export const numberArg = (flag: string, opts: { min?: number; max?: number; integer?: boolean } = {}): ArgParser<number> => (v) => parseNumber(flag, v, opts);
/** A number that must hold `test`; `rule` says what it must be. */
export const checkedNumberArg = (flag: string, test: (n: number) => boolean, rule: string): ArgParser<number> => (v) => {
  const n = Number(v);
  if (!test(n)) throw new InputError(flag, v, rule);
  return n;
};
/** A comma-separated list, items trimmed, empty items dropped. */
export const listArg: ArgParser<string[]> = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);

/** An option whose value goes through `parse`; `rawDefault` (as typed) is parsed once and shown in --help. */
export function parsedOption<T>(flags: string, description: string, parse: ArgParser<T>, rawDefault?: string): Option {
  const o = new Option(flags, description).argParser(parse);
  return rawDefault === undefined ? o : o.default(parse(rawDefault), JSON.stringify(rawDefault));
}

/** A dirty rate's measurement window (`--rate-window`): 1ms to 1h. */
export const rateWindowArg: ArgParser<number> = (v) => {
  const sec = durationArg('--rate-window')(v);
  if (!(sec >= 0.001 && sec <= 3600)) throw new InputError('--rate-window', v, 'must be between 1ms and 1h');
  return sec;
};

/** What `--throttle-probe [percent]` does, for --help. */
export const THROTTLE_PROBE_HELP = "also measure how the dirt answers auto-converge's throttle: a pseudo-migration throttles the guest at this level (default 95%) for a few seconds (opt-in: the guest runs slower meanwhile); the model's auto-converge then follows the response";

/** `--throttle-probe [percent]` (sample, lab run, lab matrix): the probe's options (the default throttle without a value), or none when absent. */
export function throttleProbeArg(v: string | boolean): { throttle?: number } | undefined {
  if (v === false) return undefined;
  if (v === true) return {};
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(v);
  const pct = m ? Number(m[1]) : NaN;
  if (!(Number.isInteger(pct) && pct >= 1 && pct <= 99)) throw new InputError('--throttle-probe', v, 'must be a whole percent between 1 and 99 (QEMU\'s cpu-throttle-initial), e.g. 95%');
  return { throttle: pct / 100 };
}
