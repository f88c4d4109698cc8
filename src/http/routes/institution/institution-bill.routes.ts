import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import { staffLabel } from '../../../modules/accounts/authorization.ts';
import { auditActor } from '../../../modules/accounts/staff-accounts.ts';
import { loadBill, loadCandidate, loadSitting } from '../../../modules/accounts/staff-scope.ts';
import { AUDIT_ACTIONS, recordAudit } from '../../../modules/audit/audit-log.ts';
import { acceptAgreement } from '../../../modules/billing/accept-agreement.ts';
import { billDetail } from '../../../modules/billing/bill-queries.ts';
import { cancelBill } from '../../../modules/billing/cancel-bill.ts';
import { createInstitutionBill, institutionBillFacts, listInstitutionBills, MAX_BATCH_REGISTRATIONS } from '../../../modules/institutions/institution-bills.ts';
import { listInstitutionCandidates } from '../../../modules/institutions/institution-candidates.ts';
import { checkBillStatus } from '../../../modules/payments/check-bill-status.ts';
import { startPayment } from '../../../modules/payments/start-payment.ts';
import type { Bill } from '../../../db/schema.ts';
import type { StaffAction } from '../../../modules/accounts/authorization.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, IdString, responses, Timestamp } from '../../schemas.ts';
import { Limit } from '../staff/staff-read.routes.ts';
import { InstitutionBillDetail, institutionBillDetailView, InstitutionBillSummary, institutionBillSummaryView, InstitutionCandidate, institutionCandidateView } from './institution-bill.views.ts';

const PREFIX = '/api/v1/institution';
const tags = ['institution'];
const BillParams = Type.Object({ billNo: BillNo });
const BillState = Type.Union([Type.Literal('UNPAID'), Type.Literal('PAYING'), Type.Literal('PAID'), Type.Literal('CLOSED'), Type.Literal('REFUNDED'), Type.Literal('PARTIALLY_REFUNDED')]);
const ChannelAnswers = Type.Object({ channelAnswers: Type.Array(Type.Object({ outTradeNo: Type.String(), channel: Type.String(), answer: Type.String() })) });

/**
 * 集体缴费 (ORG-1, REG-8; seed 000 学习中心报考): the institution sees its candidates and where
 * each registration stands, puts a chosen set of its own unpaid registrations on one batch bill,
 * and pays it through a channel the exam offers to institutions — through the same payment core
 * as a candidate's bill (start, 确认缴费状态, close; notify, the poll and expiry jobs, duplicate
 * refunds and the ledger need nothing of their own).
 */
