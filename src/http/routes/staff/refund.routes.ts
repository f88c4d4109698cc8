import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { loadBill, loadRefund, loadSitting } from '../../../modules/accounts/staff-scope.ts';
import { endRegistrationByAuthority } from '../../../modules/refunds/authority-cancel.ts';
import { requestPersonalRefund } from '../../../modules/refunds/personal-refund.ts';
import { listRefunds, refundDetail, refundTotals } from '../../../modules/refunds/refund-queries.ts';
import { decideRepayment, listAwaitingRepayment } from '../../../modules/refunds/repayment-approval.ts';
import { retryFailedRefund } from '../../../modules/refunds/retry-refund.ts';
import { cancelSitting, cancelSubject, listAuthorityActions } from '../../../modules/refunds/sitting-cancel.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, Fen, IdString, responses } from '../../schemas.ts';
import { fenJson } from '../candidate/bill.views.ts';
import { Limit } from './staff-read.routes.ts';
import {
  AuthorityActionBody, authorityActionView, AwaitingRepayment, awaitingRepaymentView, RefundNo, RefundReasonLiteral, RefundStateLiteral, RefundTotal, refundTotalView,
  StaffRefund, staffRefundView,
} from './refund.views.ts';

const PREFIX = '/api/v1/admin';
const tags = ['staff', 'refunds'];
const Note = Type.String({ minLength: 1, maxLength: 500, description: 'Why (2–500 characters after trimming); the candidate is told it' });

/**
 * Refunds and the authority's decisions over the staff API (REF-1 … REF-4, ADM-4, ADM-5). Every
 * route declares its action (authorization.ts); the module functions take the staff actor, load
 * each object through a scoped loader, and write their audit record in the same transaction.
 * Finance: personal refunds, retries, the refund views. Authority administrators: cancelling or
 * changing registrations, cancelling sittings and subjects, re-payment approval.
 */
