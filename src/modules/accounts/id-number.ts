import type { DbOrTrx } from '../../db/database.ts';
import { normaliseIdNumber } from '../../shared/id-document.ts';

/**
 * The one way code outside sign-in reads a candidate's ID number, and the one way it searches
 * by one. Issue "Accounts and security" (OPS-6) replaces the stored column with encryption at
 * rest and a keyed hash; only these functions then change.
 */
export function readIdNumber(candidate: { id_number: string }): string {
  return candidate.id_number;
}

/** Candidates of an authority with exactly this ID number, normalised as at sign-in (normaliseIdNumber). */
export async function candidateIdsByIdNumber(db: DbOrTrx, authorityId: bigint, idNumber: string): Promise<bigint[]> {
  const rows = await db.selectFrom('candidate').select('id').where('authority_id', '=', authorityId).where('id_number', '=', normaliseIdNumber(idNumber)).execute();
  return rows.map((r) => r.id);
}

/** All but the first 3 and last 4 characters masked (OPS-6): the one mask, shared/id-document.ts. */
export { maskIdNumber } from '../../shared/id-document.ts';
