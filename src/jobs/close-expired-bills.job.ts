import { closeChannelOrder, closeExpiredBill } from '../modules/payments/close-expired-bill.ts';
import type { ScheduledJob } from './job.ts';

const BATCH = 100;

/**
 * PAY-3: close bills past their 30 minutes (at the channel first), and close channel orders
 * still open on bills that were paid or closed another way, so no order can take money late.
 */
export const closeExpiredBillsJob: ScheduledJob = {
  id: 'close-expired-bills',
  description: 'Close expired bills at the channel, then in ExamPay; close orphaned channel orders',
  everySeconds: 10,
  async execute(ctx) {
    const now = ctx.clock.now();
    const actor = `job:${this.id}`;
    const due = await ctx.db.selectFrom('bill').select('id')
      .where('state', 'in', ['UNPAID', 'PAYING']).where('expires_at', '<=', now)
      .orderBy('expires_at').limit(BATCH).execute();
    let closed = 0;
    let failed = 0;
    for (const { id } of due) {
      try {
        const bill = await closeExpiredBill(ctx, { billId: id, actor });
        if (bill.state === 'CLOSED') closed++;
      } catch (err) {
        failed++;
        ctx.log.error({ err, billId: String(id) }, 'closing an expired bill failed; retried next run');
      }
    }
    const orphans = await ctx.db.selectFrom('payment_attempt as a').innerJoin('bill as b', 'b.id', 'a.bill_id')
      .selectAll('a').where('a.state', '=', 'OPEN').where('b.state', 'not in', ['UNPAID', 'PAYING'])
      .limit(BATCH).execute();
    for (const attempt of orphans) {
      try {
        await closeChannelOrder(ctx, attempt, actor);
      } catch (err) {
        failed++;
        ctx.log.error({ err, outTradeNo: attempt.out_trade_no }, 'closing an orphaned channel order failed');
      }
    }
    return { due: due.length, closed, orphans: orphans.length, failed };
  },
};
