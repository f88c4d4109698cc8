import type {} from '@fastify/cookie';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleMay, surfaceOf, type StaffAction, type StaffSurface } from '../../modules/accounts/authorization.ts';
import { resolveStaffSession, type StaffPrincipal } from '../../modules/accounts/staff-sessions.ts';
import type { RouteDeps } from '../route-deps.ts';
import { sendFailure } from './errors.ts';

export const STAFF_SESSION_COOKIE = 'exampay_staff_sid';

/**
 * What a staff route does, declared on the route (`config: { staffAction }`): an action of
 * the policy (authorization.ts), 'self' (own session, profile and password — every role), or
 * 'public' (sign-in and sign-out, which need no session).
 */
export type StaffRouteAction = StaffAction | 'self' | 'public';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffPrincipal;
  }
  interface FastifyContextConfig {
    staffAction?: StaffRouteAction;
  }
}

/**
 * A staff API (/api/v1/admin for authority roles, /api/v1/institution for institution staff).
 * Registering a route here without `config.staffAction` fails at start-up, so no staff route
 * exists without a declared action. Before every handler: a valid staff session, the right API
 * for the role (else 403 STAFF_WRONG_CONSOLE), the forced password change done, and the role
 * allowed the action (else 403 STAFF_FORBIDDEN). Objects are then fetched only through the
 * scoped loaders (modules/accounts/staff-scope.ts), which answer 404 outside the scope.
 */
export function staffApi(surface: StaffSurface, { ctx, config }: RouteDeps, routes: FastifyPluginAsyncTypebox): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('onRoute', (route) => {
      if (!route.config?.staffAction) {
        throw new Error(`${String(route.method)} ${route.url}: a staff route must declare config.staffAction (an action of modules/accounts/authorization.ts, 'self' or 'public')`);
      }
    });
    app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
      const action = req.routeOptions.config.staffAction;
      if (action === 'public') return;
      const token = req.cookies[STAFF_SESSION_COOKIE];
      if (!token) return sendFailure(req, reply, { code: 'NOT_SIGNED_IN' });
      const found = await resolveStaffSession(ctx.db, token, ctx.clock.now(), config.session);
      if (found.status !== 'VALID') return sendFailure(req, reply, { code: found.status === 'EXPIRED' ? 'SESSION_EXPIRED' : 'NOT_SIGNED_IN' });
      const { account } = found.staff;
      if (surfaceOf(account.role) !== surface) return sendFailure(req, reply, { code: 'STAFF_WRONG_CONSOLE', details: { console: surfaceOf(account.role) } });
      if (account.must_change_password && action !== 'self') return sendFailure(req, reply, { code: 'PASSWORD_CHANGE_REQUIRED' });
      if (action !== 'self' && (!action || !roleMay(account.role, action))) return sendFailure(req, reply, { code: 'STAFF_FORBIDDEN', details: { action } });
      req.staff = found.staff;
    });
    await app.register(routes);
  };
}

/** The staff member the preHandler put on the request; calling this without one is a bug. */
export function currentStaff(req: FastifyRequest): StaffPrincipal {
  if (!req.staff) throw new Error('staff route used currentStaff without a staff session (staffAction public?)');
  return req.staff;
}
