import { sql } from 'kysely';
import { releaseSeats } from '../modules/registration/seat-holds.sql.ts';
import type { ScheduledJob } from './job.ts';
import { notOnLiveBill } from '../modules/billing/bill-queries.ts';

const BATCH = 500;

/**
 * REG-6: a hold ends when paid or expired. A seat held longer than the exam's seat_hold_minutes
 * by a registration that is not on an open bill goes back to the pool, and the registration says
 * why (its owner chooses a slot again). A registration on an open bill is the bill's business: it
 * is paid, or it closes at its timeout first. The same limit holds for registrations an
 * institution made (ORG-1): its batch bill is what keeps their seats, like a candidate's bill.
 * Claimed with SKIP LOCKED (a bill confirmation holding the registration wins) and re-checked
 * by a second statement that sees everything committed before our locks.
 */
export const releaseStaleSeatHoldsJob: ScheduledJob = {
  id: 'release-stale-seat-holds',
  description: "Release seats held past the exam's hold limit by registrations not on an open bill",
  everySeconds: 60,
  async execute(ctx) {
    const now = ctx.clock.now();
    const released = await ctx.db.transaction().execute(async (trx) => {
      const due = await trx.selectFrom('seat as s')
        .innerJoin('registration as r', 'r.id', 's.registration_id')
        .innerJoin('sitting as st', 'st.id', 'r.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
        .select('r.id')
        .where('s.state', '=', 'HELD').where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is', null)
        .where(sql<boolean>`s.held_at <= ${now}::timestamptz - make_interval(mins => e.seat_hold_minutes)`)
        .where(notOnLiveBill('r.id'))
        .orderBy('s.held_at').limit(BATCH)
        .forUpdate('r').skipLocked()
        .execute();
      if (due.length === 0) return 0;
      const still = await trx.selectFrom('registration as r').select('r.id')
        .where('r.id', 'in', due.map((d) => d.id)).where('r.status', '=', 'ACTIVE').where('r.paid_at', 'is', null)
        .where(notOnLiveBill('r.id'))
        .execute();
      const ids = await releaseSeats(trx, still.map((r) => r.id));
      if (ids.length) await trx.updateTable('registration').set({ seat_released_at: now, seat_released_reason: 'HOLD_EXPIRED' }).where('id', 'in', ids).execute();
      return ids.length;
    });
    return { released };
  },
};
