import type { DbOrTrx, Trx } from '../../db/database.ts';
import type { Bill, BillClosedCause, BillStateName, BillUpdate } from '../../db/schema.ts';
import { checkBillTransition, type BillCause } from './bill-state.ts';
import type { Actor } from '../context.ts';

export interface TransitionRequest {
  to: BillStateName;
  cause: BillCause;
  actor: Actor;
  at: Date;
  detail?: Record<string, unknown>;
  /** Other columns that change with the state (paid_at, channel_trade_no, ...). */
  patch?: Omit<BillUpdate, 'state' | 'updated_at'>;
}

/**
 * The one door through which bill.state changes (STYLE 1). The caller holds the bill's row
 * lock (`lockBill`), so `bill.state` is current; the WHERE on the old state is a second guard
 * that turns a forgotten lock into a loud error instead of a lost update.
 */
export async function transitionBill(trx: Trx, bill: Bill, req: TransitionRequest): Promise<Bill> {
  const check = checkBillTransition(bill.state, req.to, req.cause);
  if (!check.ok) {
    throw new Error(`bill ${bill.bill_no}: ${bill.state} → ${req.to} (${req.cause}) refused: ${check.reason}`);
  }
  // A closed bill always says when and why, whoever closed it.
  const closing = req.to === 'CLOSED' ? { closed_at: req.at, closed_cause: req.cause as BillClosedCause } : {};
  const updated = await trx
    .updateTable('bill')
    .set({ ...req.patch, ...closing, state: req.to, updated_at: req.at })
    .where('id', '=', bill.id)
    .where('state', '=', bill.state)
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw new Error(`bill ${bill.bill_no} changed under a transition: the caller did not hold its lock`);
  await trx
    .insertInto('bill_transition')
    .values({
      bill_id: bill.id,
      from_state: bill.state,
      to_state: req.to,
      cause: req.cause,
      actor: req.actor,
      at: req.at,
      detail: JSON.stringify(req.detail ?? {}),
    })
    .execute();
  // A closed bill's registrations are free for a new bill (PAY-1).
  if (req.to === 'CLOSED') {
    await trx.updateTable('bill_item').set({ live: false }).where('bill_id', '=', bill.id).execute();
  }
  return updated;
}

/** SELECT … FOR UPDATE on one bill: every settle, close and start-payment takes this first. */
export async function lockBill(trx: Trx, by: { id: bigint } | { billNo: string }): Promise<Bill | undefined> {
  let q = trx.selectFrom('bill').selectAll();
  q = 'id' in by ? q.where('id', '=', by.id) : q.where('bill_no', '=', by.billNo);
  return q.forUpdate().executeTakeFirst();
}

export async function billTransitions(trx: DbOrTrx, billId: bigint) {
  return trx
    .selectFrom('bill_transition')
    .select(['from_state', 'to_state', 'cause', 'actor', 'at', 'detail'])
    .where('bill_id', '=', billId)
    .orderBy('id')
    .execute();
}
