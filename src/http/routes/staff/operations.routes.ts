import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { loadBill, loadSitting } from '../../../modules/accounts/staff-scope.ts';
import { AUDIT_ACTIONS, recordAudit, staffAuditActor } from '../../../modules/audit/audit-log.ts';
import { billDetail } from '../../../modules/billing/bill-queries.ts';
import { billLedgerEntries } from '../../../modules/ledger/bill-ledger.ts';
import { checkBillStatus } from '../../../modules/payments/check-bill-status.ts';
import { dashboard } from '../../../modules/operations/dashboard.ts';
import { findMismatch, listMismatches } from '../../../modules/operations/mismatch-queue.ts';
import { listPayingBills, STUCK_AFTER_MS } from '../../../modules/operations/stuck-bills.ts';
import { resolveMismatch } from '../../../modules/reconciliation/resolve-mismatch.ts';
import type { ReconciliationMismatch } from '../../../db/schema.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, IdString, NullableTimestamp, responses, Timestamp } from '../../schemas.ts';
import { fenJson } from '../candidate/bill.views.ts';
import { Limit } from './staff-read.routes.ts';
import { StaffBillDetail, staffBillDetailView } from './staff-views.ts';

const PREFIX = '/api/v1/admin';
const tags = ['staff', 'operations'];
const Count = Type.Integer({ minimum: 0 });
const FenString = Type.String({ pattern: '^\\d+$', description: 'Amount in fen, as a string (sums can pass 2^53 only in theory, but sums are never floats)' });
const Resolution = Type.Union([Type.Literal('OPEN'), Type.Literal('AUTO_SETTLED'), Type.Literal('AUTO_REFUNDED'), Type.Literal('RESOLVED_BY_STAFF')]);

const DashboardBody = Type.Object({
  generatedAt: Timestamp,
  registrationsByDay: Type.Array(Type.Object({ day: Type.String(), registrations: Count, paid: Count })),
  paymentsByDay: Type.Array(Type.Object({ day: Type.String(), channel: Type.String(), payments: Count, amountFen: FenString })),
  byChannel: Type.Array(Type.Object({ channel: Type.String(), payments: Count, amountFen: FenString, refundedFen: FenString })),
  bySubject: Type.Array(Type.Object({ subjectId: IdString, subjectName: Type.String(), active: Count, paid: Count })),
  bySite: Type.Array(Type.Object({ siteId: IdString, siteName: Type.String(), active: Count, paid: Count })),
  seatsBySlot: Type.Array(Type.Object({ slotId: IdString, slotCode: Type.String(), startsAt: Timestamp, startsAtShown: Type.String(), free: Count, held: Count, sold: Count })),
  payingByAge: Type.Array(Type.Object({ bucket: Type.String(), bills: Count, amountFen: FenString, flagged: Type.Boolean() })),
  refundsInFlight: Type.Array(Type.Object({ state: Type.String(), refunds: Count, amountFen: FenString })),
  openMismatches: Type.Array(Type.Object({ channel: Type.String(), mismatches: Count })),
});

const PayingBill = Type.Object({
  billNo: BillNo, owner: Type.String(), payerName: Type.Union([Type.String(), Type.Null()]), sittingName: Type.String(), amountFen: Type.Integer(), channel: Type.Union([Type.String(), Type.Null()]),
  payingSince: Timestamp, payingSinceShown: Type.String(), hoursPaying: Type.Integer(), pastFlag: Type.Boolean({ description: 'More than 24 hours in 缴费中 (PAY-4)' }),
  flaggedAt: NullableTimestamp, lastQueriedAt: NullableTimestamp, openOrders: Count,
});

