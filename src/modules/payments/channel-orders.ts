import type { DbOrTrx, Trx } from '../../db/database.ts';
import type { PaymentAttempt } from '../../db/schema.ts';

/** Marks a channel order as finished without (further) payment; harmless if already closed. */
export async function closeAttempt(trx: Trx, attemptId: bigint, now: Date): Promise<void> {
  await trx.updateTable('payment_attempt').set({ state: 'CLOSED', closed_at: now }).where('id', '=', attemptId).where('state', '=', 'OPEN').execute();
}

/** The bill's channel orders that may still take money. */
export async function openAttempts(trx: DbOrTrx, billId: bigint): Promise<PaymentAttempt[]> {
  return trx.selectFrom('payment_attempt').selectAll().where('bill_id', '=', billId).where('state', '=', 'OPEN').orderBy('seq').execute();
}
