import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { resendVerification, setContactEmail } from '../../../modules/accounts/email-verification.ts';
import { currentCandidate, requireCandidate } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { responses } from '../../schemas.ts';
import { EmailAddress } from '../public/account.routes.ts';

/** The signed-in side of e-mail: a contact address for ID-document accounts, a new link for a 通行证. */
export function contactEmailRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/v1/me/email', {
      preHandler: requireCandidate(ctx, config.session),
      schema: {
        tags: ['accounts'],
        summary: 'Set the contact e-mail of an ID-document account (where reset links go once verified)',
        body: Type.Object({ email: EmailAddress, currentPassword: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: responses(202, Type.Object({ email: Type.String(), verified: Type.Literal(false) }), [401, 403, 409]),
      },
    }, async (req, reply) => {
      const r = await setContactEmail(ctx, { candidate: currentCandidate(req), ...req.body });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(202).send({ email: r.value.email, verified: false as const });
    });

    app.post('/api/v1/me/email-verification', {
      preHandler: requireCandidate(ctx, config.session),
      schema: {
        tags: ['accounts'],
        summary: 'Send the 通行证 verification link again (earlier links stop working)',
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: responses(202, Type.Object({ email: Type.String() }), [401, 403, 409]),
      },
    }, async (req, reply) => {
      const r = await resendVerification(ctx, { candidate: currentCandidate(req) });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(202).send(r.value);
    });
  };
}
