import type { DbOrTrx, Trx } from '../../db/database.ts';
import type { AuthorityAction, Bill, ChannelPayment, Refund } from '../../db/schema.ts';
import { freeSeatsOfEndedRegistrations } from '../registration/seat-holds.sql.ts';
import { composeNotice, type NoticeLine } from './notice-text.ts';
import type { ActionEffect } from './refund-rules.ts';

/**
 * The writes that end registrations and give their money back (REF-2, REF-4), each inside the
 * caller's transaction. The caller holds the locks: the bills first, then the registrations.
 */

/** The bill item that paid a registration, with its bill and the capture that paid it. */
export interface PaidItem {
  itemId: bigint;
  billId: bigint;
  amountFen: bigint;
  refundedFen: bigint;
}

/** Live bills a registration is on (at most one; a set for several registrations), by id. */
export async function liveBillIds(db: DbOrTrx, registrationIds: bigint[]): Promise<bigint[]> {
  if (registrationIds.length === 0) return [];
  const rows = await db.selectFrom('bill_item').select('bill_id').distinct()
    .where('registration_id', 'in', registrationIds).where('live', '=', true).orderBy('bill_id').execute();
  return rows.map((r) => r.bill_id);
}

/** The registration's item on a paid (or partly refunded) bill, as it is now. */
export async function paidItemOf(db: DbOrTrx, registrationId: bigint): Promise<PaidItem | undefined> {
  const row = await db.selectFrom('bill_item as i').innerJoin('bill as b', 'b.id', 'i.bill_id')
    .select(['i.id', 'i.bill_id', 'i.amount_fen', 'i.refunded_fen'])
    .where('i.registration_id', '=', registrationId).where('i.live', '=', true)
    .where('b.state', 'in', ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']).executeTakeFirst();
  return row && { itemId: row.id, billId: row.bill_id, amountFen: row.amount_fen, refundedFen: row.refunded_fen };
}

/** The capture that paid the bill: refunds of items go back through it (REF-4: original channel). */
export async function settledCapture(db: DbOrTrx, billId: bigint): Promise<ChannelPayment> {
  return db.selectFrom('channel_payment').selectAll().where('bill_id', '=', billId).where('outcome', '=', 'SETTLED').executeTakeFirstOrThrow();
}

/**
 * Ends active registrations with the action's cause and frees their seats (held or sold) with
 * the seat reason the candidate reads (CANCELLED / CHANGED). Returns those it ended.
 */
export async function endRegistrations(trx: Trx, registrationIds: bigint[], effect: ActionEffect, now: Date): Promise<bigint[]> {
  if (registrationIds.length === 0) return [];
  const ended = await trx.updateTable('registration')
    .set({ status: 'CANCELLED', cancelled_at: now, cancelled_reason: effect.registrationCause })
    .where('id', 'in', registrationIds).where('status', '=', 'ACTIVE')
    .returning('id').execute();
  const ids = ended.map((e) => e.id);
  const freed = await freeSeatsOfEndedRegistrations(trx, ids);
  if (freed.length > 0) {
    await trx.updateTable('registration').set({ seat_released_at: now, seat_released_reason: effect.seatReason }).where('id', 'in', freed).execute();
  }
  return ids;
}

export async function insertAction(trx: Trx, a: {
  kind: AuthorityAction['kind']; sittingId: bigint; subjectId?: bigint | null; registrationId?: bigint | null;
  note: string; actor: string; now: Date; running: boolean;
}): Promise<AuthorityAction> {
  return trx.insertInto('authority_action').values({
    kind: a.kind, sitting_id: a.sittingId, subject_id: a.subjectId ?? null, registration_id: a.registrationId ?? null,
    note: a.note.trim(), actor: a.actor, state: a.running ? 'RUNNING' : 'DONE', created_at: a.now,
    finished_at: a.running ? null : a.now, next_run_at: a.running ? a.now : null,
  }).returningAll().executeTakeFirstOrThrow();
}

/**
 * REF-2: tells the candidate, in the same commit as the decision: what happened, what comes back
 * through which channel (the refunds are linked, so their live states show beside the letter),
 * and what to do next.
 */
export async function writeNotice(trx: Trx, n: {
  action: AuthorityAction; candidateId: bigint; lines: NoticeLine[]; refunds: Refund[]; now: Date;
}): Promise<bigint> {
  const facts = await trx.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['st.name', 'e.repayment_needs_approval']).where('st.id', '=', n.action.sitting_id).executeTakeFirstOrThrow();
  const text = composeNotice({
    kind: n.action.kind, sittingName: facts.name, note: n.action.note, lines: n.lines, repaymentNeedsApproval: facts.repayment_needs_approval,
  });
  const notice = await trx.insertInto('candidate_notice').values({
    candidate_id: n.candidateId, action_id: n.action.id, sitting_id: n.action.sitting_id, kind: n.action.kind,
    title_zh: text.titleZh, title_en: text.titleEn, body_zh: text.bodyZh, body_en: text.bodyEn, created_at: n.now,
  }).returning('id').executeTakeFirstOrThrow();
  if (n.refunds.length > 0) {
    await trx.insertInto('candidate_notice_refund').values(n.refunds.map((r) => ({ notice_id: notice.id, refund_id: r.id }))).execute();
  }
  return notice.id;
}

/** The lock every bill writer takes, for several bills in one order (lowest id first). */
export async function lockBills(trx: Trx, billIds: bigint[]): Promise<Bill[]> {
  if (billIds.length === 0) return [];
  return trx.selectFrom('bill').selectAll().where('id', 'in', billIds).orderBy('id').forUpdate().execute();
}
