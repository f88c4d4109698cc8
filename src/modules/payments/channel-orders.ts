import type { DbOrTrx, Trx } from '../../db/database.ts';
import type { PaymentAttempt } from '../../db/schema.ts';
import { MINUTE } from '../../shared/clock.ts';
import { lockBill } from '../billing/bill-transition.repo.ts';

/**
 * Marks a channel order as finished without (further) payment; harmless if already closed.
 * Takes the bill's lock like every other change to a bill's orders, so a payment start or a
 * settle in flight sees a consistent bill.
 */
export async function closeAttempt(trx: Trx, attempt: Pick<PaymentAttempt, 'id' | 'bill_id'>, now: Date): Promise<void> {
  await lockBill(trx, { id: attempt.bill_id });
  await trx.updateTable('payment_attempt').set({ state: 'CLOSED', closed_at: now, next_close_at: null })
    .where('id', '=', attempt.id).where('state', '=', 'OPEN').execute();
}

/** The bill's channel orders that may still take money. */
export async function openAttempts(trx: DbOrTrx, billId: bigint): Promise<PaymentAttempt[]> {
  return trx.selectFrom('payment_attempt').selectAll().where('bill_id', '=', billId).where('state', '=', 'OPEN').orderBy('seq').execute();
}

/**
 * Channel clocks and ours differ a little; an order's "not found" only counts as "can never be
 * paid" this long after its time ran out.
 */
export const CHANNEL_CLOCK_MARGIN_MS = MINUTE;

/**
 * Alipay answers "no such trade" for a QR nobody has scanned yet — and that QR stays payable
 * until the order's time is up. So "not found" is final only after that time (PAY-3).
 */
export function notFoundIsFinal(orderExpiresAt: Date, now: Date): boolean {
  return now.getTime() >= orderExpiresAt.getTime() + CHANNEL_CLOCK_MARGIN_MS;
}
