import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

/**
 * The waiting room's SQL (migration 026), all of it. The hot statements are nextval (a ticket:
 * no row lock, no table write) and one read of the single state row per process per tick; a
 * request that is queued never runs anything else.
 */

export async function roomSigningKey(db: Db): Promise<Buffer> {
  const row = await db.selectFrom('waiting_room').select('signing_key').where('id', '=', 1).executeTakeFirstOrThrow();
  return row.signing_key;
}

/** A place at the back of the queue. */
export async function takeTicketNumber(db: Db): Promise<bigint> {
  const r = await sql<{ seq: bigint }>`SELECT nextval('waiting_room_ticket_seq') AS seq`.execute(db);
  return r.rows[0]!.seq;
}

/** How far the queue has been let in, and how far tickets have been handed out. */
export async function readQueue(db: Db): Promise<{ admittedThrough: bigint; issuedThrough: bigint }> {
  const r = await sql<{ admitted_through: bigint; last_value: bigint; is_called: boolean }>`
    SELECT w.admitted_through, s.last_value, s.is_called FROM waiting_room w, waiting_room_ticket_seq s WHERE w.id = 1`.execute(db);
  const row = r.rows[0]!;
  return { admittedThrough: row.admitted_through, issuedThrough: row.is_called ? row.last_value : 0n };
}

/**
 * Lets `count` more tickets in, never past the last one issued. Several processes may do it on
 * the same tick; each adds its own free slots, the row lock orders them.
 */
export async function admitMore(db: Db, count: number, now: Date): Promise<bigint> {
  const r = await sql<{ admitted_through: bigint }>`
    UPDATE waiting_room w SET admitted_through = LEAST(w.admitted_through + ${count}::bigint,
        (SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END FROM waiting_room_ticket_seq s)),
      updated_at = ${now}
    WHERE w.id = 1 RETURNING w.admitted_through`.execute(db);
  return r.rows[0]!.admitted_through;
}

/**
 * A ticket admits once: true the first time its number is exchanged for a pass, false after —
 * whoever presents it again, in whatever process. Checked against the stored row, not the
 * caller's cache: a ticket past the line is admitted even if this process has not seen it move.
 */
export async function redeemTicket(db: Db, seq: bigint, now: Date): Promise<'ADMITTED' | 'USED' | 'NOT_YET'> {
  const r = await sql<{ outcome: string }>`
    WITH line AS (SELECT admitted_through FROM waiting_room WHERE id = 1),
    ins AS (
      INSERT INTO waiting_room_admission (ticket_seq, admitted_at)
      SELECT ${seq}::bigint, ${now} FROM line WHERE ${seq}::bigint <= line.admitted_through
      ON CONFLICT (ticket_seq) DO NOTHING RETURNING ticket_seq)
    SELECT CASE WHEN EXISTS (SELECT 1 FROM ins) THEN 'ADMITTED'
                WHEN ${seq}::bigint > (SELECT admitted_through FROM line) THEN 'NOT_YET'
                ELSE 'USED' END AS outcome`.execute(db);
  return r.rows[0]!.outcome as 'ADMITTED' | 'USED' | 'NOT_YET';
}

/** Admission records older than any ticket can be are of no more use. */
export async function purgeAdmissions(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom('waiting_room_admission').where('admitted_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
