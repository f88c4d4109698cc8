import { sql } from 'kysely';
import { releaseSeats } from '../modules/registration/seat-holds.sql.ts';
import type { ScheduledJob } from './job.ts';

const BATCH = 500;

/**
 * REG-7 (seed 002, CET): unpaid subjects are removed the exam's TTL (24 h) after they were
 * registered, and their seats go back. A registration on an open bill is left alone — the bill
 * is being paid or will close within its 30 minutes, and then this job takes it. Rows are
 * claimed with SKIP LOCKED, so a candidate confirming a bill at this moment (which locks the
 * registration) wins, and the job takes it next time if it is still unpaid.
 */
export const expireUnpaidRegistrationsJob: ScheduledJob = {
  id: 'expire-unpaid-registrations',
  description: 'Remove unpaid registrations past their exam\'s TTL and release their seats',
  everySeconds: 60,
  async execute(ctx) {
    const now = ctx.clock.now();
    const removed = await ctx.db.transaction().execute(async (trx) => {
      const due = await trx.selectFrom('registration as r')
        .innerJoin('sitting as st', 'st.id', 'r.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
        .select('r.id')
        .where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is', null).where('r.owner', '=', 'CANDIDATE')
        .where('e.unpaid_registration_ttl_hours', 'is not', null)
        .where(sql<boolean>`r.created_at <= ${now}::timestamptz - make_interval(hours => e.unpaid_registration_ttl_hours)`)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('bill_item as i').select('i.id').whereRef('i.registration_id', '=', 'r.id').where('i.live', '=', true))))
        .orderBy('r.created_at').limit(BATCH)
        .forUpdate('r').skipLocked()
        .execute();
      const ids = due.map((d) => d.id);
      if (ids.length === 0) return 0;
      await releaseSeats(trx, ids);
      await trx.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: now, cancelled_reason: 'UNPAID_TIMEOUT' }).where('id', 'in', ids).execute();
      return ids.length;
    });
    return { removed };
  },
};
