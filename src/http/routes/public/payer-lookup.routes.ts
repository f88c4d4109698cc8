import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { consumeCaptcha } from '../../../modules/accounts/captcha.ts';
import { listCandidateBills } from '../../../modules/billing/bill-queries.ts';
import { createPaymentPass, endPaymentPass, lookUpPayer, maskName, PAYMENT_PASS_LIFETIME_MS } from '../../../modules/payments/payment-pass.ts';
import { PAYMENT_PASS_COOKIE } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, CaptchaFields, responses, Timestamp } from '../../schemas.ts';
import { BillSummary, billSummaryView } from '../candidate/bill.views.ts';
import { VISITOR_COOKIE } from './captcha.routes.ts';

const Lookup = Type.Object({
  payerName: Type.String({ description: 'The candidate\'s name, masked' }),
  passExpiresAt: Timestamp,
  openBills: Type.Array(BillSummary, { description: 'Unpaid bills and bills being paid. Subjects not yet on a bill are confirmed by the candidate after signing in.' }),
});

/**
 * PAY-6: 不登录缴费. Name + ID number, or name + 缴费码 (the bill number), + an arithmetic
 * captcha → a payment pass cookie; the page then uses the bill routes that accept a pass.
 */
export function payerLookupRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const cookie = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: config.secureCookies };

    app.post('/api/v1/payer-lookups', {
      schema: {
        tags: ['public'],
        summary: 'Pay without signing in: find the candidate\'s bills by name + ID number or name + payment code (PAY-6)',
        description: 'Needs an ARITHMETIC captcha. On success sets a 30-minute payment pass cookie that the bill routes marked for it accept. A wrong name, number or code gets PAYER_NOT_FOUND; which of them was wrong is never said.',
        body: Type.Object({
          authority: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
          name: Type.String({ minLength: 1, maxLength: 64 }),
          idNumber: Type.Optional(Type.String({ minLength: 5, maxLength: 32, pattern: '^[0-9A-Za-z()（）-]+$' })),
          paymentCode: Type.Optional(BillNo),
          ...CaptchaFields,
        }, { additionalProperties: false }),
        response: responses(200, Lookup, [404, 429]),
      },
    }, async (req, reply) => {
      const { idNumber, paymentCode } = req.body;
      if ((idNumber === undefined) === (paymentCode === undefined)) {
        return sendFailure(req, reply, { code: 'VALIDATION_FAILED', details: { reason: 'Give either idNumber or paymentCode' } });
      }
      const now = ctx.clock.now();
      const captcha = await consumeCaptcha(ctx.db, { captchaId: req.body.captchaId, answer: req.body.captchaAnswer, visitorToken: req.cookies[VISITOR_COOKIE], now, kind: 'ARITHMETIC' });
      if (!captcha.ok) return sendFailure(req, reply, captcha.error);
      const proof = { authorityCode: req.body.authority, name: req.body.name };
      const found = await lookUpPayer(ctx, idNumber !== undefined ? { ...proof, idNumber } : { ...proof, billNo: paymentCode! }, req.ip);
      if (!found.ok) return sendFailure(req, reply, found.error);
      const payer = found.value;
      const old = req.cookies[PAYMENT_PASS_COOKIE];
      if (old) await endPaymentPass(ctx.db, old);
      const pass = await createPaymentPass(ctx.db, payer.id, now);
      reply.setCookie(PAYMENT_PASS_COOKIE, pass.token, { ...cookie, maxAge: PAYMENT_PASS_LIFETIME_MS / 1000 });
      const bills = (await listCandidateBills(ctx.db, payer.id)).filter((b) => b.state === 'UNPAID' || b.state === 'PAYING');
      return {
        payerName: maskName(payer.name),
        passExpiresAt: pass.expiresAt.toISOString(),
        openBills: bills.map((b) => billSummaryView(b, now)),
      };
    });

    app.delete('/api/v1/payer-lookups/current', {
      schema: { tags: ['public'], summary: 'End the payment pass (PAY-6)', response: responses(204, Type.Null()) },
    }, async (req, reply) => {
      const pass = req.cookies[PAYMENT_PASS_COOKIE];
      if (pass) await endPaymentPass(ctx.db, pass);
      reply.clearCookie(PAYMENT_PASS_COOKIE, cookie);
      return reply.code(204).send(null);
    });
  };
}
