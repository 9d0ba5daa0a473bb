/**
 * The Host header check against DNS rebinding: a page on another site whose name resolves to this server
 * sends its own name as Host; only the configured names (and the port the server listens on) are answered.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The names a loopback server answers to by default. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

/** `name[:port]` split, names lower-cased; IPv6 literals keep their brackets. */
export function splitHost(h: string): { name: string; port?: number } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(h.trim().toLowerCase());
  if (!m) return { name: h.toLowerCase() };
  return { name: m[1], port: m[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * An onRequest hook answering 421 unless the Host header names one of `allowed` ("name" for any request on the
 * port the server listens on, or "name:port"). `address` gives the listening port (null in app.inject).
 */
export function hostCheck(allowed: readonly string[], address: () => AddressInfo | string | null) {
  const entries = allowed.map(splitHost);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.host;
    const a = address();
    const listening = a !== null && typeof a === 'object' ? a.port : undefined;
    if (header !== undefined) {
      const h = splitHost(header);
      const port = h.port ?? (listening === undefined ? undefined : 80);
      const ok = entries.some((e) => e.name === h.name && (e.port !== undefined ? e.port === port : listening === undefined || port === listening));
      if (ok) return;
    }
    return reply.code(421).send({ error: 'misdirected request', field: 'host', message: `host: ${JSON.stringify(header ?? '')} is not a name this server answers to (serve --allowed-host)` });
  };
}
