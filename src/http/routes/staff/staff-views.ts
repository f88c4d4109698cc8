import { Type } from 'typebox';
import { maskIdNumber, readIdNumber } from '../../../modules/accounts/id-number.ts';
import type { BillDetail } from '../../../modules/billing/bill-queries.ts';
import type { billLedgerEntries } from '../../../modules/ledger/bill-ledger.ts';
import type { PersonalDataKeys } from '../../../shared/personal-data.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { Fen, IdString, NullableTimestamp, Timestamp } from '../../schemas.ts';
import { BillSummary, billSummaryView, fenJson } from '../candidate/bill.views.ts';

/** Shapes staff answers share. ID numbers are always masked here (OPS-6). */

export const Label = Type.Object({ zh: Type.String(), en: Type.String() });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const masked = (keys: PersonalDataKeys, row: { id_number_sealed: Buffer }) => maskIdNumber(readIdNumber(keys, row));

export const InstitutionRef = Nullable(Type.Object({ institutionId: IdString, name: Type.String() }));
const institutionRef = (id: bigint | null, name: string | null) => (id !== null ? { institutionId: String(id), name: name ?? '' } : null);

export const CandidateSummary = Type.Object({
  candidateId: IdString,
  name: Type.String(),
  idType: Type.String(),
  idNumberMasked: Type.String({ description: 'All but the first 3 and last 4 characters masked' }),
  examCode: Type.String(),
  institution: InstitutionRef,
});

export function candidateSummaryView(keys: PersonalDataKeys, c: { id: bigint; name: string; id_type: string; id_number_sealed: Buffer; exam_code: string; institution_id: bigint | null; institution_name: string | null }) {
  return { candidateId: String(c.id), name: c.name, idType: c.id_type, idNumberMasked: masked(keys, c), examCode: c.exam_code, institution: institutionRef(c.institution_id, c.institution_name) };
}

export const RegistrationRow = Type.Object({
  registrationId: IdString, sittingId: IdString, sittingCode: Type.String(), subjectCode: Type.String(), subjectName: Type.String(), kind: Type.String(),
  feeFen: Fen, owner: Type.String(), paid: Type.Boolean(), billNo: Nullable(Type.String()), billState: Nullable(Type.String()),
  seat: Nullable(Type.Object({ siteId: IdString, siteName: Type.String(), slotId: IdString, startsAt: Type.String(), seatNo: Type.Integer(), state: Type.String() })),
});

export function registrationRowView(r: {
  id: bigint; sitting_id: bigint; sitting_code: string; subject_code: string; subject_name: string; kind: string; fee_fen: bigint; owner: string; paid_at: Date | null;
  bill_no?: string | null; bill_state?: string | null; site_id: bigint | null; site_name: string | null; slot_id: bigint | null; slot_starts_at: Date | null; seat_no: number | null; seat_state: string | null;
}) {
  return {
    registrationId: String(r.id), sittingId: String(r.sitting_id), sittingCode: r.sitting_code, subjectCode: r.subject_code, subjectName: r.subject_name, kind: r.kind,
    feeFen: fenJson(r.fee_fen), owner: r.owner, paid: r.paid_at !== null, billNo: r.bill_no ?? null, billState: r.bill_state ?? null,
    seat: r.seat_no !== null && r.site_id !== null && r.slot_id !== null
      ? { siteId: String(r.site_id), siteName: r.site_name ?? '', slotId: String(r.slot_id), startsAt: r.slot_starts_at ? formatShanghai(r.slot_starts_at) : '', seatNo: r.seat_no, state: r.seat_state ?? '' }
      : null,
  };
}

export const ReviewRow = Type.Object({
  reviewId: IdString, sittingId: IdString, sittingCode: Type.String(), status: Type.String(), ticketNo: Type.String(),
  createdAt: Timestamp, decidedAt: NullableTimestamp, rejectReason: Nullable(Type.String()),
});
export function reviewRowView(v: { id: bigint; sitting_id: bigint; sitting_code: string; status: string; ticket_no: string; created_at: Date; decided_at: Date | null; reject_reason: string | null }) {
  return { reviewId: String(v.id), sittingId: String(v.sitting_id), sittingCode: v.sitting_code, status: v.status, ticketNo: v.ticket_no, createdAt: v.created_at.toISOString(), decidedAt: iso(v.decided_at), rejectReason: v.reject_reason };
}

