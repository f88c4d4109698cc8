import type { DbOrTrx } from '../../db/database.ts';
import type { ReviewStatus, StaffAccount } from '../../db/schema.ts';
import { ok, type Result } from '../../shared/errors.ts';
import { listScope } from '../accounts/authorization.ts';
import { auditActor } from '../accounts/staff-accounts.ts';
import { loadReview } from '../accounts/staff-scope.ts';
import { staffActor } from '../accounts/staff-sessions.ts';
import { AUDIT_ACTIONS, recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { decideReview } from './eligibility-review.ts';

/**
 * The manual CET6 review queue (REG-4, ORG-2): 未复核 reviews of the staff member's scope —
 * an institution's own candidates, or the whole authority — with what the decision rests on:
 * the candidate's record and the CET4 result the ticket number found.
 */
export async function listReviews(db: DbOrTrx, staff: StaffAccount, filter: { status: ReviewStatus; sittingId?: bigint; limit: number }) {
  const scope = listScope(staffActor(staff));
  let q = db.selectFrom('eligibility_review as v')
    .innerJoin('candidate as c', 'c.id', 'v.candidate_id')
    .innerJoin('sitting as st', 'st.id', 'v.sitting_id')
    .leftJoin('institution as i', 'i.id', 'c.institution_id')
    .leftJoin('cet4_score as sc', (j) => j.onRef('sc.authority_id', '=', 'c.authority_id').onRef('sc.ticket_no', '=', 'v.ticket_no'))
    .select(['v.id', 'v.status', 'v.ticket_no', 'v.created_at', 'v.decided_at', 'v.decided_by', 'v.reject_reason', 'v.sitting_id', 'st.code as sitting_code',
      'c.id as candidate_id', 'c.name as candidate_name', 'c.id_number_sealed', 'c.id_number_hash', 'i.name as institution_name',
      'sc.name as record_name', 'sc.id_number_sealed as record_id_number_sealed', 'sc.id_number_hash as record_id_number_hash', 'sc.score as record_score'])
    .where('c.authority_id', '=', scope.authorityId)
    .where('v.status', '=', filter.status);
  if (scope.institutionId !== null) q = q.where('c.institution_id', '=', scope.institutionId);
  if (filter.sittingId !== undefined) q = q.where('v.sitting_id', '=', filter.sittingId);
  return q.orderBy('v.created_at').orderBy('v.id').limit(filter.limit).execute();
}

/**
 * Staff decide a 未复核 review (REG-4): approve, or reject with a reason. The review is locked
 * and scope-checked, decided, and audited in one transaction. The candidate sees the outcome at
 * once: an approved review makes CET6 registrable (registration options, registerSubject).
 */
export async function decideReviewAsStaff(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { staff: StaffAccount; reviewId: bigint; approve: boolean; reason?: string; ip: string | null },
): Promise<Result<ReviewStatus>> {
  return ctx.db.transaction().execute(async (trx): Promise<Result<ReviewStatus>> => {
    const review = await loadReview(trx, staffActor(input.staff), 'review.decide', input.reviewId, { lock: true });
    if (!review.ok) return review;
    const decided = await decideReview({ db: trx, clock: ctx.clock }, {
      reviewId: review.value.id, approve: input.approve, actor: `staff:${input.staff.id}`, ...(input.reason !== undefined ? { reason: input.reason } : {}),
    });
    if (!decided.ok) return decided;
    await recordAudit(trx, {
      at: ctx.clock.now(), actor: auditActor(input.staff), action: AUDIT_ACTIONS.REVIEW_DECIDE, object: { type: 'eligibility_review', id: review.value.id },
      // The reason is free text staff typed: it stays on the review, not in the log.
      summary: { before: { status: review.value.status }, after: { status: decided.value }, candidateId: review.value.candidate_id, sittingId: review.value.sitting_id },
      ip: input.ip,
    });
    return ok(decided.value);
  });
}
