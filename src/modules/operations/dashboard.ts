import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { HOUR } from '../../shared/clock.ts';

/** Ages of bills in 缴费中, in hours: the last bucket is PAY-4's 24-hour flag. */
export const PAYING_AGE_BUCKETS = [1, 6, 24] as const;

export interface Dashboard {
  /** Beijing calendar days, oldest first. */
  registrationsByDay: { day: string; registrations: number; paid: number }[];
  paymentsByDay: { day: string; channel: string; payments: number; amountFen: bigint }[];
  byChannel: { channel: string; payments: number; amountFen: bigint; refundedFen: bigint }[];
  bySubject: { subjectId: bigint; subjectName: string; active: number; paid: number }[];
  bySite: { siteId: bigint; siteName: string; active: number; paid: number }[];
  seatsBySlot: { slotId: bigint; slotCode: string; startsAt: Date; free: number; held: number; sold: number }[];
  payingByAge: { bucket: string; bills: number; amountFen: bigint; flagged: boolean }[];
  refundsInFlight: { state: string; refunds: number; amountFen: bigint }[];
  openMismatches: { channel: string; mismatches: number }[];
}

/**
 * ADM-3: the figures behind the console's charts, straight from the tables money and seats live
 * in — nothing cached, so a chart can never disagree with the books. One authority, optionally
 * one sitting; `days` of history for the time series.
 */
export async function dashboard(db: DbOrTrx, input: { authorityId: bigint; sittingId?: bigint; now: Date; days: number }): Promise<Dashboard> {
  const since = new Date(input.now.getTime() - input.days * 24 * HOUR);
  const sitting = input.sittingId ?? null;
  // Every query narrows to the authority's exams, and to the sitting when one is asked for.
  const inScope = (alias: string) => sql`${sql.ref(`${alias}.sitting_id`)} in (select s.id from sitting s join exam e on e.id = s.exam_id where e.authority_id = ${input.authorityId} and (${sitting}::bigint is null or s.id = ${sitting}::bigint))`;
  const day = (col: string) => sql`to_char(${sql.ref(col)} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`;

  const [regs, pays, channels, subjects, sites, seats, paying, refunds, mismatches] = await Promise.all([
    sql<{ day: string; registrations: number; paid: number }>`
      select ${day('r.created_at')} as day, count(*)::int as registrations, count(*) filter (where r.paid_at is not null)::int as paid
      from registration r join subject sub on sub.id = r.subject_id
      where ${inScope('sub')} and r.created_at >= ${since} group by 1 order by 1`.execute(db),
    sql<{ day: string; channel: string; payments: number; amountFen: bigint }>`
      select ${day('p.paid_at')} as day, p.channel, count(*)::int as payments, sum(p.amount_fen)::bigint as "amountFen"
      from channel_payment p join bill b on b.id = p.bill_id
      where ${inScope('b')} and p.outcome = 'SETTLED' and p.paid_at >= ${since} group by 1, 2 order by 1, 2`.execute(db),
    sql<{ channel: string; payments: number; amountFen: bigint; refundedFen: bigint }>`
      select p.channel, count(*)::int as payments, sum(p.amount_fen)::bigint as "amountFen", sum(p.refunded_fen)::bigint as "refundedFen"
      from channel_payment p join bill b on b.id = p.bill_id where ${inScope('b')} group by 1 order by 1`.execute(db),
    sql<{ subjectId: bigint; subjectName: string; active: number; paid: number }>`
      select sub.id as "subjectId", sub.name as "subjectName",
        count(r.id) filter (where r.status = 'ACTIVE')::int as active, count(r.id) filter (where r.status = 'ACTIVE' and r.paid_at is not null)::int as paid
      from subject sub left join registration r on r.subject_id = sub.id
      where ${inScope('sub')} group by 1, 2 order by 1`.execute(db),
    sql<{ siteId: bigint; siteName: string; active: number; paid: number }>`
      select st.id as "siteId", st.name as "siteName",
        count(r.id) filter (where r.status = 'ACTIVE')::int as active, count(r.id) filter (where r.status = 'ACTIVE' and r.paid_at is not null)::int as paid
      from site st left join registration r on r.site_id = st.id
      where ${inScope('st')} group by 1, 2 order by 1`.execute(db),
    sql<{ slotId: bigint; slotCode: string; startsAt: Date; free: number; held: number; sold: number }>`
      select sl.id as "slotId", sl.code as "slotCode", sl.starts_at as "startsAt",
        count(se.id) filter (where se.state = 'FREE')::int as free, count(se.id) filter (where se.state = 'HELD')::int as held, count(se.id) filter (where se.state = 'SOLD')::int as sold
      from slot sl left join seat_pool sp on sp.slot_id = sl.id left join seat se on se.pool_id = sp.id
      where ${inScope('sl')} group by 1, 2, 3 order by 3, 1`.execute(db),
    sql<{ hours: number; bills: number; amountFen: bigint }>`
      select width_bucket(extract(epoch from (${input.now}::timestamptz - b.paying_since)) / 3600, array[${sql.join(PAYING_AGE_BUCKETS.map((h) => sql.lit(h)))}]::float8[]) as hours,
        count(*)::int as bills, sum(b.amount_fen)::bigint as "amountFen"
      from bill b where ${inScope('b')} and b.state = 'PAYING' group by 1 order by 1`.execute(db),
    sql<{ state: string; refunds: number; amountFen: bigint }>`
      select rf.state, count(*)::int as refunds, sum(rf.amount_fen)::bigint as "amountFen"
      from refund rf join channel_payment p on p.id = rf.channel_payment_id join bill b on b.id = p.bill_id
      where ${inScope('b')} and rf.state <> 'SUCCEEDED' group by 1 order by 1`.execute(db),
    sql<{ channel: string; mismatches: number }>`
      select m.channel, count(*)::int as mismatches from reconciliation_mismatch m join bill b on b.bill_no = m.bill_no
      where ${inScope('b')} and m.resolution = 'OPEN' group by 1 order by 1`.execute(db),
  ]);
  const bucketNames = ['<1h', '1–6h', '6–24h', '≥24h'];
  return {
    registrationsByDay: regs.rows,
    paymentsByDay: pays.rows.map((r) => ({ ...r, amountFen: BigInt(r.amountFen) })),
    byChannel: channels.rows.map((r) => ({ ...r, amountFen: BigInt(r.amountFen), refundedFen: BigInt(r.refundedFen) })),
    bySubject: subjects.rows.map((r) => ({ ...r, subjectId: BigInt(r.subjectId) })),
    bySite: sites.rows.map((r) => ({ ...r, siteId: BigInt(r.siteId) })),
    seatsBySlot: seats.rows.map((r) => ({ ...r, slotId: BigInt(r.slotId) })),
    payingByAge: bucketNames.map((bucket, i) => {
      const row = paying.rows.find((r) => Number(r.hours) === i);
      return { bucket, bills: row?.bills ?? 0, amountFen: BigInt(row?.amountFen ?? 0), flagged: i === bucketNames.length - 1 };
    }),
    refundsInFlight: refunds.rows.map((r) => ({ ...r, amountFen: BigInt(r.amountFen) })),
    openMismatches: mismatches.rows,
  };
}
