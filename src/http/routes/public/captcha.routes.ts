import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { issueCaptcha } from '../../../modules/accounts/captcha.ts';
import { newBearerToken } from '../../../shared/bearer-token.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { responses, Timestamp } from '../../schemas.ts';

/** The cookie a captcha is bound to: a random id per browser, not a session. */
export const VISITOR_COOKIE = 'exampay_vid';

export const CaptchaKindSchema = Type.Union([Type.Literal('TEXT'), Type.Literal('ARITHMETIC')]);

const Issued = Type.Object({
  captchaId: Type.String(),
  kind: CaptchaKindSchema,
  image: Type.String({ description: 'data: URL of an SVG image' }),
  expiresAt: Timestamp,
  testAnswer: Type.Optional(Type.String({ description: 'Only when the server runs with CAPTCHA_TEST_MODE (never in production)' })),
});

/** The visitor cookie, set on first need. It is HttpOnly and SameSite=Strict like the session's. */
export function visitorToken(req: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = req.cookies[VISITOR_COOKIE];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = newBearerToken();
  reply.setCookie(VISITOR_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure });
  return token;
}

export function captchaRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/v1/captchas', {
      schema: {
        tags: ['public'],
        summary: 'A new captcha (ACC-4)',
        description: 'Image text or arithmetic; answers once (a wrong answer uses it up), expires after 5 minutes, and only counts from the browser that asked for it.',
        body: Type.Object({ kind: Type.Optional(CaptchaKindSchema) }, { additionalProperties: false }),
        response: responses(201, Issued),
      },
    }, async (req, reply) => {
      const issued = await issueCaptcha(ctx.db, {
        kind: req.body.kind ?? 'TEXT',
        visitorToken: visitorToken(req, reply, config.secureCookies),
        now: ctx.clock.now(),
      });
      return reply.code(201).send({
        captchaId: issued.captchaId,
        kind: issued.kind,
        image: `data:image/svg+xml;base64,${Buffer.from(issued.svg).toString('base64')}`,
        expiresAt: issued.expiresAt.toISOString(),
        ...(config.captchaTestMode ? { testAnswer: issued.answer } : {}),
      });
    });
  };
}
