import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { hashBearerToken, newBearerToken } from '../../shared/bearer-token.ts';

export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

/** sha256 of the cookie value: what every session table stores, so a leaked table hands out nothing. */

/**
 * A new server-side session (ACC-7), for any session table (candidate_session, staff_session):
 * the cookie carries 256 random bits, the row only their hash and the absolute end.
 */
export function newSession(now: Date, policy: SessionPolicy): { token: string; row: { id_hash: Buffer; created_at: Date; last_seen_at: Date; expires_at: Date } } {
  const token = newBearerToken();
  return { token, row: { id_hash: hashBearerToken(token), created_at: now, last_seen_at: now, expires_at: new Date(now.getTime() + policy.absoluteHours * HOUR) } };
}

// A page of ten API calls should not be ten writes: last_seen_at moves at most once a minute.
const TOUCH_INTERVAL = MINUTE;

/**
 * Idle timeout (ACC-7): a session ends no sooner than `idleMinutes` after its last request, and
 * at most TOUCH_INTERVAL later (last_seen_at may lag the last request by up to that much).
 */
export function isIdleExpired(lastSeenAt: Date, now: Date, policy: SessionPolicy): boolean {
  return now.getTime() - lastSeenAt.getTime() >= policy.idleMinutes * MINUTE + TOUCH_INTERVAL;
}

/**
 * The one rule for a stored session (candidate_session, staff_session): past its absolute end or
 * idle too long → EXPIRED (the caller removes it); otherwise valid, and TOUCH when last_seen_at
 * should move (at most once per TOUCH_INTERVAL).
 */
export function sessionState(row: { last_seen_at: Date; expires_at: Date }, now: Date, policy: SessionPolicy): 'EXPIRED' | 'VALID' | 'TOUCH' {
  if (now >= row.expires_at || isIdleExpired(row.last_seen_at, now, policy)) return 'EXPIRED';
  return now.getTime() - row.last_seen_at.getTime() >= TOUCH_INTERVAL ? 'TOUCH' : 'VALID';
}

/** A new candidate session; the id is always new (no fixation). */
export async function createSession(db: DbOrTrx, candidateId: bigint, now: Date, policy: SessionPolicy): Promise<string> {
  const { token, row } = newSession(now, policy);
  await db.insertInto('candidate_session').values({ ...row, candidate_id: candidateId }).execute();
  return token;
}

export type SessionLookup =
  | { status: 'VALID'; candidate: Candidate }
  | { status: 'EXPIRED' }
  | { status: 'NONE' };

/** Finds the session's candidate; idle or past its absolute end → EXPIRED (and removed). */
export async function resolveSession(db: DbOrTrx, token: string, now: Date, policy: SessionPolicy): Promise<SessionLookup> {
  const idHash = hashBearerToken(token);
  const row = await db.selectFrom('candidate_session as s').innerJoin('candidate as c', 'c.id', 's.candidate_id')
    .selectAll('c').select(['s.last_seen_at', 's.expires_at']).where('s.id_hash', '=', idHash).executeTakeFirst();
  if (!row) return { status: 'NONE' };
  const { last_seen_at, expires_at, ...candidate } = row;
  const state = sessionState({ last_seen_at, expires_at }, now, policy);
  if (state === 'EXPIRED') {
    await db.deleteFrom('candidate_session').where('id_hash', '=', idHash).execute();
    return { status: 'EXPIRED' };
  }
  if (state === 'TOUCH') await db.updateTable('candidate_session').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  return { status: 'VALID', candidate };
}

export async function destroySession(db: DbOrTrx, token: string): Promise<void> {
  await db.deleteFrom('candidate_session').where('id_hash', '=', hashBearerToken(token)).execute();
}

/** After a password change: every other session of the candidate ends; returns how many. */
export async function endOtherSessions(db: DbOrTrx, candidateId: bigint, keepToken: string): Promise<number> {
  const r = await db.deleteFrom('candidate_session').where('candidate_id', '=', candidateId).where('id_hash', '!=', hashBearerToken(keepToken)).executeTakeFirst();
  return Number(r.numDeletedRows);
}
