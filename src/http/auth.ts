/** Bearer-token check for the routes that change state or start work. */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * An onRequest hook answering 401 unless `Authorization: Bearer <token>` matches. Without a token configured
 * every such request is refused (the app never runs unauthenticated state changes).
 */
export function requireToken(token: string | undefined) {
  const want = token ? digest(token) : undefined;
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!want || !m || !timingSafeEqual(digest(m[1]), want)) {
      reply.header('www-authenticate', 'Bearer');
      return reply.code(401).send({ error: 'unauthorized', field: 'authorization', message: 'authorization: needs "Bearer <token>" (serve --token or MIGCOST_TOKEN)' });
    }
  };
}

/** OpenAPI security requirement for a protected route. */
export const BEARER = [{ bearer: [] as string[] }];
