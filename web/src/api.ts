/** The dashboard talks only to the HTTP API. The bearer token (for calibrate and simulate) stays in localStorage. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: { error?: string; field?: string; message?: string }) {
    super(`${status} ${body.message ?? body.error ?? ''}`);
  }
}

export function token(): string {
  return localStorage.getItem('migcost-token') ?? '';
}

export function bindTokenInput(input: HTMLInputElement): void {
  input.value = token();
  input.addEventListener('change', () => localStorage.setItem('migcost-token', input.value.trim()));
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && token()) headers.authorization = `Bearer ${token()}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, json);
  return json as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown) => call<T>('POST', path, body);

export interface Prediction {
  totalTimeSec: number;
  downtimeSec: number;
  transferredBytes: number;
  rounds: number;
  converged: boolean;
  energyJoules?: number;
}
export interface RoundTrace {
  round: number;
  kind: string;
  sentBytes: number;
  durationSec: number;
  dirtiedBytes: number;
  remainingBytes: number;
}
export interface MigrationRecord {
  id: string;
  startedAt: string;
  sample: { dirtyRateBytesPerSec: number; memoryBytes: number };
  predicted: Record<string, Prediction>;
  measured: Prediction & { status: string };
  trace: RoundTrace[];
}
