import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';
import { normaliseIdNumber } from '../../shared/id-document.ts';

/**
 * THE lookup of a candidate by ID number. Everything that finds an account from a number a
 * person typed comes here, so the storage of ID numbers (OPS-6: encrypted, found through a keyed
 * hash) changes in one place. The number is normalised here (normaliseIdNumber).
 */
export function findCandidateByIdNumber(
  db: DbOrTrx,
  input: ({ authorityId: bigint } | { authorityCode: string }) & { idNumber: string; forUpdate?: boolean },
): Promise<Candidate | undefined> {
  const q = db.selectFrom('candidate').selectAll()
    .where('authority_id', '=', 'authorityId' in input ? input.authorityId : (eb) => eb.selectFrom('authority').select('id').where('code', '=', input.authorityCode))
    .where('id_number', '=', normaliseIdNumber(input.idNumber));
  return (input.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

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
