import type { Bill, PaymentAttempt } from '../../db/schema.ts';
import { isOpen } from '../billing/bill-state.ts';
import { lockBill, transitionBill } from '../billing/bill-transition.repo.ts';
import type { Actor, AppContext } from '../context.ts';
import { closeAttempt, openAttempts } from './channel-orders.ts';
import { settleCapture } from './settle-capture.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>;

/**
 * PAY-3: a bill open past its time is closed — at the channel first. If the channel says the
 * payer already paid, that capture settles the bill instead (money taken must never meet a
 * 未缴费 page). Only when no order of the bill can take money any more is the bill CLOSED.
 * An order the channel did not answer about stays open and is tried again on the next run.
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
    return transitionBill(trx, bill, {
      to: 'CLOSED', cause: 'EXPIRED', actor: input.actor, at: now,
      patch: { next_query_at: null },
    });
  });
}

/**
 * Closes one channel order; used at expiry and for orders left open on a bill that was paid
 * through another order (the candidate switched channel). A capture found here settles — or,
 * on a bill already paid or closed, becomes a refunded duplicate.
 */
export async function closeChannelOrder(ctx: Ctx, attempt: PaymentAttempt, actor: Actor): Promise<string> {
  const channel = ctx.channels.get(attempt.channel);
  if (!channel) return 'CHANNEL_NOT_CONFIGURED';
  const result = await channel.closePayment({ billNo: attempt.out_trade_no });
  if (result.status === 'ALREADY_PAID') {
    const settled = await settleCapture(ctx, { channel: attempt.channel, capture: result, reportedBy: 'close', actor });
    if (!settled.ok) ctx.log.error({ outTradeNo: attempt.out_trade_no, reason: settled.reason }, 'capture found at close cannot be settled');
  } else if (result.status === 'CLOSED' || result.status === 'NOT_FOUND') {
    await ctx.db.transaction().execute((trx) => closeAttempt(trx, attempt.id, ctx.clock.now()));
  } else {
    ctx.log.warn({ outTradeNo: attempt.out_trade_no, reason: result.reason }, 'channel did not answer close; will retry');
  }
  return result.status;
}