/** One entry of the review queue, with what the decision rests on (REG-4). */
export const QueuedReview = Type.Intersect([ReviewRow, Type.Object({
  decidedBy: Nullable(Type.String()),
  candidate: Type.Object({ candidateId: IdString, name: Type.String(), idNumberMasked: Type.String(), institutionName: Nullable(Type.String()) }),
  cet4Record: Nullable(Type.Object({ name: Type.String(), idNumberMasked: Type.String(), score: Type.Integer(), sameIdNumber: Type.Boolean(), sameName: Type.Boolean() })),
})]);
export function queuedReviewView(keys: PersonalDataKeys, v: Parameters<typeof reviewRowView>[0] & {
  decided_by: string | null; candidate_id: bigint; candidate_name: string; id_number_sealed: Buffer; id_number_hash: Buffer; institution_name: string | null;
  record_name: string | null; record_id_number_sealed: Buffer | null; record_id_number_hash: Buffer | null; record_score: number | null;
}) {
  const record = v.record_name !== null && v.record_id_number_sealed !== null && v.record_id_number_hash !== null && v.record_score !== null
    ? { name: v.record_name, idNumberMasked: masked(keys, { id_number_sealed: v.record_id_number_sealed }), score: v.record_score,
      sameIdNumber: v.record_id_number_hash.equals(v.id_number_hash), sameName: v.record_name.replace(/\s+/g, '') === v.candidate_name.replace(/\s+/g, '') }
    : null;
  return {
    ...reviewRowView(v), decidedBy: v.decided_by,
    candidate: { candidateId: String(v.candidate_id), name: v.candidate_name, idNumberMasked: masked(keys, v), institutionName: v.institution_name },
    cet4Record: record,
  };
}

/** A bill as staff see it (read only): no cashier links, but who did what and the ledger lines. */
export const StaffBillDetail = Type.Intersect([BillSummary, Type.Object({
  // Who pays (REG-8, ORG-1): a candidate's bill names the candidate, an institution's batch bill the institution.
  owner: Type.Union([Type.Literal('CANDIDATE'), Type.Literal('INSTITUTION')]),
  candidateId: Nullable(IdString),
  institutionId: Nullable(IdString),
  sittingId: IdString,
  flagReason: Nullable(Type.String()),
  items: Type.Array(Type.Object({ registrationId: IdString, subjectCode: Type.String(), subjectName: Type.String(), kind: Type.String(), amountFen: Fen,
    refundedFen: Type.Integer({ minimum: 0, description: 'Promised back for this item (refunds in any state), REF-4' }) })),
  orders: Type.Array(Type.Object({ outTradeNo: Type.String(), channel: Type.String(), state: Type.String(), createdAt: Timestamp, closedAt: NullableTimestamp })),
  payments: Type.Array(Type.Object({ channel: Type.String(), channelTradeNo: Type.String(), amountFen: Fen, paidAt: Timestamp, outcome: Type.String(), reportedBy: Type.String() })),
  refunds: Type.Array(Type.Object({ refundNo: Type.String(), channel: Type.String(), amountFen: Fen, reason: Type.String(), state: Type.String(), createdAt: Timestamp, succeededAt: NullableTimestamp })),
  transitions: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), cause: Type.String(), actor: Type.String(), at: Timestamp })),
  ledger: Type.Array(Type.Object({
    entryId: IdString, kind: Type.String(), at: Timestamp, channel: Type.String(), refundNo: Nullable(Type.String({ description: 'The refund a REFUND_* entry books' })),
    postings: Type.Array(Type.Object({ account: Type.String(), amountFen: Type.Integer({ description: 'Debit positive, credit negative (fen)' }) })),
  })),
})]);

export function staffBillDetailView(d: BillDetail, ledger: Awaited<ReturnType<typeof billLedgerEntries>>, now: Date) {
  return {
    ...billSummaryView(d.bill, now),
    owner: d.bill.owner,
    candidateId: d.bill.candidate_id === null ? null : String(d.bill.candidate_id),
    institutionId: d.bill.institution_id === null ? null : String(d.bill.institution_id),
    sittingId: String(d.bill.sitting_id),
    flagReason: d.bill.flag_reason,
    items: d.items.map((i) => ({ registrationId: String(i.registration_id), subjectCode: i.subject_code, subjectName: i.subject_name, kind: i.kind, amountFen: fenJson(i.amount_fen), refundedFen: fenJson(i.refunded_fen) })),
    orders: d.attempts.map((a) => ({ outTradeNo: a.out_trade_no, channel: a.channel, state: a.state, createdAt: a.created_at.toISOString(), closedAt: iso(a.closed_at) })),
    payments: d.captures.map((p) => ({ channel: p.channel, channelTradeNo: p.channel_trade_no, amountFen: fenJson(p.amount_fen), paidAt: p.paid_at.toISOString(), outcome: p.outcome, reportedBy: p.reported_by })),
    refunds: d.refunds.map((r) => ({ refundNo: r.refund_no, channel: r.channel, amountFen: fenJson(r.amount_fen), reason: r.reason, state: r.state, createdAt: r.created_at.toISOString(), succeededAt: iso(r.succeeded_at) })),
    transitions: d.history.map((h) => ({ from: h.from_state, to: h.to_state, cause: h.cause, actor: h.actor, at: h.at.toISOString() })),
    ledger: ledger.map((e) => ({ entryId: String(e.id), kind: e.kind, at: e.at.toISOString(), channel: e.channel, refundNo: e.refundNo, postings: e.postings.map((p) => ({ account: p.account, amountFen: p.amountFen < 0n ? -fenJson(-p.amountFen) : fenJson(p.amountFen) })) })),
  };
}
