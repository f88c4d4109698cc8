import type { PersonalDataKeys } from '../../shared/personal-data.ts';
import { candidateIdNumber, idNumberHash, type IdentityContext } from './candidate-identity.ts';

/**
 * How staff code reads a candidate's ID number and searches by one — through the one door
 * (candidate-identity.ts): sealed at rest, found by keyed hash (OPS-6).
 */
export function readIdNumber(keys: PersonalDataKeys, candidate: { id_number_sealed: Buffer }): string {
  return candidateIdNumber(keys, candidate);
}

/** Candidates of an authority with exactly this ID number (as typed; normalised by the hash). */
export async function candidateIdsByIdNumber(ctx: IdentityContext, authorityId: bigint, idNumber: string): Promise<bigint[]> {
  const rows = await ctx.db.selectFrom('candidate').select('id').where('authority_id', '=', authorityId).where('id_number_hash', '=', idNumberHash(ctx.personalData, idNumber)).execute();
  return rows.map((r) => r.id);
}

/** The one mask (docs/personal-data.md). */
export { maskIdNumber } from '../../shared/personal-data.ts';
