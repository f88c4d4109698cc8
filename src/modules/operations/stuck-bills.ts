import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { HOUR } from '../../shared/clock.ts';

/** PAY-4: a bill still 缴费中 this long after the payment started needs a person. */
export const STUCK_AFTER_MS = 24 * HOUR;

export interface StuckBillRow {
  bill_no: string; owner: string; amount_fen: bigint; channel: string | null; paying_since: Date; flagged_at: Date | null; last_queried_at: Date | null;
  sitting_name: string; payer_name: string | null; open_orders: number;
}

/**
 * The authority's bills in 缴费中 (PAYING), oldest first: the work queue of bills a channel has
 * not answered for. `olderThan` narrows it to those past the 24-hour mark the poll job flags.
 */
export async function listPayingBills(db: DbOrTrx, input: { authorityId: bigint; now: Date; onlyStuck: boolean; limit: number }): Promise<StuckBillRow[]> {
  let q = db.selectFrom('bill as b')
    .innerJoin('sitting as s', 's.id', 'b.sitting_id').innerJoin('exam as e', 'e.id', 's.exam_id')
    .leftJoin('candidate as c', 'c.id', 'b.candidate_id').leftJoin('institution as i', 'i.id', 'b.institution_id')
    .select(['b.bill_no', 'b.owner', 'b.amount_fen', 'b.channel', 'b.flagged_at', 'b.last_queried_at', 's.name as sitting_name'])
    .select(sql<Date>`b.paying_since`.as('paying_since'))
    .select(sql<string | null>`coalesce(c.name, i.name)`.as('payer_name'))
    .select((eb) => eb.selectFrom('payment_attempt as a').whereRef('a.bill_id', '=', 'b.id').where('a.state', '=', 'OPEN').select(sql<number>`count(*)::int`.as('n')).as('open_orders'))
    .where('e.authority_id', '=', input.authorityId).where('b.state', '=', 'PAYING')
    .orderBy('b.paying_since').limit(input.limit);
  if (input.onlyStuck) q = q.where('b.paying_since', '<=', new Date(input.now.getTime() - STUCK_AFTER_MS));
  return (await q.execute()) as StuckBillRow[];
}