const Mismatch = Type.Object({
  mismatchId: IdString, channel: Type.String(), day: Type.String(), kind: Type.String(), reason: Type.String(), billNo: Type.String(), channelTradeNo: Type.String(),
  refundNo: Type.Union([Type.String(), Type.Null()]), ourAmountFen: Type.Union([Type.Integer(), Type.Null()]), theirAmountFen: Type.Union([Type.Integer(), Type.Null()]),
  at: Timestamp, resolution: Resolution, autoRefundNo: Type.Union([Type.String(), Type.Null()]), detail: Type.String(),
  resolvedNote: Type.Union([Type.String(), Type.Null()]), resolvedBy: Type.Union([Type.String(), Type.Null()]), resolvedAt: NullableTimestamp,
});
const mismatchView = (m: ReconciliationMismatch) => ({
  mismatchId: String(m.id), channel: m.channel, day: m.day, kind: m.kind, reason: m.reason, billNo: m.bill_no, channelTradeNo: m.channel_trade_no, refundNo: m.refund_no,
  ourAmountFen: m.our_amount_fen === null ? null : fenJson(m.our_amount_fen), theirAmountFen: m.their_amount_fen === null ? null : fenJson(m.their_amount_fen),
  at: m.at.toISOString(), resolution: m.resolution, autoRefundNo: m.auto_refund_no, detail: m.detail,
  resolvedNote: m.resolved_note, resolvedBy: m.resolved_by, resolvedAt: m.resolved_at ? m.resolved_at.toISOString() : null,
});

/**
 * The console's operations (ADM-3, PAY-4, PAY-10): the dashboards' figures, the bills stuck in
 * 缴费中 with "ask the channel now", and the reconciliation mismatches with their resolution.
 */
