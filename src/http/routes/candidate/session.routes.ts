import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { maskIdNumber } from '../../../modules/accounts/id-number.ts';
import { createSession, destroySession } from '../../../modules/accounts/sessions.ts';
import { changePassword, signIn } from '../../../modules/accounts/sign-in.ts';
import { currentCandidate, requireCandidate, SESSION_COOKIE } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { responses } from '../../schemas.ts';

const Me = Type.Object({
  candidateId: Type.String(),
  name: Type.String(),
  idNumberMasked: Type.String({ description: 'ID number with all but the first 3 and last 4 characters masked' }),
  mustChangePassword: Type.Boolean(),
});

export function sessionRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: config.secureCookies };

    app.post('/api/v1/session', {
      schema: {
        tags: ['candidate'],
        summary: 'Sign in with ID number and password',
        body: Type.Object({
          authority: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Authority code' }),
          idNumber: Type.String({ minLength: 5, maxLength: 32, pattern: '^[0-9A-Za-z()（）-]+$' }),
          password: Type.String({ minLength: 1, maxLength: 128 }),
        }, { additionalProperties: false }),
        response: responses(200, Me, [401]),
      },
    }, async (req, reply) => {
      const result = await signIn(ctx, { authorityCode: req.body.authority, idNumber: req.body.idNumber, password: req.body.password });
      if (!result.ok) return sendFailure(req, reply, result.error);
      // A second sign-in in the same browser replaces the first (ACC-7, seed 004), and the
      // session id is always new (no fixation).
      const old = req.cookies[SESSION_COOKIE];
      if (old) await destroySession(ctx.db, old);
      const token = await createSession(ctx.db, result.value.id, ctx.clock.now(), config.session);
      reply.setCookie(SESSION_COOKIE, token, cookieOptions);
      return meView(result.value);
    });

    app.delete('/api/v1/session', {
      schema: { tags: ['candidate'], summary: 'Sign out (ends the session on the server)', response: responses(204, Type.Null()) },
    }, async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await destroySession(ctx.db, token);
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send(null);
    });

    app.get('/api/v1/me', {
      preHandler: requireCandidate(ctx, config.session, { allowBeforePasswordChange: true }),
      schema: { tags: ['candidate'], summary: 'The signed-in candidate', response: responses(200, Me, [401]) },
    }, async (req) => meView(currentCandidate(req)));

    app.post('/api/v1/me/password', {
      preHandler: requireCandidate(ctx, config.session, { allowBeforePasswordChange: true }),
      schema: {
        tags: ['candidate'],
        summary: 'Change password (forced at first sign-in)',
        description: 'Policy: 8–16 characters, letters and digits (case-sensitive), special characters limited to !@#$%^&*_-; not the initial password, not containing the ID number.',
        body: Type.Object({
          currentPassword: Type.String({ minLength: 1, maxLength: 128 }),
          newPassword: Type.String({ minLength: 1, maxLength: 128 }),
        }, { additionalProperties: false }),
        response: responses(204, Type.Null(), [401]),
      },
    }, async (req, reply) => {
      const result = await changePassword(ctx, { candidate: currentCandidate(req), ...req.body });
      if (!result.ok) return sendFailure(req, reply, result.error);
      return reply.code(204).send(null);
    });
  };
}

function meView(c: { id: bigint; name: string; id_number: string; must_change_password: boolean }) {
  return { candidateId: String(c.id), name: c.name, idNumberMasked: maskIdNumber(c.id_number), mustChangePassword: c.must_change_password };
}
