/**
 * One prediction from loose fields, with its convergence outlook (`convergenceProbability`, the time percentiles), checked: bad fields are an InputError (400 naming the field), and a
 * prediction with a figure that is not a finite number (an overflow the per-field ranges cannot rule out, such
 * as the wireless model's power at a rate far above its channel) is an InputError too, naming the input that
 * caused it: the first present field whose removal (or, for a required one, a nominal value) makes it finite.
 */
import { predictWithOutlook as predict } from '../model/index.js';
import type { Prediction, PredictInput } from '../model/types.js';
import type { ConvergenceFields } from '../model/convergence.js';
import { predictInputFrom, type RawPredictFields } from '../input.js';
import { InputError } from '../units.js';

/** Nominal values for the required fields, to test whether one of them caused a non-finite figure. */
const NOMINAL: Record<string, unknown> = { memory: '1GiB', bandwidth: '1Gbit/s', dirtyRate: '10MiB/s' };

/** The first non-finite number in a prediction (its path, e.g. `trace[3].durationSec`), or undefined. */
export function nonFinite(o: unknown, path = ''): string | undefined {
  if (typeof o === 'number') return Number.isFinite(o) ? undefined : path || 'value';
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const p = nonFinite(o[i], `${path}[${i}]`);
      if (p) return p;
    }
  } else if (typeof o === 'object' && o !== null) {
    for (const [k, v] of Object.entries(o)) {
      const p = nonFinite(v, path ? `${path}.${k}` : k);
      if (p) return p;
    }
  }
  return undefined;
}

/** Builds the model's input from the fields (predictInputFrom, or one that starts from a VM sample). */
export type InputBuilder = (f: RawPredictFields) => PredictInput;

function attempt(f: RawPredictFields, trace: boolean, build: InputBuilder): { ok: true; p: Prediction } | { ok: false } {
  try {
    const input = build(f);
    input.trace = trace;
    const p = predict(input);
    return nonFinite(p) === undefined ? { ok: true, p } : { ok: false };
  } catch {
    return { ok: false };
  }
}

/** Which present field makes the prediction non-finite or unpredictable ('body' when no single one does). */
function culprit(f: RawPredictFields, trace: boolean, build: InputBuilder): string {
  const fields = f as Record<string, unknown>;
  for (const k of Object.keys(fields)) {
    if (k === 'id' || k === 'trace' || fields[k] === undefined) continue;
    const without: Record<string, unknown> = { ...fields };
    if (k in NOMINAL) without[k] = NOMINAL[k];
    else delete without[k];
    if (attempt(without, trace, build).ok) return k;
  }
  return 'body';
}

/**
 * The prediction for `f`, every figure a finite number. Throws InputError for a bad field, and for a
 * combination that the model cannot answer with finite figures (naming the field that makes it so).
 */
export function checkedPredict(f: RawPredictFields, trace = false, build: InputBuilder = predictInputFrom): Prediction & ConvergenceFields {
  const input = build(f);
  input.trace = trace;
  let p: Prediction & ConvergenceFields;
  try {
    p = predict(input);
  } catch (e) {
    if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
    const field = culprit(f, trace, build);
    throw new InputError(field, (f as Record<string, unknown>)[field], `cannot be predicted with the other inputs (${e.message})`);
  }
  const bad = nonFinite(p);
  if (bad === undefined) return p;
  const field = culprit(f, trace, build);
  throw new InputError(field, (f as Record<string, unknown>)[field], `makes the prediction's ${bad} ${String(getPath(p, bad))} with the other inputs (out of the model's range)`);
}

function getPath(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const part of path.split(/[.[\]]/).filter(Boolean)) cur = (cur as Record<string, unknown>)?.[part];
  return cur;
}
