import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';

/**
 * THE lookup of a candidate by ID number. Everything that finds an account from a number a
 * person typed comes here, so the storage of ID numbers (issue "personal data": encrypted, found
 * through a keyed hash) changes in one place. `idNumber` is normalised (normaliseIdNumber).
 */
export async function findCandidateByIdNumber(db: DbOrTrx, authorityCode: string, idNumber: string): Promise<Candidate | undefined> {
  return db.selectFrom('candidate as c').innerJoin('authority as a', 'a.id', 'c.authority_id')
    .selectAll('c').where('a.code', '=', authorityCode).where('c.id_number', '=', idNumber).executeTakeFirst();
}
