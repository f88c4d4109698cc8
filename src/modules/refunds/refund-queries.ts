import type { DbOrTrx } from '../../db/database.ts';
import type { RefundReason, RefundStateName } from '../../db/schema.ts';

/**
 * REF-4: refunds as staff see them (the staff console's list and detail, ADM-3/ADM-4) and as the
 * candidate sees them beside a notice. Queries only; nothing here changes anything.
 */
export interface RefundFilter {
  /** Staff of one authority see only its refunds. */
  authorityId?: bigint;
  sittingId?: bigint;
  states?: RefundStateName[];
  reasons?: RefundReason[];
  /** Only refunds a person must look at (the channel refused, or has not confirmed for long). */
  flaggedOnly?: boolean;
  billNo?: string;
  refundNo?: string;
  /** Keyset paging: refunds with a smaller id than this (newest first). */
  beforeId?: bigint;
  limit?: number;
}

export async function listRefunds(db: DbOrTrx, f: RefundFilter = {}) {
  let q = db.selectFrom('refund as f')
    .innerJoin('bill as b', 'b.id', 'f.bill_id').innerJoin('sitting as st', 'st.id', 'b.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .innerJoin('channel_payment as p', 'p.id', 'f.channel_payment_id')
    .leftJoin('bill_item as i', 'i.id', 'f.bill_item_id').leftJoin('subject as s', 's.id', 'i.subject_id')
    // The candidate: the bill's payer, or on an institution's batch bill (ORG-1) the item's registration's candidate.
    .leftJoin('registration as ir', 'ir.id', 'i.registration_id')
    .leftJoin('candidate as c', (j) => j.on((eb) => eb('c.id', '=', eb.fn.coalesce('b.candidate_id', 'ir.candidate_id'))))
    .leftJoin('institution as inst', 'inst.id', 'b.institution_id')
    .select(['f.id', 'f.refund_no', 'f.reason', 'f.state', 'f.amount_fen', 'f.channel', 'f.attempts', 'f.last_error', 'f.flagged_at',
      'f.created_at', 'f.succeeded_at', 'f.note', 'f.requested_by', 'f.bill_item_id', 'i.registration_id', 's.code as subject_code', 's.name as subject_name',
      'b.bill_no', 'b.state as bill_state', 'b.sitting_id', 'st.name as sitting_name', 'c.id as candidate_id', 'c.name as candidate_name',
      'b.owner as bill_owner', 'b.institution_id', 'inst.name as institution_name',
      'p.channel_trade_no', 'p.outcome as capture_outcome']);
  if (f.authorityId !== undefined) q = q.where('e.authority_id', '=', f.authorityId);
  if (f.sittingId !== undefined) q = q.where('b.sitting_id', '=', f.sittingId);
  if (f.states?.length) q = q.where('f.state', 'in', f.states);
  if (f.reasons?.length) q = q.where('f.reason', 'in', f.reasons);
  if (f.flaggedOnly) q = q.where('f.flagged_at', 'is not', null);
  if (f.billNo !== undefined) q = q.where('b.bill_no', '=', f.billNo);
  if (f.refundNo !== undefined) q = q.where('f.refund_no', '=', f.refundNo);
  if (f.beforeId !== undefined) q = q.where('f.id', '<', f.beforeId);
  return q.orderBy('f.id', 'desc').limit(Math.min(f.limit ?? 50, 500)).execute();
}
export type StaffRefundRow = Awaited<ReturnType<typeof listRefunds>>[number];

/** One refund for staff, or undefined (also when it belongs to another authority). */
export async function refundDetail(db: DbOrTrx, input: { refundNo: string; authorityId?: bigint }): Promise<StaffRefundRow | undefined> {
  const [row] = await listRefunds(db, { refundNo: input.refundNo, limit: 1, ...(input.authorityId !== undefined ? { authorityId: input.authorityId } : {}) });
  return row;
}

/** Totals per state for a sitting's refunds: what the finance view leads with. */
export async function refundTotals(db: DbOrTrx, input: { sittingId: bigint }) {
  const rows = await db.selectFrom('refund as f').innerJoin('bill as b', 'b.id', 'f.bill_id')
    .select(['f.state', 'f.reason', (eb) => eb.fn.countAll<string>().as('count'), (eb) => eb.fn.sum<string>('f.amount_fen').as('amount')])
    .where('b.sitting_id', '=', input.sittingId).groupBy(['f.state', 'f.reason']).orderBy('f.state').orderBy('f.reason').execute();
  return rows.map((r) => ({ state: r.state, reason: r.reason, count: Number(r.count), amountFen: BigInt(r.amount) }));
}

/** REF-2: what the candidate has been told, newest first, with each linked refund as it is now. */
export async function listCandidateNotices(db: DbOrTrx, candidateId: bigint, limit = 50) {
  const notices = await db.selectFrom('candidate_notice').selectAll().where('candidate_id', '=', candidateId).orderBy('id', 'desc').limit(limit).execute();
  if (notices.length === 0) return [];
  const refunds = await db.selectFrom('candidate_notice_refund as nr').innerJoin('refund as f', 'f.id', 'nr.refund_id')
    .innerJoin('bill as b', 'b.id', 'f.bill_id')
    .select(['nr.notice_id', 'f.refund_no', 'f.amount_fen', 'f.channel', 'f.state', 'f.reason', 'f.succeeded_at', 'f.flagged_at', 'b.bill_no'])
    .where('nr.notice_id', 'in', notices.map((n) => n.id)).orderBy('f.id').execute();
  return notices.map((n) => ({ ...n, refunds: refunds.filter((r) => r.notice_id === n.id) }));
}
export type CandidateNotice = Awaited<ReturnType<typeof listCandidateNotices>>[number];
