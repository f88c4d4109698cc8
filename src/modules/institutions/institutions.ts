import type { DbOrTrx } from '../../db/database.ts';
import type { Institution } from '../../db/schema.ts';

/** An authority's learning centres and schools, by code. */
export async function listInstitutions(db: DbOrTrx, authorityId: bigint): Promise<Institution[]> {
  return db.selectFrom('institution').selectAll().where('authority_id', '=', authorityId).orderBy('code').execute();
}
