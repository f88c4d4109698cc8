import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Candidate } from '../../db/schema.ts';
import { resolvePaymentPass } from '../../modules/payments/payment-pass.ts';
import { resolveSession, type SessionPolicy } from '../../modules/accounts/sessions.ts';
import type { AppContext } from '../../modules/context.ts';
import { sendFailure } from './errors.ts';

export const SESSION_COOKIE = 'exampay_sid';
/** PAY-6: the pass of someone paying without signing in (modules/payments/payment-pass.ts). */
export const PAYMENT_PASS_COOKIE = 'exampay_pay';

declare module 'fastify' {
  interface FastifyRequest {
    candidate?: Candidate;
    /** The candidate came from a payment pass, not a session: their bills, nothing else. */
    viaPaymentPass?: boolean;
  }
  interface FastifyContextConfig {
    /** This route also serves a payment pass (PAY-6). Only bill routes say so. */
    paymentPass?: boolean;
  }
}

/**
 * preHandler for candidate routes: a valid server-side session, and — until the forced first
 * password change is done — nothing but that change (ACC-2).
 */
export function requireCandidate(ctx: Pick<AppContext, 'db' | 'clock'>, policy: SessionPolicy, opts: { allowBeforePasswordChange?: boolean } = {}): preHandlerAsyncHookHandler {
  return async function (req: FastifyRequest, reply: FastifyReply) {
    const token = req.cookies[SESSION_COOKIE];
    if (!token) {
      const pass = req.cookies[PAYMENT_PASS_COOKIE];
      const payer = pass && req.routeOptions.config.paymentPass ? await resolvePaymentPass(ctx.db, pass, ctx.clock.now()) : undefined;
      if (!payer) return sendFailure(req, reply, { code: 'NOT_SIGNED_IN' });
      // Paying needs no password change: the payer never signed in (seed 003's public account).
      req.candidate = payer;
      req.viaPaymentPass = true;
      return;
    }
    const found = await resolveSession(ctx.db, token, ctx.clock.now(), policy);
    if (found.status !== 'VALID') return sendFailure(req, reply, { code: found.status === 'EXPIRED' ? 'SESSION_EXPIRED' : 'NOT_SIGNED_IN' });
    if (found.candidate.must_change_password && !opts.allowBeforePasswordChange) {
      return sendFailure(req, reply, { code: 'PASSWORD_CHANGE_REQUIRED' });
    }
    req.candidate = found.candidate;
  };
}

/** The candidate a preHandler put on the request; calling this without one is a bug. */
export function currentCandidate(req: FastifyRequest): Candidate {
  if (!req.candidate) throw new Error('route used currentCandidate without requireCandidate');
  return req.candidate;
}

export const CSRF_HEADER = 'x-exampay-request';

/**
 * CSRF defence for cookie-authenticated API calls (OWASP "custom request header"): every
 * state-changing /api request must carry X-ExamPay-Request. A cross-site form cannot add a
 * header, and a cross-site script cannot send one without a CORS preflight we never grant.
 * With SameSite=Strict session cookies on top, per-session tokens would add a second secret to
 * keep in step across tabs without closing any further path. test/candidate-sign-in.test.ts
 * checks every state-changing /api route of the route table.
 */
export async function csrfGuard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method) || !req.url.startsWith('/api/')) return;
  if (req.headers[CSRF_HEADER] !== '1') {
    await sendFailure(req, reply, { code: 'CSRF_REJECTED', details: { header: 'X-ExamPay-Request: 1' } });
  }
}
