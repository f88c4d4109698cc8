import type { Bill, PaymentAttempt } from '../../db/schema.ts';
import { isOpen } from '../billing/bill-state.ts';
import { lockBill, transitionBill } from '../billing/bill-transition.repo.ts';
import type { Actor, AppContext } from '../context.ts';
import { closeAttempt, notFoundIsFinal, openAttempts } from './channel-orders.ts';
import { settleCapture } from './settle-capture.ts';
import { releaseSeats } from '../registration/seat-holds.sql.ts';
import type { Trx } from '../../db/database.ts';

/** REG-7 (seed 000): where the exam says so, an unpaid bill's timeout frees its seats. */
async function releaseSeatsOfExpiredBill(trx: Trx, bill: Bill, now: Date): Promise<void> {
  const exam = await trx.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select('e.release_seats_on_bill_expiry').where('st.id', '=', bill.sitting_id).executeTakeFirstOrThrow();
  if (!exam.release_seats_on_bill_expiry) return;
  const items = await trx.selectFrom('bill_item').select('registration_id').where('bill_id', '=', bill.id).execute();
  const released = await releaseSeats(trx, items.map((i) => i.registration_id));
  if (released.length === 0) return;
  await trx.updateTable('registration').set({ seat_released_at: now, seat_released_reason: 'PAYMENT_TIMEOUT' }).where('id', 'in', released).execute();
}

type Ctx = Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>;

/**
 * PAY-3: a bill open past its time is closed — at the channel first. If the channel says the
 * payer already paid, that capture settles the bill instead (money taken must never meet a
 * 未缴费 page). Only when no order of the bill can take money any more is the bill CLOSED.
 * An order the channel did not answer about stays open and is tried again on a later run.
 */
export async function closeExpiredBill(ctx: Ctx, input: { billId: bigint; actor: Actor }): Promise<Bill> {
  for (const attempt of await openAttempts(ctx.db, input.billId)) {
    await closeChannelOrder(ctx, attempt, input.actor);
  }
  return ctx.db.transaction().execute(async (trx) => {
    const bill = await lockBill(trx, { id: input.billId });
    if (!bill) throw new Error(`bill ${input.billId} not found`);
    const now = ctx.clock.now();
    if (!isOpen(bill.state) || now < bill.expires_at) return bill;
    if ((await openAttempts(trx, bill.id)).length > 0) return bill;
    const closed = await transitionBill(trx, bill, { to: 'CLOSED', cause: 'EXPIRED', actor: input.actor, at: now, patch: { next_query_at: null } });
    await releaseSeatsOfExpiredBill(trx, closed, now);
    return closed;
  });
}

export type CloseOutcome = 'CLOSED' | 'PAID' | 'NOT_FOUND_YET' | 'NO_ANSWER' | 'CHANNEL_NOT_CONFIGURED' | 'CAPTURE_REJECTED';

/**
 * Closes one channel order; used at expiry, on cancel, and for orders left open on a bill that
 * was paid or closed another way. A capture found here settles — or, on a bill already paid or
 * closed, becomes a refunded duplicate. "Not found" before the order's time is up leaves the
 * order open (its QR may still be scanned) for the sweep to close after that time.
 */
export async function closeChannelOrder(ctx: Ctx, attempt: PaymentAttempt, actor: Actor): Promise<CloseOutcome> {
  const channel = ctx.channels.get(attempt.channel);
  if (!channel) return 'CHANNEL_NOT_CONFIGURED';
  const result = await channel.closePayment({ billNo: attempt.out_trade_no });
  if (result.status === 'ALREADY_PAID') {
    const settled = await settleCapture(ctx, { channel: attempt.channel, capture: result, reportedBy: 'close', actor });
    if (settled.ok) return 'PAID';
    ctx.log.error({ outTradeNo: attempt.out_trade_no, reason: settled.reason, detail: settled.detail }, 'capture found at close cannot be settled');
    return 'CAPTURE_REJECTED';
  }
  if (result.status === 'UNKNOWN') {
    ctx.log.warn({ outTradeNo: attempt.out_trade_no, reason: result.reason }, 'channel did not answer close; will retry');
    return 'NO_ANSWER';
  }
  const bill = await ctx.db.selectFrom('bill').select('expires_at').where('id', '=', attempt.bill_id).executeTakeFirstOrThrow();
  if (result.status === 'NOT_FOUND' && !notFoundIsFinal(bill.expires_at, ctx.clock.now())) return 'NOT_FOUND_YET';
  await ctx.db.transaction().execute((trx) => closeAttempt(trx, attempt, ctx.clock.now()));
  return 'CLOSED';
}
