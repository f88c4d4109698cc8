import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Bill } from '../../db/schema.ts';
import { billTransitions } from './bill-transition.repo.ts';
import { channelsFor, findOwnedBill } from './bill-owner.ts';

/** A candidate's own bill, or nothing: another candidate's bill reads exactly like a missing one. */
export async function findCandidateBill(db: DbOrTrx, candidateId: bigint, billNo: string): Promise<Bill | undefined> {
  return findOwnedBill(db, { candidateId }, billNo);
}

export async function listCandidateBills(db: DbOrTrx, candidateId: bigint): Promise<Bill[]> {
  return db.selectFrom('bill').selectAll().where('candidate_id', '=', candidateId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

/** Everything the bill page shows (PAY-7): items, channel orders, captures, refunds, history. */
export async function billDetail(db: DbOrTrx, bill: Bill) {
  const [items, attempts, captures, refunds, history, exam] = await Promise.all([
    db.selectFrom('bill_item as i').innerJoin('subject as s', 's.id', 'i.subject_id')
      .select(['i.registration_id', 's.code as subject_code', 's.name as subject_name', 's.kind', 'i.amount_fen', 'i.refunded_fen'])
      .where('i.bill_id', '=', bill.id).orderBy('i.id').execute(),
    db.selectFrom('payment_attempt').select(['out_trade_no', 'channel', 'state', 'pay_url', 'qr_content', 'created_at', 'closed_at'])
      .where('bill_id', '=', bill.id).orderBy('seq').execute(),
    db.selectFrom('channel_payment').select(['channel', 'channel_trade_no', 'amount_fen', 'paid_at', 'outcome', 'reported_by'])
      .where('bill_id', '=', bill.id).orderBy('id').execute(),
    // REF-4: each refund with the item (subject) it gives back, or none for an unwanted capture.
    db.selectFrom('refund as f').leftJoin('bill_item as i', 'i.id', 'f.bill_item_id').leftJoin('subject as s', 's.id', 'i.subject_id')
      .select(['f.refund_no', 'f.channel', 'f.amount_fen', 'f.reason', 'f.state', 'f.created_at', 'f.succeeded_at', 'f.flagged_at', 'f.note',
        'i.registration_id', 's.name as subject_name'])
      .where('f.bill_id', '=', bill.id).orderBy('f.id').execute(),
    billTransitions(db, bill.id),
    db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').select(['e.channels', 'e.institution_channels', 'e.agreement_text']).where('st.id', '=', bill.sitting_id).executeTakeFirstOrThrow(),
  ]);
  return { bill, items, attempts, captures, refunds, history, offeredChannels: channelsFor(bill.owner, exam), agreementText: exam.agreement_text };
}
export type BillDetail = Awaited<ReturnType<typeof billDetail>>;

/**
 * "Not on an open or paid bill" for a registration column (`r.id`): the live bill_item is what
 * says a registration is billed (the partial unique index bill_item_one_live).
 */
export const notOnLiveBill = (registrationRef: string) =>
  sql<boolean>`NOT EXISTS (SELECT 1 FROM bill_item i WHERE i.registration_id = ${sql.ref(registrationRef)} AND i.live)`;
