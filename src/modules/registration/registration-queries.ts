import type { DbOrTrx } from '../../db/database.ts';

/**
 * A candidate's registrations with what the bill page needs: fee, and whether each can go on
 * a new bill now (PAY-1: not paid, not an institution's, not already on an open or paid bill).
 */
export async function listCandidateRegistrations(db: DbOrTrx, candidateId: bigint) {
  const rows = await db.selectFrom('registration as r')
    .innerJoin('subject as s', 's.id', 'r.subject_id')
    .innerJoin('sitting as st', 'st.id', 'r.sitting_id')
    .innerJoin('exam as e', 'e.id', 'st.exam_id')
    .leftJoin('bill_item as i', (j) => j.onRef('i.registration_id', '=', 'r.id').on('i.live', '=', true))
    .leftJoin('bill as b', 'b.id', 'i.bill_id')
    .leftJoin('seat as seat', 'seat.registration_id', 'r.id')
    .leftJoin('site as si', 'si.id', 'r.site_id')
    .leftJoin('slot as sl', 'sl.id', 'r.slot_id')
    .select(['r.id', 'r.owner', 'r.status', 'r.paid_at', 's.code as subject_code', 's.name as subject_name', 's.kind', 's.fee_fen',
      'st.id as sitting_id', 'st.code as sitting_code', 'st.name as sitting_name', 'b.bill_no', 'b.state as bill_state', 'b.owner as bill_owner',
      'r.site_id', 'si.name as site_name', 'r.slot_id', 'sl.starts_at as slot_starts_at', 'seat.seat_no', 'seat.state as seat_state',
      'r.seat_released_reason', 'e.bill_timeout_minutes', 'e.seat_hold_minutes', 'r.subject_id', 'e.roster_restricted'])
    .where('r.candidate_id', '=', candidateId).where('r.status', '=', 'ACTIVE')
    .orderBy('r.id').execute();
  return rows.map((r) => ({ ...r, payable: r.owner === 'CANDIDATE' && r.paid_at === null && r.bill_no === null }));
}
