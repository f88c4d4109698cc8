import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { StaffActor } from '../accounts/authorization.ts';
import { listScope } from '../accounts/authorization.ts';
import { registrationPaymentStatus } from './registration-status.ts';

/**
 * ORG-1: the institution's candidates, each with its active registrations and where each stands
 * (未缴费 / on a bill / paid / seat released and why), and whether the institution may put it on
 * a batch bill. Candidates by id (keyset paging); the scope is the staff member's institution.
 */
export async function listInstitutionCandidates(
  db: DbOrTrx,
  actor: StaffActor,
  filter: { sittingId?: bigint; candidateId?: bigint; afterId?: bigint; limit: number },
) {
  const scope = listScope(actor);
  const institutionId = scope.institutionId ?? -1n;
  let cq = db.selectFrom('candidate as c')
    .select(['c.id', 'c.name', 'c.id_number_sealed'])
    .where('c.authority_id', '=', scope.authorityId).where('c.institution_id', '=', institutionId);
  if (filter.candidateId !== undefined) cq = cq.where('c.id', '=', filter.candidateId);
  if (filter.afterId !== undefined) cq = cq.where('c.id', '>', filter.afterId);
  const candidates = await cq.orderBy('c.id').limit(filter.limit).execute();
  if (candidates.length === 0) return [];

  let rq = db.selectFrom('registration as r')
    .innerJoin('subject as s', 's.id', 'r.subject_id')
    .innerJoin('sitting as st', 'st.id', 'r.sitting_id')
    .innerJoin('exam as e', 'e.id', 'st.exam_id')
    .leftJoin('bill_item as i', (j) => j.onRef('i.registration_id', '=', 'r.id').on('i.live', '=', true))
    .leftJoin('bill as b', 'b.id', 'i.bill_id')
    .leftJoin('seat', (j) => j.onRef('seat.registration_id', '=', 'r.id').on('seat.state', 'in', ['HELD', 'SOLD']))
    .leftJoin('site as si', 'si.id', 'r.site_id')
    .leftJoin('slot as sl', 'sl.id', 'r.slot_id')
    .select(['r.id', 'r.candidate_id', 'r.owner', 'r.institution_id', 'r.paid_at', 'r.created_at', 'r.sitting_id', 'st.code as sitting_code', 'st.name as sitting_name',
      's.id as subject_id', 's.code as subject_code', 's.name as subject_name', 's.kind', 's.fee_fen',
      'b.bill_no', 'b.state as bill_state', 'b.owner as bill_owner',
      'r.site_id', 'si.name as site_name', 'r.slot_id', 'sl.starts_at as slot_starts_at', 'seat.seat_no', 'seat.state as seat_state',
      'r.seat_released_reason', 'e.bill_timeout_minutes', 'e.seat_hold_minutes',
      sql<boolean>`EXISTS (SELECT 1 FROM seat_pool p WHERE p.subject_id = r.subject_id)`.as('needs_seat')])
    .where('r.candidate_id', 'in', candidates.map((c) => c.id)).where('r.status', '=', 'ACTIVE');
  if (filter.sittingId !== undefined) rq = rq.where('r.sitting_id', '=', filter.sittingId);
  const regs = await rq.orderBy('r.id').execute();

  return candidates.map((c) => ({
    ...c,
    registrations: regs.filter((r) => r.candidate_id === c.id).map((r) => ({
      ...r,
      // Which bill the institution may name: its own batch bill, or its candidate's (bill.read reaches both).
      ...registrationPaymentStatus({
        owner: r.owner, institutionId: r.institution_id, paidAt: r.paid_at,
        liveBill: r.bill_no !== null && r.bill_state !== null && r.bill_owner !== null ? { billNo: r.bill_no, state: r.bill_state, owner: r.bill_owner } : null,
        needsSeat: r.needs_seat, hasSeat: r.seat_no !== null, seatReleasedReason: r.seat_released_reason,
        exam: { billTimeoutMinutes: r.bill_timeout_minutes, seatHoldMinutes: r.seat_hold_minutes },
      }, institutionId),
    })),
  }));
}
export type InstitutionCandidateRow = Awaited<ReturnType<typeof listInstitutionCandidates>>[number];
