import { Type } from 'typebox';
import type { AuthorityAction } from '../../../db/schema.ts';
import type { listAwaitingRepayment } from '../../../modules/refunds/repayment-approval.ts';
import type { StaffRefundRow } from '../../../modules/refunds/refund-queries.ts';
import { channelLabel, explainRefund, REFUND_REASON_LABELS, REFUND_STATE_LABELS } from '../../../modules/refunds/refund-state.ts';
import type { listAuthorityActions } from '../../../modules/refunds/sitting-cancel.ts';
import { BillNo, Fen, IdString, NullableTimestamp, Timestamp } from '../../schemas.ts';
import { fenJson } from '../candidate/bill.views.ts';
import { Label } from './staff-views.ts';

/** Shapes of the staff refund API (REF-1 … REF-4). Amounts in fen; labels in Chinese and English. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const idOrNull = (id: bigint | null) => (id === null ? null : String(id));

export const RefundNo = Type.String({ pattern: '^\\d{21}R\\d{2,4}$', description: 'Refund number: the bill number, R, a sequence' });
export const RefundStateLiteral = Type.Union([Type.Literal('PENDING'), Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]);
export const RefundReasonLiteral = Type.Union([
  Type.Literal('DUPLICATE_PAYMENT'), Type.Literal('LATE_PAYMENT'), Type.Literal('AUTHORITY_CANCEL'), Type.Literal('AUTHORITY_CHANGE'), Type.Literal('PERSONAL'), Type.Literal('STAFF'),
]);
const ActionKind = Type.Union([
  Type.Literal('CANCEL_REGISTRATION'), Type.Literal('CHANGE_REGISTRATION'), Type.Literal('CANCEL_SUBJECT'), Type.Literal('CANCEL_SITTING'), Type.Literal('PERSONAL_REFUND'),
]);

export const StaffRefund = Type.Object({
  refundNo: Type.String(), state: RefundStateLiteral, stateLabel: Label, reason: RefundReasonLiteral, reasonLabel: Label,
  amountFen: Fen, channel: Type.String(), channelLabel: Label, explanation: Label,
  attempts: Type.Integer(), lastError: Nullable(Type.String()), flaggedAt: NullableTimestamp, createdAt: Timestamp, succeededAt: NullableTimestamp,
  note: Nullable(Type.String({ description: 'Why, in the words of whoever decided' })), requestedBy: Type.String(),
  registrationId: Nullable(IdString), subjectCode: Nullable(Type.String()), subjectName: Nullable(Type.String()),
  billNo: BillNo, billState: Type.String(), sittingId: IdString, sittingName: Type.String(),
  // The candidate whose money it is: null only for a duplicate or late payment given back whole on an institution's batch bill (ORG-1).
  candidateId: Nullable(IdString), candidateName: Nullable(Type.String()),
  billOwner: Type.Union([Type.Literal('CANDIDATE'), Type.Literal('INSTITUTION')]), institutionId: Nullable(IdString), institutionName: Nullable(Type.String()),
  channelTradeNo: Type.String(), captureOutcome: Type.String(),
});

export function staffRefundView(r: StaffRefundRow) {
  return {
    refundNo: r.refund_no, state: r.state, stateLabel: REFUND_STATE_LABELS[r.state], reason: r.reason, reasonLabel: REFUND_REASON_LABELS[r.reason],
    amountFen: fenJson(r.amount_fen), channel: r.channel, channelLabel: channelLabel(r.channel),
    explanation: explainRefund({ state: r.state, reason: r.reason, channel: r.channel, amountFen: r.amount_fen, succeededAt: r.succeeded_at, flagged: r.flagged_at !== null }),
    attempts: r.attempts, lastError: r.last_error, flaggedAt: iso(r.flagged_at), createdAt: r.created_at.toISOString(), succeededAt: iso(r.succeeded_at),
    note: r.note, requestedBy: r.requested_by, registrationId: idOrNull(r.registration_id), subjectCode: r.subject_code, subjectName: r.subject_name,
    billNo: r.bill_no, billState: r.bill_state, sittingId: String(r.sitting_id), sittingName: r.sitting_name, candidateId: idOrNull(r.candidate_id), candidateName: r.candidate_name,
    billOwner: r.bill_owner, institutionId: idOrNull(r.institution_id), institutionName: r.institution_name,
    channelTradeNo: r.channel_trade_no, captureOutcome: r.capture_outcome,
  };
}

export const RefundTotal = Type.Object({ state: RefundStateLiteral, stateLabel: Label, reason: RefundReasonLiteral, reasonLabel: Label, count: Type.Integer(), amountFen: Fen });
export function refundTotalView(t: { state: StaffRefundRow['state']; reason: StaffRefundRow['reason']; count: number; amountFen: bigint }) {
  return { state: t.state, stateLabel: REFUND_STATE_LABELS[t.state], reason: t.reason, reasonLabel: REFUND_REASON_LABELS[t.reason], count: t.count, amountFen: fenJson(t.amountFen) };
}

/** An authority decision (REF-1/REF-2) and, for a sitting or subject cancellation, its progress. */
export const AuthorityActionBody = Type.Object({
  actionId: IdString, kind: ActionKind, state: Type.Union([Type.Literal('RUNNING'), Type.Literal('DONE')]),
  subjectId: Nullable(IdString), registrationId: Nullable(IdString), note: Type.String(), actor: Type.String(),
  createdAt: Timestamp, finishedAt: NullableTimestamp,
  cancelledRegistrations: Type.Integer(), refundsCreated: Type.Integer(),
  registrationsLeft: Type.Integer({ description: 'Active registrations still to end (0 once DONE)' }), lastError: Nullable(Type.String()),
});

type ActionRow = Pick<AuthorityAction, 'id' | 'kind' | 'state' | 'subject_id' | 'registration_id' | 'note' | 'actor' | 'created_at' | 'finished_at' | 'cancelled_registrations' | 'refunds_created' | 'last_error'>;
export function authorityActionView(a: ActionRow & { registrations_left?: number }) {
  return {
    actionId: String(a.id), kind: a.kind, state: a.state, subjectId: idOrNull(a.subject_id), registrationId: idOrNull(a.registration_id), note: a.note, actor: a.actor,
    createdAt: a.created_at.toISOString(), finishedAt: iso(a.finished_at), cancelledRegistrations: a.cancelled_registrations, refundsCreated: a.refunds_created,
    registrationsLeft: a.registrations_left ?? 0, lastError: a.last_error,
  };
}

export const AwaitingRepayment = Type.Object({
  registrationId: IdString, candidateId: IdString, candidateName: Type.String(), subjectCode: Type.String(), subjectName: Type.String(),
  cancelledReason: Type.String(), cancelledAt: NullableTimestamp,
});
export function awaitingRepaymentView(r: Awaited<ReturnType<typeof listAwaitingRepayment>>[number]) {
  return {
    registrationId: String(r.registration_id), candidateId: String(r.candidate_id), candidateName: r.candidate_name, subjectCode: r.subject_code, subjectName: r.subject_name,
    cancelledReason: r.cancelled_reason ?? '', cancelledAt: iso(r.cancelled_at),
  };
}

export type AuthorityActionListRow = Awaited<ReturnType<typeof listAuthorityActions>>[number];
