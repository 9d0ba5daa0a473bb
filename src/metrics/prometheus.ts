/**
 * Hosts' CPU utilisation history from Prometheus, for the overload detectors that need one (lr, lrr, mad, iqr):
 * one `query_range` over the HTTP API with node_exporter's standard metric,
 *
 *   1 - avg by (<label>) (rate(node_cpu_seconds_total{mode="idle"}[<window>]))
 *
 * (the busy share of all CPUs, per host), oldest sample first. A host is matched by a label (default
 * `instance`, its `:port` dropped) equal to its id in the cluster. Errors name the flag and what Prometheus said.
 */
import { InputError } from '../units.js';

export interface PrometheusQuery {
  /** e.g. http://127.0.0.1:9090 */
  url: string;
  /** How far back (s), and the step between samples (s). */
  historySec: number;
  stepSec: number;
  /** The label that names a host (default `instance`). */
  hostLabel?: string;
  /** The rate() window in seconds (default: the step, at least 2 s). */
  rateWindowSec?: number;
  timeoutMs?: number;
  /** The end of the range (default now). */
  endSec?: number;
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

/** The PromQL of a host's CPU utilisation. */
export function utilisationQuery(label: string, rateWindowSec: number): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw new InputError('--prometheus-host-label', label, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
  return `1 - avg by (${label}) (rate(node_cpu_seconds_total{mode="idle"}[${Math.max(1, Math.round(rateWindowSec))}s]))`;
}

/** Utilisation history per host id (fractions in [0, 1], oldest first). */
export async function hostUtilisation(q: PrometheusQuery): Promise<Map<string, number[]>> {
  let base: URL;
  try {
    base = new URL('/api/v1/query_range', q.url);
  } catch {
    throw new InputError('--prometheus', q.url, 'must be an http(s) URL, e.g. http://127.0.0.1:9090');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new InputError('--prometheus', q.url, 'must be an http(s) URL');
  const label = q.hostLabel ?? 'instance';
  const end = q.endSec ?? Date.now() / 1000;
  const params = new URLSearchParams({ query: utilisationQuery(label, q.rateWindowSec ?? Math.max(q.stepSec, 2)), start: String(end - q.historySec), end: String(end), step: String(q.stepSec) });
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: { metric: Record<string, string>; values: [number, string][] }[] } };
  try {
    const res = await fetch(`${base.href}?${params}`, { signal: AbortSignal.timeout(q.timeoutMs ?? 15_000) });
    body = (await res.json()) as typeof body;
    if (!res.ok || body.status !== 'success') throw new PrometheusError(`--prometheus ${q.url}: ${body.error ?? `HTTP ${res.status}`}`);
  } catch (e) {
    if (e instanceof PrometheusError) throw e;
    throw new PrometheusError(`--prometheus ${q.url}: ${(e as Error).message}`);
  }
  const out = new Map<string, number[]>();
  for (const series of body.data?.result ?? []) {
    const raw = series.metric[label];
    if (raw === undefined) continue;
    const id = label === 'instance' ? raw.replace(/:\d+$/, '') : raw;
    const values = series.values.map(([, v]) => Number(v)).filter((x) => Number.isFinite(x)).map((x) => Math.min(1, Math.max(0, x)));
    out.set(id, values);
  }
  return out;
}
