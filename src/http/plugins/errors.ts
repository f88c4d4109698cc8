import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, describeError, type ErrorCode, type Failure } from '../../shared/errors.ts';

function prefersEnglish(req: FastifyRequest): boolean {
  const lang = req.headers['accept-language'];
  return typeof lang === 'string' && /^en\b/i.test(lang.trim());
}

export function sendFailure(req: FastifyRequest, reply: FastifyReply, failure: Failure): FastifyReply {
  const { status, messageZh, messageEn } = describeError(failure.code, failure.details);
  // A failure that says when to try again (a lockout) says it in Retry-After too (RFC 9110).
  const retry = failure.details?.retryAfterSeconds;
  if (typeof retry === 'number') reply.header('retry-after', String(retry));
  return reply.code(status).send({
    error: {
      code: failure.code,
      message: prefersEnglish(req) ? messageEn : messageZh,
      messageZh,
      messageEn,
      ...(failure.details ? { details: failure.details } : {}),
    },
  });
}

/** Fastify's own errors, by code, onto ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_TYPE: 'MALFORMED_BODY',
  FST_ERR_RATE_LIMIT: 'RATE_LIMITED',
};

/** `pageFallback` answers a browser's GET of an unknown path with the web app (src/http/web-app.ts). */
export function installErrorHandling(app: FastifyInstance, pageFallback?: (req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) return sendFailure(req, reply, { code: err.code, ...(err.details ? { details: err.details } : {}) });
    if (err.validation) {
      return sendFailure(req, reply, {
        code: 'VALIDATION_FAILED',
        details: {
          where: err.validationContext,
          problems: err.validation.map((v) => ({ path: v.instancePath || '/', message: v.message, keyword: v.keyword, params: v.params })),
        },
      });
    }
    if (err instanceof SyntaxError || (err.code && FASTIFY_CODES[err.code])) {
      return sendFailure(req, reply, { code: (err.code && FASTIFY_CODES[err.code]) || 'MALFORMED_BODY' });
    }
    if (err.statusCode === 429) return sendFailure(req, reply, { code: 'RATE_LIMITED' });
    // Values PostgreSQL cannot hold (numbers out of range, text too long) are the caller's input.
    if (['22003', '22001', '22P02'].includes((err as { code?: string }).code ?? '')) return sendFailure(req, reply, { code: 'VALIDATION_FAILED' });
    if (isDatabaseDown(err)) {
      req.log.error({ err }, 'database unavailable');
      return sendFailure(req, reply, { code: 'DATABASE_UNAVAILABLE' });
    }
    req.log.error({ err }, 'unhandled error');
    return sendFailure(req, reply, { code: 'INTERNAL_ERROR' });
  });
  app.setNotFoundHandler((req, reply) => (pageFallback?.(req, reply)) ?? sendFailure(req, reply, { code: 'NOT_FOUND', details: { method: req.method, url: req.url.split('?')[0] } }));
}

function isDatabaseDown(err: Error & { code?: string }): boolean {
  return ['ECONNREFUSED', '57P01', '57P03', '53300', '08006', '08001'].includes(err.code ?? '') || /Connection terminated|timeout exceeded when trying to connect/.test(err.message);
}
