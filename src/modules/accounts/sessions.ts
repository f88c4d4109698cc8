import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

/** A new server-side session; the cookie carries 256 random bits, the table only their hash. */
export async function createSession(db: DbOrTrx, candidateId: bigint, now: Date, policy: SessionPolicy): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.insertInto('candidate_session').values({
    id_hash: hashToken(token),
    candidate_id: candidateId,
    created_at: now,
    last_seen_at: now,
    expires_at: new Date(now.getTime() + policy.absoluteHours * HOUR),
  }).execute();
  return token;
}

export type SessionLookup =
  | { status: 'VALID'; candidate: Candidate }
  | { status: 'EXPIRED' }
  | { status: 'NONE' };

// A page of ten API calls should not be ten writes: last_seen_at moves at most once a minute.
const TOUCH_INTERVAL = MINUTE;

/**
 * Idle timeout (ACC-7): a session ends no sooner than `idleMinutes` after its last request, and
 * at most TOUCH_INTERVAL later (last_seen_at may lag the last request by up to that much).
 */
export function isIdleExpired(lastSeenAt: Date, now: Date, policy: SessionPolicy): boolean {
  return now.getTime() - lastSeenAt.getTime() >= policy.idleMinutes * MINUTE + TOUCH_INTERVAL;
}

/** Finds the session's candidate; idle or past its absolute end → EXPIRED (and removed). */
export async function resolveSession(db: DbOrTrx, token: string, now: Date, policy: SessionPolicy): Promise<SessionLookup> {
  const idHash = hashToken(token);
  const row = await db.selectFrom('candidate_session as s').innerJoin('candidate as c', 'c.id', 's.candidate_id')
    .selectAll('c').select(['s.last_seen_at', 's.expires_at']).where('s.id_hash', '=', idHash).executeTakeFirst();
  if (!row) return { status: 'NONE' };
  const { last_seen_at, expires_at, ...candidate } = row;
  if (now >= expires_at || isIdleExpired(last_seen_at, now, policy)) {
    await db.deleteFrom('candidate_session').where('id_hash', '=', idHash).execute();
    return { status: 'EXPIRED' };
  }
  if (now.getTime() - last_seen_at.getTime() >= TOUCH_INTERVAL) {
    await db.updateTable('candidate_session').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }
  return { status: 'VALID', candidate };
}

export async function destroySession(db: DbOrTrx, token: string): Promise<void> {
  await db.deleteFrom('candidate_session').where('id_hash', '=', hashToken(token)).execute();
}

/** After a password change: every other session of the candidate ends; returns how many. */
export async function endOtherSessions(db: DbOrTrx, candidateId: bigint, keepToken: string): Promise<number> {
  const r = await db.deleteFrom('candidate_session').where('candidate_id', '=', candidateId).where('id_hash', '!=', hashToken(keepToken)).executeTakeFirst();
  return Number(r.numDeletedRows);
}
