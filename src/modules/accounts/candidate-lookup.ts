import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';

/** How the account flows find candidates by e-mail and authority; by ID number see candidate-identity.ts. */
/** The 通行证 whose login is this (normalised) address, if any. */
export function findEmailAccount(db: DbOrTrx, input: { authorityId: bigint; email: string }): Promise<Candidate | undefined> {
  return db.selectFrom('candidate').selectAll()
    .where('authority_id', '=', input.authorityId).where('login', '=', 'EMAIL').where('email', '=', input.email)
    .executeTakeFirst();
}

export function findAuthority(db: DbOrTrx, code: string) {
  return db.selectFrom('authority').select(['id', 'code', 'name']).where('code', '=', code).executeTakeFirst();
}

/**
 * The address a reset link or a reminder may go to (ACC-5, ACC-6): a 通行证's login (even before
 * it is verified — the link proves the mailbox), or an ID-document account's contact address
 * once verified. Anything else has no e-mail on file.
 */
export function emailOnFile(c: Pick<Candidate, 'login' | 'email' | 'email_verified_at'>): string | undefined {
  if (!c.email) return undefined;
  if (c.login === 'EMAIL') return c.email;
  return c.email_verified_at ? c.email : undefined;
}
