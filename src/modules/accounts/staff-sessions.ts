import type { DbOrTrx } from '../../db/database.ts';
import type { StaffAccount } from '../../db/schema.ts';
import type { StaffActor } from './authorization.ts';
import { hashBearerToken } from '../../shared/bearer-token.ts';
import { newSession, sessionState, type SessionPolicy } from './sessions.ts';

/**
 * Staff sessions: their own cookie and table, the candidates' rules (sessions.ts): hashed
 * token, idle and absolute ends, a new id at every sign-in, sign-out ends it on the server.
 */

export interface StaffPrincipal {
  account: StaffAccount;
  actor: StaffActor;
  authority: { code: string; name: string };
  institution: { id: bigint; code: string; name: string } | null;
}

export type StaffSessionLookup = { status: 'VALID'; staff: StaffPrincipal } | { status: 'EXPIRED' } | { status: 'NONE' };

export function staffActor(a: Pick<StaffAccount, 'id' | 'role' | 'authority_id' | 'institution_id'>): StaffActor {
  return { staffId: a.id, role: a.role, authorityId: a.authority_id, institutionId: a.institution_id };
}

export async function createStaffSession(db: DbOrTrx, staffId: bigint, now: Date, policy: SessionPolicy): Promise<string> {
  const { token, row } = newSession(now, policy);
  await db.insertInto('staff_session').values({ ...row, staff_id: staffId }).execute();
  return token;
}

/** The signed-in staff member of a cookie; a disabled account's session counts as none. */
export async function resolveStaffSession(db: DbOrTrx, token: string, now: Date, policy: SessionPolicy): Promise<StaffSessionLookup> {
  const idHash = hashBearerToken(token);
  const row = await db.selectFrom('staff_session as ss')
    .innerJoin('staff_account as s', 's.id', 'ss.staff_id')
    .innerJoin('authority as a', 'a.id', 's.authority_id')
    .leftJoin('institution as i', 'i.id', 's.institution_id')
    .selectAll('s')
    .select(['ss.last_seen_at', 'ss.expires_at', 'a.code as authority_code', 'a.name as authority_name', 'i.code as institution_code', 'i.name as institution_name'])
    .where('ss.id_hash', '=', idHash).executeTakeFirst();
  if (!row) return { status: 'NONE' };
  const { last_seen_at, expires_at, authority_code, authority_name, institution_code, institution_name, ...account } = row;
  const state = sessionState({ last_seen_at, expires_at }, now, policy);
  if (state === 'EXPIRED' || account.disabled_at !== null) {
    await db.deleteFrom('staff_session').where('id_hash', '=', idHash).execute();
    return account.disabled_at !== null ? { status: 'NONE' } : { status: 'EXPIRED' };
  }
  if (state === 'TOUCH') await db.updateTable('staff_session').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  return {
    status: 'VALID',
    staff: {
      account,
      actor: staffActor(account),
      authority: { code: authority_code, name: authority_name },
      institution: account.institution_id !== null && institution_code && institution_name ? { id: account.institution_id, code: institution_code, name: institution_name } : null,
    },
  };
}

export async function destroyStaffSession(db: DbOrTrx, token: string): Promise<void> {
  await db.deleteFrom('staff_session').where('id_hash', '=', hashBearerToken(token)).execute();
}

/** Ends every session of a staff member except (optionally) the one making the request. */
export async function endStaffSessions(db: DbOrTrx, staffId: bigint, keepToken?: string): Promise<void> {
  let q = db.deleteFrom('staff_session').where('staff_id', '=', staffId);
  if (keepToken) q = q.where('id_hash', '<>', hashBearerToken(keepToken));
  await q.execute();
}