export function institutionBillRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const available = (channel: string) => ctx.channels.get(channel) !== undefined;

    /** The institution's own batch bill through the scoped loader; a candidate's bill (even its candidate's) is not one. */
    const batchBill = async (req: FastifyRequest, reply: FastifyReply, billNo: string, action: StaffAction): Promise<Bill | undefined> => {
      if (!isValidBillNo(billNo)) {
        await sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
        return undefined;
      }
      const bill = await loadBill(ctx.db, currentStaff(req).actor, action, billNo);
      if (!bill.ok || bill.value.owner !== 'INSTITUTION') {
        await sendFailure(req, reply, bill.ok ? { code: 'BILL_NOT_FOUND' } : bill.error);
        return undefined;
      }
      return bill.value;
    };
    const detailOf = async (bill: Bill) => {
      const [detail, facts] = await Promise.all([billDetail(ctx.db, bill), institutionBillFacts(ctx.db, bill)]);
      return institutionBillDetailView(ctx.personalData, detail, facts, ctx.clock.now(), available);
    };

    app.get(`${PREFIX}/candidates`, {
      config: { staffAction: 'registration.read' },
      schema: {
        tags, summary: 'The institution\'s candidates by id, each with its registrations and where each stands (未缴费 / on a bill / paid / seat released and why)',
        querystring: Type.Object({
          sittingId: Type.Optional(IdString), candidateId: Type.Optional(IdString),
          afterId: Type.Optional(IdString), limit: Type.Optional(Limit),
        }, { additionalProperties: false }),
        response: responses(200, Type.Array(InstitutionCandidate), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      if (req.query.candidateId) {
        const c = await loadCandidate(ctx.db, staff.actor, 'registration.read', BigInt(req.query.candidateId));
        if (!c.ok) return sendFailure(req, reply, c.error);
      }
      if (req.query.sittingId) {
        const s = await loadSitting(ctx.db, staff.actor, 'registration.read', BigInt(req.query.sittingId));
        if (!s.ok) return sendFailure(req, reply, s.error);
      }
      const rows = await listInstitutionCandidates(ctx.db, staff.actor, {
        limit: Number(req.query.limit ?? 50),
        ...(req.query.sittingId ? { sittingId: BigInt(req.query.sittingId) } : {}), ...(req.query.candidateId ? { candidateId: BigInt(req.query.candidateId) } : {}),
        ...(req.query.afterId ? { afterId: BigInt(req.query.afterId) } : {}),
      });
      return rows.map((c) => institutionCandidateView(ctx.personalData, c));
    });

    app.post(`${PREFIX}/batch-bills`, {
      config: { staffAction: 'bill.pay' },
      schema: {
        tags, summary: '集体缴费: the chosen registrations this institution made (many candidates, one sitting) become one bill it pays (ORG-1)',
        body: Type.Object({ registrationIds: Type.Array(IdString, { minItems: 1, maxItems: MAX_BATCH_REGISTRATIONS, uniqueItems: true }) }, { additionalProperties: false }),
        response: responses(201, InstitutionBillDetail, [400, 401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await createInstitutionBill(ctx, { staff: currentStaff(req).account, registrationIds: req.body.registrationIds.map(BigInt), ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(201).send(await detailOf(r.value));
    });

    app.get(`${PREFIX}/batch-bills`, {
      config: { staffAction: 'bill.read' },
      schema: {
        tags, summary: 'The institution\'s batch bills, newest first',
        querystring: Type.Object({
          state: Type.Optional(BillState), sittingId: Type.Optional(IdString), beforeId: Type.Optional(IdString), limit: Type.Optional(Limit),
        }, { additionalProperties: false }),
        response: responses(200, Type.Object({ bills: Type.Array(InstitutionBillSummary), nextBeforeId: Type.Union([IdString, Type.Null()], { description: 'Pass as beforeId for the next page' }) }), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      // Only institution staff reach this API (staffApi), so the institution is always set.
      const institutionId = staff.actor.institutionId ?? -1n;
      if (req.query.sittingId) {
        const s = await loadSitting(ctx.db, staff.actor, 'bill.read', BigInt(req.query.sittingId));
        if (!s.ok) return sendFailure(req, reply, s.error);
      }
      const limit = Number(req.query.limit ?? 50);
      const rows = await listInstitutionBills(ctx.db, institutionId, {
        limit, ...(req.query.state ? { states: [req.query.state] } : {}), ...(req.query.sittingId ? { sittingId: BigInt(req.query.sittingId) } : {}),
        ...(req.query.beforeId ? { beforeId: BigInt(req.query.beforeId) } : {}),
      });
      const now = ctx.clock.now();
      return { bills: rows.map((b) => institutionBillSummaryView(b, now)), nextBeforeId: rows.length === limit ? String(rows[rows.length - 1]!.id) : null };
    });

    app.get(`${PREFIX}/batch-bills/:billNo`, {
      config: { staffAction: 'bill.read' },
      schema: { tags, summary: 'One batch bill: items with their candidates, channel orders (QR / cashier link), payments, refunds, history', params: BillParams, response: responses(200, InstitutionBillDetail, [401, 403, 404]) },
    }, async (req, reply) => {
      const bill = await batchBill(req, reply, req.params.billNo, 'bill.read');
      return bill && detailOf(bill);
    });

    app.get(`${PREFIX}/batch-bills/:billNo/qr.svg`, {
      config: { staffAction: 'bill.read' },
      schema: {
        tags, summary: 'QR code (SVG) of the batch bill\'s open channel order', params: BillParams, querystring: Type.Object({ channel: Type.String({ pattern: '^[a-z]{2,16}$' }) }),
        response: responses(200, Type.String({ description: 'image/svg+xml' }), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const bill = await batchBill(req, reply, req.params.billNo, 'bill.read');
      if (!bill) return reply;
      const order = (await billDetail(ctx.db, bill)).attempts.find((a) => a.channel === req.query.channel && a.state === 'OPEN' && a.qr_content);
      if (!order) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      return reply.type('image/svg+xml').header('cache-control', 'no-store').send(await QRCode.toString(order.qr_content, { type: 'svg', margin: 1, width: 220 }));
    });

    app.post(`${PREFIX}/batch-bills/:billNo/payments`, {
      config: { staffAction: 'bill.pay' },
      schema: {
        tags, summary: 'Pay: accept the payment agreement (PAY-2) and send the bill to a channel offered to institutions; returns the cashier URL and QR content, as the candidate route does',
        params: BillParams,
        body: Type.Object({ channel: Type.String({ pattern: '^[a-z]{2,16}$' }), agreementAccepted: Type.Literal(true) }, { additionalProperties: false }),
        response: responses(200, Type.Object({ billNo: BillNo, outTradeNo: Type.String(), channel: Type.String(), payUrl: Type.String(), qrContent: Type.String(), expiresAt: Timestamp }), [400, 401, 403, 404, 409, 502]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const bill = await batchBill(req, reply, req.params.billNo, 'bill.pay');
      if (!bill) return reply;
      const owner = { institutionId: bill.institution_id! };
      const agreed = await acceptAgreement(ctx, { ...owner, billNo: bill.bill_no });
      if (!agreed.ok) return sendFailure(req, reply, agreed.error);
      const r = await startPayment(ctx, {
        ...owner, billNo: bill.bill_no, channel: req.body.channel, actor: staffLabel(staff.actor),
        record: (trx, started) => recordAudit(trx, {
          at: ctx.clock.now(), actor: auditActor(staff.account), action: AUDIT_ACTIONS.INSTITUTION_BILL_PAY, object: { type: 'bill', id: bill.bill_no },
          summary: { channel: started.channel, outTradeNo: started.outTradeNo, amountFen: bill.amount_fen }, ip: req.ip,
        }),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { ...r.value, expiresAt: r.value.expiresAt.toISOString() };
    });

    app.post(`${PREFIX}/batch-bills/:billNo/status-check`, {
      config: { staffAction: 'bill.pay' },
      schema: {
        tags, summary: '确认缴费状态: ask the channel now and return the batch bill (PAY-4)', params: BillParams,
        response: responses(200, Type.Intersect([InstitutionBillDetail, ChannelAnswers]), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const bill = await batchBill(req, reply, req.params.billNo, 'bill.pay');
      if (!bill) return reply;
      const { bill: after, answers } = await checkBillStatus(ctx, { billId: bill.id, actor: staffLabel(currentStaff(req).actor), by: 'candidate' });
      return { ...(await detailOf(after)), channelAnswers: answers };
    });

    app.post(`${PREFIX}/batch-bills/:billNo/close`, {
      config: { staffAction: 'bill.pay' },
      schema: {
        tags, summary: 'Close an unpaid batch bill (its channel orders are closed first); its registrations can go on a new bill',
        params: BillParams, response: responses(200, InstitutionBillDetail, [401, 403, 404, 409, 502]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const bill = await batchBill(req, reply, req.params.billNo, 'bill.pay');
      if (!bill) return reply;
      const r = await cancelBill(ctx, {
        institutionId: bill.institution_id!, billNo: bill.bill_no, actor: staffLabel(staff.actor),
        record: (trx, closed) => recordAudit(trx, {
          at: ctx.clock.now(), actor: auditActor(staff.account), action: AUDIT_ACTIONS.INSTITUTION_BILL_CLOSE, object: { type: 'bill', id: bill.bill_no },
          summary: { before: { state: 'UNPAID' }, after: { state: closed.state, closedCause: closed.closed_cause } }, ip: req.ip,
        }),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return detailOf(r.value);
    });
  };
}