export function refundRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // ── Money (finance and administrators) ──
    app.post(`${PREFIX}/registrations/:registrationId/personal-refund`, {
      config: { staffAction: 'refund.personal' },
      schema: {
        tags, summary: "REF-1: refund a paid registration for the candidate's personal reasons, where the exam's policy lets staff decide; all that is left of it, or part",
        params: Type.Object({ registrationId: IdString }),
        body: Type.Object({ reason: Note, amountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })) }, { additionalProperties: false }),
        response: responses(201, Type.Object({ actionId: IdString, refundNo: Type.String(), amountFen: Fen, channel: Type.String(), registrationEnded: Type.Boolean() }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await requestPersonalRefund(ctx, {
        actor: currentStaff(req).actor, registrationId: BigInt(req.params.registrationId), reason: req.body.reason, ip: req.ip,
        ...(req.body.amountFen !== undefined ? { amountFen: BigInt(req.body.amountFen) } : {}),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      const { actionId, refundNo, amountFen, channel, registrationEnded } = r.value;
      return reply.code(201).send({ actionId: String(actionId), refundNo, amountFen: fenJson(amountFen), channel, registrationEnded });
    });

    app.post(`${PREFIX}/refunds/:refundNo/retry`, {
      config: { staffAction: 'refund.retry' },
      schema: {
        tags, summary: 'Send a refund the channel refused (FAILED) once more, under the same refund number',
        params: Type.Object({ refundNo: RefundNo }),
        response: responses(200, Type.Object({ refundNo: Type.String(), state: Type.Literal('PENDING') }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await retryFailedRefund(ctx, { actor: currentStaff(req).actor, refundNo: req.params.refundNo, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { refundNo: r.value.refundNo, state: 'PENDING' as const };
    });

    app.get(`${PREFIX}/refunds`, {
      config: { staffAction: 'refund.read' },
      schema: {
        tags, summary: "The authority's refunds, newest first: by sitting, state, reason, bill, or only those flagged for a person",
        querystring: Type.Object({
          sittingId: Type.Optional(IdString), billNo: Type.Optional(BillNo), state: Type.Optional(RefundStateLiteral), reason: Type.Optional(RefundReasonLiteral),
          flagged: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])), beforeId: Type.Optional(IdString), limit: Type.Optional(Limit),
        }, { additionalProperties: false }),
        response: responses(200, Type.Array(Type.Intersect([Type.Object({ id: IdString }), StaffRefund])), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const q = req.query;
      // Filters naming an object go through its scoped loader: another authority's id is a 404, not an empty list.
      if (q.sittingId) {
        const s = await loadSitting(ctx.db, staff.actor, 'refund.read', BigInt(q.sittingId));
        if (!s.ok) return sendFailure(req, reply, s.error);
      }
      if (q.billNo) {
        const b = isValidBillNo(q.billNo) ? await loadBill(ctx.db, staff.actor, 'refund.read', q.billNo) : undefined;
        if (!b?.ok) return sendFailure(req, reply, b ? b.error : { code: 'BILL_NOT_FOUND' });
      }
      const rows = await listRefunds(ctx.db, {
        authorityId: staff.actor.authorityId, limit: Number(q.limit ?? 50), flaggedOnly: q.flagged === 'true',
        ...(q.sittingId ? { sittingId: BigInt(q.sittingId) } : {}), ...(q.billNo ? { billNo: q.billNo } : {}),
        ...(q.state ? { states: [q.state] } : {}), ...(q.reason ? { reasons: [q.reason] } : {}), ...(q.beforeId ? { beforeId: BigInt(q.beforeId) } : {}),
      });
      return rows.map((r) => ({ id: String(r.id), ...staffRefundView(r) }));
    });

    app.get(`${PREFIX}/refunds/:refundNo`, {
      config: { staffAction: 'refund.read' },
      schema: { tags, summary: 'One refund: state explained, the item and capture it gives back, who decided', params: Type.Object({ refundNo: RefundNo }), response: responses(200, StaffRefund, [401, 403, 404]) },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const found = await loadRefund(ctx.db, staff.actor, 'refund.read', req.params.refundNo);
      if (!found.ok) return sendFailure(req, reply, found.error);
      const row = await refundDetail(ctx.db, { refundNo: found.value.refund_no, authorityId: staff.actor.authorityId });
      if (!row) return sendFailure(req, reply, { code: 'REFUND_NOT_FOUND' });
      return staffRefundView(row);
    });

    app.get(`${PREFIX}/sittings/:sittingId/refund-totals`, {
      config: { staffAction: 'refund.read' },
      schema: { tags, summary: "A sitting's refunds totalled per state and reason", params: Type.Object({ sittingId: IdString }), response: responses(200, Type.Array(RefundTotal), [401, 403, 404]) },
    }, async (req, reply) => {
      const s = await loadSitting(ctx.db, currentStaff(req).actor, 'refund.read', BigInt(req.params.sittingId));
      if (!s.ok) return sendFailure(req, reply, s.error);
      return (await refundTotals(ctx.db, { sittingId: s.value.id })).map(refundTotalView);
    });

    // ── The authority's decisions (administrators) ──
    app.post(`${PREFIX}/registrations/:registrationId/authority-decision`, {
      config: { staffAction: 'registration.cancel' },
      schema: {
        tags, summary: 'REF-2: the authority cancels or changes one registration; an open bill holding it closes, paid money comes back by itself, the candidate is told',
        params: Type.Object({ registrationId: IdString }),
        body: Type.Object({ kind: Type.Union([Type.Literal('CANCEL_REGISTRATION'), Type.Literal('CHANGE_REGISTRATION')]), note: Note }, { additionalProperties: false }),
        response: responses(200, Type.Object({
          actionId: IdString, cancelled: Type.Array(IdString), billsClosed: Type.Array(Type.String()),
          refunds: Type.Array(Type.Object({ refundNo: Type.String(), amountFen: Fen, channel: Type.String() })),
        }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await endRegistrationByAuthority(ctx, { actor: currentStaff(req).actor, registrationId: BigInt(req.params.registrationId), kind: req.body.kind, note: req.body.note, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return {
        actionId: String(r.value.actionId), cancelled: r.value.cancelled.map(String), billsClosed: r.value.billsClosed,
        refunds: r.value.refunds.map((f) => ({ refundNo: f.refund_no, amountFen: fenJson(f.amount_fen), channel: f.channel })),
      };
    });

    app.post(`${PREFIX}/sittings/:sittingId/cancel`, {
      config: { staffAction: 'sitting.cancel' },
      schema: {
        tags, summary: 'REF-2: cancel a whole sitting; no more registering or paying from now on; its registrations are ended, refunded and told in the background',
        params: Type.Object({ sittingId: IdString }), body: Type.Object({ note: Note }, { additionalProperties: false }),
        response: responses(202, AuthorityActionBody, [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await cancelSitting(ctx, { actor: currentStaff(req).actor, sittingId: BigInt(req.params.sittingId), note: req.body.note, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(202).send(authorityActionView(r.value));
    });

    app.post(`${PREFIX}/subjects/:subjectId/cancel`, {
      config: { staffAction: 'sitting.cancel' },
      schema: {
        tags, summary: 'REF-2: cancel one subject of a sitting; its registrations are ended, refunded and told in the background',
        params: Type.Object({ subjectId: IdString }), body: Type.Object({ note: Note }, { additionalProperties: false }),
        response: responses(202, AuthorityActionBody, [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await cancelSubject(ctx, { actor: currentStaff(req).actor, subjectId: BigInt(req.params.subjectId), note: req.body.note, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(202).send(authorityActionView(r.value));
    });

    app.get(`${PREFIX}/sittings/:sittingId/authority-actions`, {
      config: { staffAction: 'decision.read' },
      schema: {
        tags, summary: "A sitting's decisions, newest first: cancellations (with progress), changes, personal refunds",
        params: Type.Object({ sittingId: IdString }), response: responses(200, Type.Array(AuthorityActionBody), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const s = await loadSitting(ctx.db, staff.actor, 'decision.read', BigInt(req.params.sittingId));
      if (!s.ok) return sendFailure(req, reply, s.error);
      return (await listAuthorityActions(ctx.db, { sittingId: s.value.id, authorityId: staff.actor.authorityId })).map(authorityActionView);
    });

    app.get(`${PREFIX}/sittings/:sittingId/repayments`, {
      config: { staffAction: 'repayment.read' },
      schema: {
        tags, summary: 'REF-3: refunded registrations of a sitting waiting for the authority to allow paying again (经考区同意)',
        params: Type.Object({ sittingId: IdString }), response: responses(200, Type.Array(AwaitingRepayment), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      const s = await loadSitting(ctx.db, staff.actor, 'repayment.read', BigInt(req.params.sittingId));
      if (!s.ok) return sendFailure(req, reply, s.error);
      return (await listAwaitingRepayment(ctx.db, { sittingId: s.value.id, authorityId: staff.actor.authorityId })).map(awaitingRepaymentView);
    });

    app.post(`${PREFIX}/registrations/:registrationId/repayment-decision`, {
      config: { staffAction: 'repayment.decide' },
      schema: {
        tags, summary: 'REF-3: allow (or refuse) the candidate of a refunded registration to register and pay again',
        params: Type.Object({ registrationId: IdString }),
        body: Type.Object({ decision: Type.Union([Type.Literal('APPROVE'), Type.Literal('REJECT')]), note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: responses(200, Type.Object({ registrationId: IdString, status: Type.Union([Type.Literal('APPROVED'), Type.Literal('REJECTED')]) }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await decideRepayment(ctx, {
        actor: currentStaff(req).actor, registrationId: BigInt(req.params.registrationId), approve: req.body.decision === 'APPROVE', ip: req.ip,
        ...(req.body.note !== undefined ? { note: req.body.note } : {}),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { registrationId: String(r.value.registrationId), status: r.value.status };
    });
  };
}
