/** Failures at the HTTP edge: each carries its status and, for bad input, the field it is about. */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../units.js';

export class HttpError extends Error {
  override name = 'HttpError';
  /** Seconds for a Retry-After header (503 of a busy server). */
  readonly retryAfterSec?: number;
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown; retryAfterSec?: number },
  ) {
    super(message, options);
    this.retryAfterSec = options?.retryAfterSec;
  }
}

/** The body every 4xx/5xx carries. */
export interface ErrorBody {
  error: string;
  field?: string;
  message?: string;
  row?: number;
}

/** `/rows/3/memory` -> `rows[3].memory`; the missing property when one is required. */
function validationField(e: FastifyError): string {
  const v = e.validation?.[0] as { instancePath?: string; params?: Record<string, unknown> } | undefined;
  const path = (v?.instancePath ?? '').split('/').filter(Boolean);
  const missing = v?.params?.missingProperty ?? v?.params?.additionalProperty;
  if (typeof missing === 'string') path.push(missing);
  const name = path.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  return name || (e.validationContext ?? 'body');
}

/**
 * One mapping of every error to its answer: input errors are 400 naming the field, the rest 500 without detail
 * (logged with its cause: the app logs errors even when it logs no requests).
 */
export function errorHandler(e: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const fe = e as FastifyError;
  if (fe.validation) {
    const field = validationField(fe);
    return reply.code(400).send({ error: 'bad request', field, message: `${field}: ${fe.validation[0]?.message ?? fe.message}` });
  }
  if (e instanceof InputError) return reply.code(400).send({ error: 'bad request', field: e.field, message: e.message });
  if (e instanceof HttpError) {
    if (e.retryAfterSec !== undefined) reply.header('retry-after', String(e.retryAfterSec));
    if (e.statusCode >= 500 && e.statusCode !== 503) req.log.error({ err: e, cause: e.cause }, e.message);
  }
  if (e instanceof HttpError) return reply.code(e.statusCode).send({ error: (STATUS_CODES[e.statusCode] ?? 'error').toLowerCase(), field: e.field, message: e.message });
  if ((e as { badInput?: boolean }).badInput === true) return reply.code(400).send({ error: 'bad request', message: e.message });
  if (e instanceof SyntaxError || fe.statusCode === 400) return reply.code(400).send({ error: 'bad request', field: 'body', message: e.message });
  if (fe.statusCode && fe.statusCode < 500) return reply.code(fe.statusCode).send({ error: e.message });
  req.log.error({ err: e, cause: (e as { cause?: unknown }).cause, method: req.method, url: req.url }, `500: ${e.message}`);
  return reply.code(500).send({ error: 'internal error' });
}
