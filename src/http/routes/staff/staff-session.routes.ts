import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ROLE_LABELS, ROLE_PERMISSIONS, type StaffSurface } from '../../../modules/accounts/authorization.ts';
import { consumeCaptcha } from '../../../modules/accounts/captcha.ts';
import { changeStaffPassword, staffSignIn, staffSignOut } from '../../../modules/accounts/staff-accounts.ts';
import { resolveStaffSession, type StaffPrincipal } from '../../../modules/accounts/staff-sessions.ts';
import { currentStaff, STAFF_SESSION_COOKIE } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { CaptchaFields, IdString, responses } from '../../schemas.ts';
import { VISITOR_COOKIE } from '../public/captcha.routes.ts';
import { Label } from './staff-views.ts';

const StaffMe = Type.Object({
  staffId: IdString,
  loginName: Type.String(),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('AUTHORITY_ADMIN'), Type.Literal('FINANCE'), Type.Literal('INSTITUTION_STAFF'), Type.Literal('READ_ONLY')]),
  roleLabel: Label,
  authority: Type.Object({ code: Type.String(), name: Type.String() }),
  institution: Type.Union([Type.Object({ institutionId: IdString, code: Type.String(), name: Type.String() }), Type.Null()]),
  mustChangePassword: Type.Boolean(),
  permissions: Type.Array(Type.String(), { description: 'Actions this role may perform (docs/roles.md)' }),
});

function meView(s: StaffPrincipal) {
  const a = s.account;
  return {
    staffId: String(a.id), loginName: a.login_name, displayName: a.display_name, role: a.role, roleLabel: ROLE_LABELS[a.role],
    authority: s.authority, institution: s.institution ? { institutionId: String(s.institution.id), code: s.institution.code, name: s.institution.name } : null,
    mustChangePassword: a.must_change_password, permissions: [...ROLE_PERMISSIONS[a.role]],
  };
}

/** Sign-in, sign-out, me, password: the same four routes under each staff API's prefix. */
export function staffSessionRoutes(surface: StaffSurface, prefix: string, { ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  const tags = [surface === 'admin' ? 'staff' : 'institution'];
  return async (app) => {
    const cookieOptions = { path: '/api/', httpOnly: true, sameSite: 'strict' as const, secure: config.secureCookies };

    app.post(`${prefix}/session`, {
      config: { staffAction: 'public' },
      schema: {
        tags, summary: surface === 'admin' ? 'Staff sign-in (authority roles)' : 'Staff sign-in (institution staff)',
        body: Type.Object({
          authority: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Authority code' }),
          loginName: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 128 }),
          ...CaptchaFields,
        }, { additionalProperties: false }),
        response: responses(200, StaffMe, [401, 403, 429]),
      },
    }, async (req, reply) => {
      // ACC-4: a captcha first, as for candidates; ACC-7's lockout is staffSignIn's first step.
      const captcha = await consumeCaptcha(ctx.db, { captchaId: req.body.captchaId, answer: req.body.captchaAnswer, visitorToken: req.cookies[VISITOR_COOKIE], now: ctx.clock.now() });
      if (!captcha.ok) return sendFailure(req, reply, captcha.error);
      const result = await staffSignIn(ctx, {
        authorityCode: req.body.authority, loginName: req.body.loginName, password: req.body.password, surface, ip: req.ip,
        previousToken: req.cookies[STAFF_SESSION_COOKIE], session: config.session,
      });
      if (!result.ok) return sendFailure(req, reply, result.error);
      const found = await resolveStaffSession(ctx.db, result.value.token, ctx.clock.now(), config.session);
      if (found.status !== 'VALID') throw new Error('a session just created does not resolve');
      reply.setCookie(STAFF_SESSION_COOKIE, result.value.token, cookieOptions);
      return meView(found.staff);
    });

    app.delete(`${prefix}/session`, {
      config: { staffAction: 'public' },
      schema: { tags, summary: 'Staff sign-out (ends the session on the server)', response: responses(204, Type.Null()) },
    }, async (req, reply) => {
      const token = req.cookies[STAFF_SESSION_COOKIE];
      const found = token ? await resolveStaffSession(ctx.db, token, ctx.clock.now(), config.session) : undefined;
      if (token && found?.status === 'VALID') await staffSignOut(ctx, { account: found.staff.account, token, ip: req.ip });
      reply.clearCookie(STAFF_SESSION_COOKIE, cookieOptions);
      return reply.code(204).send(null);
    });

    app.get(`${prefix}/me`, {
      config: { staffAction: 'self' },
      schema: { tags, summary: 'The signed-in staff member, role, scope and permissions', response: responses(200, StaffMe, [401, 403]) },
    }, async (req) => meView(currentStaff(req)));

    app.post(`${prefix}/me/password`, {
      config: { staffAction: 'self' },
      schema: {
        tags, summary: 'Change password (forced at first sign-in)',
        description: 'Policy: 8–16 characters, letters and digits (case-sensitive), special characters limited to !@#$%^&*_-; not the current password, not containing the login name. Other sessions of the account end.',
        body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 128 }), newPassword: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: responses(204, Type.Null(), [401, 403]),
      },
    }, async (req, reply) => {
      const result = await changeStaffPassword(ctx, { account: currentStaff(req).account, ...req.body, token: req.cookies[STAFF_SESSION_COOKIE]!, ip: req.ip });
      if (!result.ok) return sendFailure(req, reply, result.error);
      return reply.code(204).send(null);
    });
  };
}
