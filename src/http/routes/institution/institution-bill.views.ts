import { Type } from 'typebox';
import { maskIdNumber, readIdNumber } from '../../../modules/accounts/id-number.ts';
import type { BillDetail } from '../../../modules/billing/bill-queries.ts';
import type { InstitutionBillFacts, listInstitutionBills } from '../../../modules/institutions/institution-bills.ts';
import type { InstitutionCandidateRow } from '../../../modules/institutions/institution-candidates.ts';
import type { PersonalDataKeys } from '../../../shared/personal-data.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { BillNo, Fen, IdString } from '../../schemas.ts';
import { BillDetailBody, billDetailView, BillSummary, billSummaryView, fenJson } from '../candidate/bill.views.ts';

/** Shapes of the institution's batch payment API (ORG-1). ID numbers are masked (OPS-6). */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Label = Type.Object({ zh: Type.String(), en: Type.String() });
const masked = (keys: PersonalDataKeys, row: { id_number_sealed: Buffer }) => maskIdNumber(readIdNumber(keys, row));

const PaymentStatus = Type.Union([Type.Literal('UNPAID'), Type.Literal('ON_BILL'), Type.Literal('PAID'), Type.Literal('SEAT_RELEASED')]);

export const InstitutionCandidate = Type.Object({
  candidateId: IdString,
  name: Type.String(),
  idNumberMasked: Type.String(),
  registrations: Type.Array(Type.Object({
    registrationId: IdString, sittingId: IdString, sittingCode: Type.String(), sittingName: Type.String(),
    subjectId: IdString, subjectCode: Type.String(), subjectName: Type.String(), kind: Type.String(), feeFen: Fen,
    owner: Type.Union([Type.Literal('CANDIDATE'), Type.Literal('INSTITUTION')], { description: 'INSTITUTION: made by this institution (REG-8); CANDIDATE: the candidate\'s own, which only the candidate pays' }),
    status: PaymentStatus,
    statusLabel: Label,
    payableByInstitution: Type.Boolean({ description: 'May go on a new batch bill now' }),
    reason: Nullable(Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() }, { description: 'Why it cannot go on a batch bill now, and what to do' })),
    bill: Nullable(Type.Object({ billNo: BillNo, state: Type.String(), owner: Type.Union([Type.Literal('CANDIDATE'), Type.Literal('INSTITUTION')]) }, { description: 'The open or paid bill it is on' })),
    seat: Nullable(Type.Object({ siteId: IdString, siteName: Type.String(), slotId: IdString, startsAt: Type.String(), seatNo: Type.Integer(), state: Type.String() })),
    seatReleased: Nullable(Type.Object({ reason: Type.String(), zh: Type.String(), en: Type.String() })),
    createdAt: Type.String({ format: 'date-time' }),
  })),
});

export function institutionCandidateView(keys: PersonalDataKeys, c: InstitutionCandidateRow) {
  return {
    candidateId: String(c.id), name: c.name, idNumberMasked: masked(keys, c),
    registrations: c.registrations.map((r) => ({
      registrationId: String(r.id), sittingId: String(r.sitting_id), sittingCode: r.sitting_code, sittingName: r.sitting_name,
      subjectId: String(r.subject_id), subjectCode: r.subject_code, subjectName: r.subject_name, kind: r.kind, feeFen: fenJson(r.fee_fen),
      owner: r.owner, status: r.status, statusLabel: r.label, payableByInstitution: r.payableByInstitution, reason: r.reason,
      bill: r.bill_no !== null && r.bill_state !== null && r.bill_owner !== null ? { billNo: r.bill_no, state: r.bill_state, owner: r.bill_owner } : null,
      seat: r.seat_no !== null && r.site_id !== null && r.slot_id !== null
        ? { siteId: String(r.site_id), siteName: r.site_name ?? '', slotId: String(r.slot_id), startsAt: r.slot_starts_at ? formatShanghai(r.slot_starts_at) : '', seatNo: r.seat_no, state: r.seat_state ?? '' }
        : null,
      seatReleased: r.seatReleased,
      createdAt: r.created_at.toISOString(),
    })),
  };
}

const Payer = Type.Object({ kind: Type.Literal('INSTITUTION'), institutionId: IdString, code: Type.String(), name: Type.String({ description: 'The payer a receipt names (DOC-1)' }) });

export const InstitutionBillSummary = Type.Intersect([BillSummary, Type.Object({
  sittingId: IdString,
  itemCount: Type.Integer({ minimum: 1 }),
})]);

export function institutionBillSummaryView(b: Awaited<ReturnType<typeof listInstitutionBills>>[number], now: Date) {
  return { ...billSummaryView(b, now), sittingId: String(b.sitting_id), itemCount: b.item_count };
}

/**
 * The candidate route's bill (items, channel orders with their QR/cashier links, payments,
 * refunds, history, channels offered — to institutions) plus who pays, the sitting, the agreement
 * text (PAY-2) and each item's candidate.
 */
export const InstitutionBillDetail = Type.Intersect([BillDetailBody, Type.Object({
  payer: Payer,
  sittingId: IdString,
  sittingName: Type.String(),
  examName: Type.String(),
  agreementText: Type.String({ description: '缴费协议: accepted with the first payment (agreementAccepted: true)' }),
  candidates: Type.Array(Type.Object({
    registrationId: IdString, candidateId: IdString, candidateName: Type.String(), idNumberMasked: Type.String(), paid: Type.Boolean(),
  }), { description: 'The candidate of each item, in item order' }),
})]);

export function institutionBillDetailView(keys: PersonalDataKeys, d: BillDetail, facts: InstitutionBillFacts, now: Date, available: (channel: string) => boolean) {
  return {
    ...billDetailView(d, now, available),
    payer: { kind: 'INSTITUTION' as const, institutionId: String(d.bill.institution_id), code: facts.institution_code ?? '', name: facts.institution_name ?? '' },
    sittingId: String(d.bill.sitting_id), sittingName: facts.sitting_name, examName: facts.exam_name, agreementText: facts.agreement_text,
    candidates: facts.items.map((i) => ({
      registrationId: String(i.registration_id), candidateId: String(i.candidate_id), candidateName: i.candidate_name, idNumberMasked: masked(keys, i), paid: i.paid_at !== null,
    })),
  };
}
