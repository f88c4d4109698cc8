import { sql } from 'kysely';
import { HOUR, MINUTE } from '../shared/clock.ts';
import { closeChannelOrder, closeExpiredBill } from '../modules/payments/close-expired-bill.ts';
import type { ScheduledJob } from './job.ts';

const BATCH = 50;
/** Retry a close the channel did not complete: soon, then less often; the last value repeats. */
const CLOSE_BACKOFF_MS = [1, 2, 5, 10, 30].map((m) => m * MINUTE);
/** Still open this long after its time: a person must look (channel down, misconfigured, ...). */
const CANNOT_CLOSE_AFTER_MS = HOUR;


/**
 * PAY-3: close bills past their 30 minutes (at the channel first), and close channel orders
 * still open on bills that were paid, cancelled or closed, so no order can take money late.
 * Each bill and order is claimed with SKIP LOCKED and pushed ahead on a backoff before any work,
 * so processes share the work, and one the channel cannot close does not hold up the others.
 */
export const closeExpiredBillsJob: ScheduledJob = {
  id: 'close-expired-bills',
  description: 'Close expired bills at the channel, then in ExamPay; close orphaned channel orders',
  everySeconds: 10,
  async execute(ctx) {
    const now = ctx.clock.now();
    const actor = `job:${this.id}`;
    const due = await ctx.db.updateTable('bill')
      .set((eb) => ({
        close_attempts: eb('close_attempts', '+', 1),
        next_close_at: nextCloseAt(now),
      }))
      .where('id', 'in', (eb) => eb.selectFrom('bill').select('id')
        .where('state', 'in', ['UNPAID', 'PAYING'])
        .where(sql<Date>`coalesce(next_close_at, expires_at)`, '<=', now)
        .orderBy(sql`coalesce(next_close_at, expires_at)`).limit(BATCH).forUpdate().skipLocked())
      .returning(['id', 'expires_at', 'flagged_at'])
      .execute();
    let closed = 0;
    let failed = 0;
    for (const claimed of due) {
      try {
        const bill = await closeExpiredBill(ctx, { billId: claimed.id, actor });
        if (bill.state === 'CLOSED') closed++;
        else if (bill.state !== 'PAID' && !bill.flagged_at && now.getTime() - bill.expires_at.getTime() >= CANNOT_CLOSE_AFTER_MS) {
          await ctx.db.updateTable('bill').set({ flagged_at: now, flag_reason: 'CANNOT_CLOSE' }).where('id', '=', bill.id).where('flagged_at', 'is', null).execute();
          ctx.log.error({ billNo: bill.bill_no }, 'bill could not be closed at its channel for an hour; flagged for staff');
        }
      } catch (err) {
        failed++;
        ctx.log.error({ err, billId: String(claimed.id) }, 'closing an expired bill failed; retried later');
      }
    }

    const orphans = await ctx.db.updateTable('payment_attempt')
      .set((eb) => ({
        close_attempts: eb('close_attempts', '+', 1),
        next_close_at: nextCloseAt(now),
      }))
      .where('id', 'in', (eb) => eb.selectFrom('payment_attempt as a').innerJoin('bill as b', 'b.id', 'a.bill_id').select('a.id')
        .where('a.state', '=', 'OPEN').where('b.state', 'not in', ['UNPAID', 'PAYING'])
        .where((w) => w.or([w('a.next_close_at', 'is', null), w('a.next_close_at', '<=', now)]))
        .orderBy('a.id').limit(BATCH).forUpdate('a').skipLocked())
      .returningAll()
      .execute();
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

/**
 * now + the backoff for the row's close_attempts (its value before this UPDATE), in SQL so the
 * claim and its delay are one statement.
 */
function nextCloseAt(now: Date) {
  const cases = CLOSE_BACKOFF_MS.map((ms, i) => `WHEN close_attempts = ${i} THEN ${ms}`).join(' ');
  const delayMs = sql.raw(`CASE ${cases} ELSE ${CLOSE_BACKOFF_MS[CLOSE_BACKOFF_MS.length - 1]} END`);
  return sql<Date>`${now}::timestamptz + make_interval(secs => (${delayMs}) / 1000.0)`;
}
