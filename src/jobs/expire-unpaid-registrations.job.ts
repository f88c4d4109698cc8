import { sql } from 'kysely';
import { releaseSeats } from '../modules/registration/seat-holds.sql.ts';
import type { ScheduledJob } from './job.ts';
import { notOnLiveBill } from '../modules/billing/bill-queries.ts';

const BATCH = 500;

/**
 * REG-7 (seed 002, CET): unpaid subjects are removed the exam's TTL (24 h) after they were
 * registered, and their seats go back. A registration on an open bill is left alone — the bill
 * is being paid or will close within its 30 minutes, and then this job takes it. Rows are
 * claimed with SKIP LOCKED (a confirmation holding the lock wins) and re-checked after the lock
 * (a confirmation that committed just before it wins too).
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
        .where(notOnLiveBill('r.id'))
        .orderBy('r.created_at').limit(BATCH)
        .forUpdate('r').skipLocked()
        .execute();
      if (due.length === 0) return 0;
      // The rows are locked now, but the select judged "not on an open bill" on its snapshot: a
      // confirmation that committed just before our lock is invisible to it. A second statement
      // sees everything committed until now, and only what it cancels loses its seat.
      const cancelled = await trx.updateTable('registration')
        .set({ status: 'CANCELLED', cancelled_at: now, cancelled_reason: 'UNPAID_TIMEOUT' })
        .where('id', 'in', due.map((d) => d.id)).where('status', '=', 'ACTIVE').where('paid_at', 'is', null)
        .where(notOnLiveBill('registration.id'))
        .returning('id').execute();
      await releaseSeats(trx, cancelled.map((c) => c.id));
      return cancelled.length;
    });
    return { removed };
  },
};