export function operationsRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(`${PREFIX}/dashboard`, {
      config: { staffAction: 'dashboard.read' },
      schema: {
        tags, summary: 'ADM-3: registrations and payments over time, by channel, subject and site; seats per slot; bills in 缴费中 by age; refunds in flight; open mismatches',
        querystring: Type.Object({ sittingId: Type.Optional(IdString), days: Type.Optional(Type.String({ pattern: '^([1-9]|[1-8]\\d|90)$', description: '1–90 days of history, default 30' })) }, { additionalProperties: false }),
        response: responses(200, DashboardBody, [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req).actor;
      if (req.query.sittingId) {
        const sitting = await loadSitting(ctx.db, staff, 'dashboard.read', BigInt(req.query.sittingId));
        if (!sitting.ok) return sendFailure(req, reply, sitting.error);
      }
      const now = ctx.clock.now();
      const d = await dashboard(ctx.db, { authorityId: staff.authorityId, now, days: Number(req.query.days ?? 30), ...(req.query.sittingId ? { sittingId: BigInt(req.query.sittingId) } : {}) });
      const fen = (f: bigint) => f.toString();
      return {
        generatedAt: now.toISOString(),
        registrationsByDay: d.registrationsByDay,
        paymentsByDay: d.paymentsByDay.map((r) => ({ ...r, amountFen: fen(r.amountFen) })),
        byChannel: d.byChannel.map((r) => ({ ...r, amountFen: fen(r.amountFen), refundedFen: fen(r.refundedFen) })),
        bySubject: d.bySubject.map((r) => ({ ...r, subjectId: String(r.subjectId) })),
        bySite: d.bySite.map((r) => ({ ...r, siteId: String(r.siteId) })),
        seatsBySlot: d.seatsBySlot.map((r) => ({ ...r, slotId: String(r.slotId), startsAt: r.startsAt.toISOString(), startsAtShown: formatShanghai(r.startsAt) })),
        payingByAge: d.payingByAge.map((r) => ({ ...r, amountFen: fen(r.amountFen) })),
        refundsInFlight: d.refundsInFlight.map((r) => ({ ...r, amountFen: fen(r.amountFen) })),
        openMismatches: d.openMismatches,
      };
    });

    app.get(`${PREFIX}/paying-bills`, {
      config: { staffAction: 'bill.read' },
      schema: {
        tags, summary: 'PAY-4: bills in 缴费中, oldest first; stuck=true for only those past 24 hours',
        querystring: Type.Object({ stuck: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])), limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: responses(200, Type.Array(PayingBill), [401, 403]),
      },
    }, async (req) => {
      const now = ctx.clock.now();
      const rows = await listPayingBills(ctx.db, { authorityId: currentStaff(req).actor.authorityId, now, onlyStuck: req.query.stuck === 'true', limit: Number(req.query.limit ?? 50) });
      return rows.map((b) => ({
        billNo: b.bill_no, owner: b.owner, payerName: b.payer_name, sittingName: b.sitting_name, amountFen: fenJson(b.amount_fen), channel: b.channel,
        payingSince: b.paying_since.toISOString(), payingSinceShown: formatShanghai(b.paying_since), hoursPaying: Math.floor((now.getTime() - b.paying_since.getTime()) / 3_600_000),
        pastFlag: now.getTime() - b.paying_since.getTime() >= STUCK_AFTER_MS, flaggedAt: b.flagged_at?.toISOString() ?? null, lastQueriedAt: b.last_queried_at?.toISOString() ?? null, openOrders: b.open_orders,
      }));
    });

    app.post(`${PREFIX}/bills/:billNo/status-check`, {
      config: { staffAction: 'bill.query' },
      schema: {
        tags, summary: 'PAY-4: ask the channel now about every open order of the bill and act on the answers (paid → settled, closed → done); audited',
        params: Type.Object({ billNo: BillNo }),
        response: responses(200, Type.Intersect([StaffBillDetail, Type.Object({ channelAnswers: Type.Array(Type.Object({ outTradeNo: Type.String(), channel: Type.String(), answer: Type.String() })) })]), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req).actor;
      const bill = await loadBill(ctx.db, staff, 'bill.query', req.params.billNo);
      if (!bill.ok) return sendFailure(req, reply, bill.error);
      const before = bill.value.state;
      const { bill: after, answers } = await checkBillStatus(ctx, { billId: bill.value.id, actor: `staff:${staff.staffId}`, by: 'candidate' });
      await recordAudit(ctx.db, {
        at: ctx.clock.now(), actor: staffAuditActor(staff), action: AUDIT_ACTIONS.BILL_QUERY, object: { type: 'bill', id: after.bill_no },
        summary: { before: { state: before }, after: { state: after.state }, answers: answers.map((a) => ({ channel: a.channel, answer: a.answer })) }, ip: req.ip,
      });
      const [detail, ledger] = await Promise.all([billDetail(ctx.db, after), billLedgerEntries(ctx.db, after.id)]);
      return { ...staffBillDetailView(detail, ledger, ctx.clock.now()), channelAnswers: answers };
    });

    app.get(`${PREFIX}/reconciliation/mismatches`, {
      config: { staffAction: 'reconciliation.read' },
      schema: {
        tags, summary: 'PAY-10: reconciliation mismatches concerning this authority (and lines naming no bill of ours), newest first',
        querystring: Type.Object({ resolution: Type.Optional(Resolution), billNo: Type.Optional(BillNo), channel: Type.Optional(Type.String({ pattern: '^[a-z]{2,16}$' })), beforeId: Type.Optional(IdString), limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: responses(200, Type.Array(Mismatch), [401, 403]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req).actor;
      if (req.query.billNo) {
        const bill = await loadBill(ctx.db, staff, 'reconciliation.read', req.query.billNo);
        if (!bill.ok) return sendFailure(req, reply, bill.error);
      }
      const rows = await listMismatches(ctx.db, {
        authorityId: staff.authorityId, limit: Number(req.query.limit ?? 50), ...(req.query.billNo ? { billNo: req.query.billNo } : {}),
        ...(req.query.resolution ? { resolution: req.query.resolution } : {}), ...(req.query.channel ? { channel: req.query.channel } : {}),
        ...(req.query.beforeId ? { beforeId: BigInt(req.query.beforeId) } : {}),
      });
      return rows.map(({ authority_id: _a, ...m }) => mismatchView(m));
    });

    app.post(`${PREFIX}/reconciliation/mismatches/:mismatchId/resolution`, {
      config: { staffAction: 'reconciliation.resolve' },
      schema: {
        tags, summary: 'PAY-10: close an open mismatch with a note of what was done (who and when are recorded; audited)',
        params: Type.Object({ mismatchId: IdString }),
        body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
        response: responses(200, Mismatch, [400, 401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req).actor;
      const found = await findMismatch(ctx.db, { authorityId: staff.authorityId, mismatchId: BigInt(req.params.mismatchId) });
      if (!found) return sendFailure(req, reply, { code: 'MISMATCH_NOT_FOUND', details: { id: req.params.mismatchId } });
      const r = await resolveMismatch(ctx, { mismatchId: found.id, staff: `staff:${staff.staffId}`, note: req.body.note, audit: { actor: staffAuditActor(staff), ip: req.ip } });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return mismatchView(r.value);
    });
  };
}
