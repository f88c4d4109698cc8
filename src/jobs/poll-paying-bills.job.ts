import { MINUTE } from '../shared/clock.ts';
import { checkBillStatus } from '../modules/payments/check-bill-status.ts';
import type { ScheduledJob } from './job.ts';

const BATCH = 50;

/**
 * PAY-4: ask the channel about every PAYING bill whose next query is due, without anyone
 * clicking. Bills are claimed by pushing next_query_at ahead (SKIP LOCKED), so several
 * processes split the work and a crashed one's bills come due again by themselves.
 */
export const pollPayingBillsJob: ScheduledJob = {
  id: 'poll-paying-bills',
  description: 'Query the channel for bills in 缴费中 on a backoff; flag those past 24 h',
  everySeconds: 5,
  async execute(ctx) {
    const now = ctx.clock.now();
    const claimed = await ctx.db.updateTable('bill')
      .set({ next_query_at: new Date(now.getTime() + 2 * MINUTE) })
      .where('id', 'in', (eb) => eb.selectFrom('bill').select('id')
        .where('state', '=', 'PAYING').where('next_query_at', '<=', now)
        .orderBy('next_query_at').limit(BATCH).forUpdate().skipLocked())
      .returning('id')
      .execute();
    let failed = 0;
    for (const { id } of claimed) {
      try {
        await checkBillStatus(ctx, { billId: id, actor: `job:${this.id}`, by: 'job' });
      } catch (err) {
        failed++;
        ctx.log.error({ err, billId: String(id) }, 'poll of a paying bill failed; it comes due again');
      }
    }
    return { queried: claimed.length, failed };
  },
};
