import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { consumeCaptcha } from '../../../modules/accounts/captcha.ts';
import { addressKey, addressLockedUntil, lockDetails, recordAddressFailure } from '../../../modules/accounts/sign-in-throttle.repo.ts';
import { quickPrintTickets } from '../../../modules/documents/quick-print.ts';
import { verifyReceipt } from '../../../modules/documents/receipts.ts';
import { VERIFICATION_CODE } from '../../../modules/documents/verification-code.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { CaptchaFields, responses, Timestamp } from '../../schemas.ts';
import { PdfBody, sendPdf } from '../candidate/document.routes.ts';
import { VISITOR_COOKIE } from './captcha.routes.ts';

const Verification = Type.Object({
  valid: Type.Literal(true),
  billNumber: Type.String(),
  receiptNumber: Type.String(),
  issuer: Type.String({ description: 'The exam authority that issued the receipt' }),
  exam: Type.String(),
  sitting: Type.String(),
  maskedName: Type.String({ description: 'The payer\'s name, masked (张*)' }),
  amountFen: Type.String({ description: 'Amount paid in fen, as a decimal string' }),
  refundedFen: Type.String({ description: 'Amount given back so far (refunds the channel confirmed), in fen' }),
  paidAt: Timestamp,
  status: Type.Union([Type.Literal('PAID'), Type.Literal('PARTLY_REFUNDED'), Type.Literal('REFUNDED')]),
});

/** DOC-1 receipt verification and DOC-2 quick print: no sign-in, throttled per client address. */
export function publicDocumentRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/v1/public/receipts/:code', {
      schema: {
        tags: ['public'], summary: '核验电子缴费凭证: what the receipt with this verification code says now (DOC-1)',
        description: 'The code is the last part of the receipt\'s QR address (/verify/<code>). An unknown code: RECEIPT_NOT_FOUND (404). Unknown codes count against the client address like failed sign-ins; while the address is locked the answer is RATE_LIMITED (429, Retry-After).',
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: responses(200, Verification, [404, 429]),
      },
    }, async (req, reply) => {
      const now = ctx.clock.now();
      const address = addressKey(ctx.personalData, req.ip);
      const locked = await addressLockedUntil(ctx.db, address, now);
      if (locked) return sendFailure(req, reply, { code: 'RATE_LIMITED', details: lockDetails(locked, now) });
      const found = VERIFICATION_CODE.test(req.params.code) ? await verifyReceipt(ctx, req.params.code) : undefined;
      if (!found?.ok) {
        await recordAddressFailure(ctx.db, address, now);
        return sendFailure(req, reply, { code: 'RECEIPT_NOT_FOUND' });
      }
      return reply.header('cache-control', 'no-store').send(found.value);
    });

    app.post('/api/v1/public/admission-tickets', {
      schema: {
        tags: ['public'], summary: '快速打印准考证: admission tickets by name + ID document, without signing in (DOC-2)',
        description: 'Needs a captcha (POST /api/v1/captchas). Outside every print window of the authority: WINDOW_CLOSED (409, details.windows). Otherwise every ticket of that kind in the sittings whose print window is open, one page each. A wrong name, ID type or number, or nothing paid of that kind: QUICK_PRINT_NOT_FOUND (404) — which one is never said; failures are throttled like sign-in (429).',
        body: Type.Object({
          authority: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
          name: Type.String({ minLength: 1, maxLength: 64 }),
          idType: Type.Union([Type.Literal('RESIDENT_ID'), Type.Literal('PASSPORT'), Type.Literal('HK_MACAO_PERMIT'), Type.Literal('TAIWAN_PERMIT'), Type.Literal('HMT_RESIDENCE_PERMIT')]),
          idNumber: Type.String({ minLength: 5, maxLength: 32, pattern: '^[0-9A-Za-z()（）-]+$' }),
          kind: Type.Union([Type.Literal('WRITTEN'), Type.Literal('ORAL')]),
          ...CaptchaFields,
        }, { additionalProperties: false }),
        response: responses(200, PdfBody, [404, 409, 429]),
      },
    }, async (req, reply) => {
      const now = ctx.clock.now();
      const captcha = await consumeCaptcha(ctx.db, { captchaId: req.body.captchaId, answer: req.body.captchaAnswer, visitorToken: req.cookies[VISITOR_COOKIE], now });
      if (!captcha.ok) return sendFailure(req, reply, captcha.error);
      const { authority, name, idType, idNumber, kind } = req.body;
      const printed = await quickPrintTickets(ctx, { authorityCode: authority, name, idType, idNumber, kind }, req.ip);
      if (!printed.ok) return sendFailure(req, reply, printed.error);
      return sendPdf(reply, printed.value.pdf, `admission-tickets-${kind.toLowerCase()}.pdf`);
    });
  };
}
