/** The only file that listens: 127.0.0.1 unless told otherwise. */
import type { AddressInfo } from 'node:net';
import { buildApp, type AppOptions } from './app.js';
import { LOOPBACK_HOSTS } from './host-check.js';

/** True for an address that only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Listens and answers the address it really listens on (`url`; for 0.0.0.0 or :: that is the wildcard, which
 * no client can use as it is). The Host header is checked against localhost, 127.0.0.1, [::1], the listen
 * address when it is a specific one, and `allowedHosts`.
 */
export async function serve(opts: AppOptions & { host?: string; port?: number }): Promise<{ url: string; address: AddressInfo; close: () => Promise<void> }> {
  const host = opts.host ?? '127.0.0.1';
  const wildcard = host === '0.0.0.0' || host === '::';
  const names = new Set<string>([...LOOPBACK_HOSTS, ...(opts.allowedHosts ?? [])]);
  if (!wildcard) names.add(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  const app = buildApp({ ...opts, allowedHosts: [...names] });
  await app.listen({ host, port: opts.port ?? 8080 });
  const address = app.server.address() as AddressInfo;
  // Warm GET /v1/fits's window now (one full read of the newest migrations), so that no request pays for it:
  // later answers refit incrementally (routes/fit-window.ts).
  if (opts.store) void app.inject({ method: 'GET', url: '/v1/fits', headers: { host: 'localhost' } }).catch(() => {});
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${shown}:${address.port}`, address, close: () => app.close() };
}
