import type { DbOrTrx } from '../../db/database.ts';
import type { ResourceScope } from './authorization.ts';
import type { IdentityContext } from './candidate-identity.ts';
import { candidateIdsByIdNumber } from './id-number.ts';

/** Looks like a whole ID document number (居民身份证 18, passports and permits 8–18). */
const ID_NUMBER_LIKE = /^[0-9A-Za-z]{8,18}$/;
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Candidate search for staff, inside their scope: an exact ID number (through the one lookup
 * that encryption will replace), or a part of the name. Nothing outside the scope is counted.
 */
export async function searchCandidates(ctx: IdentityContext, scope: ResourceScope, input: { q?: string; institutionId?: bigint; limit: number; offset: number }) {
  let q = ctx.db.selectFrom('candidate as c').innerJoin('exam as e', 'e.id', 'c.exam_id').leftJoin('institution as i', 'i.id', 'c.institution_id')
    .select(['c.id', 'c.name', 'c.id_type', 'c.id_number_sealed', 'e.code as exam_code', 'c.institution_id', 'i.name as institution_name'])
    .where('c.authority_id', '=', scope.authorityId);
  if (scope.institutionId !== null) q = q.where('c.institution_id', '=', scope.institutionId);
  if (input.institutionId !== undefined) q = q.where('c.institution_id', '=', input.institutionId);
  const text = input.q?.trim();
  if (text) {
    if (ID_NUMBER_LIKE.test(text) && /\d{4}/.test(text)) {
      const ids = await candidateIdsByIdNumber(ctx, scope.authorityId, text);
      if (!ids.length) return [];
      q = q.where('c.id', 'in', ids);
    } else {
      q = q.where('c.name', 'ilike', `%${escapeLike(text)}%`);
    }
  }
  return q.orderBy('c.id').limit(input.limit).offset(input.offset).execute();
}

/** What a staff member sees of one candidate besides the record: reviews and audit status. */
export async function candidateReviews(db: DbOrTrx, candidateId: bigint) {
  return db.selectFrom('eligibility_review as v').innerJoin('sitting as st', 'st.id', 'v.sitting_id')
    .select(['v.id', 'v.sitting_id', 'st.code as sitting_code', 'v.status', 'v.ticket_no', 'v.created_at', 'v.decided_at', 'v.reject_reason'])
    .where('v.candidate_id', '=', candidateId).orderBy('v.id', 'desc').execute();
}
