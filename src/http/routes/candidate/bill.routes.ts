import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { acceptAgreement } from '../../../modules/billing/accept-agreement.ts';
import { cancelBill } from '../../../modules/billing/cancel-bill.ts';
import { billDetail, findCandidateBill, listCandidateBills } from '../../../modules/billing/bill-queries.ts';
import { confirmBill } from '../../../modules/billing/confirm-bill.ts';
import { checkBillStatus } from '../../../modules/payments/check-bill-status.ts';
import { startPayment } from '../../../modules/payments/start-payment.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { currentCandidate, requireCandidate } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, IdString, responses, Timestamp } from '../../schemas.ts';
import { BillDetailBody, billDetailView, BillSummary, billSummaryView } from './bill.views.ts';

const BillParams = Type.Object({ billNo: BillNo });

export function billRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCandidate(ctx, config.session));
    // Transitions say whether the candidate or an anonymous payer with a pass acted (PAY-6).
    const actorOf = (req: FastifyRequest) => `${req.viaPaymentPass ? 'payer' : 'candidate'}:${currentCandidate(req).id}`;
    const passToo = { paymentPass: true };
    const available = (channel: string) => ctx.channels.get(channel) !== undefined;

    /** Loads the bill of this candidate with its details, or answers BILL_NOT_FOUND. */
    const detailFor = async (candidateId: bigint, billNo: string) => {
      if (!isValidBillNo(billNo)) return undefined;
      const bill = await findCandidateBill(ctx.db, candidateId, billNo);
      return bill && billDetail(ctx.db, bill);
    };

    app.post('/api/v1/bills', {
      config: passToo,
      schema: {
        tags: ['candidate'], summary: '报考科目确认: confirm registrations into one bill (PAY-1)',
        body: Type.Object({ registrationIds: Type.Array(IdString, { minItems: 1, maxItems: 50, uniqueItems: true }) }, { additionalProperties: false }),
        response: responses(201, BillDetailBody, [401, 403, 409]),
      },
    }, async (req, reply) => {
      const me = currentCandidate(req);
      const result = await confirmBill(ctx, { candidateId: me.id, registrationIds: req.body.registrationIds.map(BigInt) });
      if (!result.ok) return sendFailure(req, reply, result.error);
      return reply.code(201).send(billDetailView(await billDetail(ctx.db, result.value), ctx.clock.now(), available));
    });

    app.get('/api/v1/bills', {
      config: passToo,
      schema: { tags: ['candidate'], summary: 'All my bills, newest first (PAY-7)', response: responses(200, Type.Array(BillSummary), [401, 403]) },
    }, async (req) => (await listCandidateBills(ctx.db, currentCandidate(req).id)).map((b) => billSummaryView(b, ctx.clock.now())));

    app.get('/api/v1/bills/:billNo', {
      config: passToo,
      schema: { tags: ['candidate'], summary: 'One bill with items, channel orders, payments, refunds and history', params: BillParams, response: responses(200, BillDetailBody, [401, 403, 404]) },
    }, async (req, reply) => {
      const detail = await detailFor(currentCandidate(req).id, req.params.billNo);
      if (!detail) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      return billDetailView(detail, ctx.clock.now(), available);
    });

    app.post('/api/v1/bills/:billNo/agreement', {
      config: passToo,
      schema: {
        tags: ['candidate'], summary: 'Accept the payment agreement (缴费协议, PAY-2)', params: BillParams,
        body: Type.Object({ accepted: Type.Literal(true) }, { additionalProperties: false }),
        response: responses(200, Type.Object({ billNo: BillNo, agreementAcceptedAt: Timestamp }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const result = await acceptAgreement(ctx, { candidateId: currentCandidate(req).id, billNo: req.params.billNo });
      if (!result.ok) return sendFailure(req, reply, result.error);
      return { billNo: result.value.bill_no, agreementAcceptedAt: result.value.agreement_accepted_at!.toISOString() };
    });

    app.post('/api/v1/bills/:billNo/cancel', {
      schema: {
        tags: ['candidate'], summary: 'Withdraw an unpaid bill; its subjects can be confirmed again', params: BillParams,
        response: responses(200, BillDetailBody, [401, 403, 404, 409, 502]),
      },
    }, async (req, reply) => {
      const me = currentCandidate(req);
      if (!isValidBillNo(req.params.billNo)) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      const result = await cancelBill(ctx, { candidateId: me.id, billNo: req.params.billNo, actor: actorOf(req) });
      if (!result.ok) return sendFailure(req, reply, result.error);
      return billDetailView(await billDetail(ctx.db, result.value), ctx.clock.now(), available);
    });

    app.post('/api/v1/bills/:billNo/payments', {
      config: passToo,
      schema: {
        tags: ['candidate'], summary: 'Pay: send the bill to a channel; returns the cashier URL and QR content', params: BillParams,
        body: Type.Object({ channel: Type.String({ pattern: '^[a-z]{2,16}$' }) }, { additionalProperties: false }),
        response: responses(200, Type.Object({ billNo: BillNo, outTradeNo: Type.String(), channel: Type.String(), payUrl: Type.String(), qrContent: Type.String(), expiresAt: Timestamp }), [401, 403, 404, 409, 502]),
      },
    }, async (req, reply) => {
      const me = currentCandidate(req);
      if (!isValidBillNo(req.params.billNo)) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      const result = await startPayment(ctx, { candidateId: me.id, billNo: req.params.billNo, channel: req.body.channel, actor: actorOf(req) });
      if (!result.ok) return sendFailure(req, reply, result.error);
      return { ...result.value, expiresAt: result.value.expiresAt.toISOString() };
    });

    app.post('/api/v1/bills/:billNo/status-check', {
      config: passToo,
      schema: {
        tags: ['candidate'], summary: '确认缴费状态: ask the channel now and return the bill (PAY-4)', params: BillParams,
        response: responses(200, Type.Intersect([BillDetailBody, Type.Object({ channelAnswers: Type.Array(Type.Object({ outTradeNo: Type.String(), channel: Type.String(), answer: Type.String() })) })]), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const me = currentCandidate(req);
      const bill = isValidBillNo(req.params.billNo) ? await findCandidateBill(ctx.db, me.id, req.params.billNo) : undefined;
      if (!bill) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      // checkBillStatus returns the bill as it is after the channel's answers.
      const { bill: after, answers } = await checkBillStatus(ctx, { billId: bill.id, actor: actorOf(req), by: 'candidate' });
      return { ...billDetailView(await billDetail(ctx.db, after), ctx.clock.now(), available), channelAnswers: answers };
    });
  };
}
