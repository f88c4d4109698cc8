import { fail, ok, type Result } from '../../shared/errors.ts';
import type { DbOrTrx } from '../../db/database.ts';
import type { ReviewStatus } from '../../db/schema.ts';
import { accountExamIds } from '../accounts/account-exams.ts';
import type { Actor, AppContext } from '../context.ts';
import { decideCet6Review } from './cet6-review.ts';

/**
 * 资格复核 (REG-4): the candidate files a CET4 ticket number; decideCet6Review says what happens.
 * Filing is allowed before registration opens (REG-2). One live review per candidate and sitting
 * (a partial unique index); a rejected one may be filed again.
 */
export async function fileCet6Review(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { candidateId: bigint; sittingId: bigint; ticketNo: string },
): Promise<Result<{ reviewId: bigint; status: ReviewStatus }>> {
  return ctx.db.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('candidate as c').innerJoin('sitting as st', (j) => j.on('st.id', '=', input.sittingId)).innerJoin('exam as e', 'e.id', 'st.exam_id')
      .select(['c.id', 'c.id_number_hash', 'c.name', 'c.authority_id', 'e.cet6_review_threshold'])
      .where('c.id', '=', input.candidateId).where('e.id', 'in', accountExamIds(trx, input.candidateId)).forUpdate('c').executeTakeFirst();
    if (!c || c.cet6_review_threshold === null) return fail('REVIEW_NOT_OFFERED');
    const live = await trx.selectFrom('eligibility_review').select('id').where('candidate_id', '=', c.id)
      .where('sitting_id', '=', input.sittingId).where('status', 'in', ['APPROVED', 'PENDING']).executeTakeFirst();
    if (live) return fail('REVIEW_ALREADY_FILED');
    const record = await trx.selectFrom('cet4_score').selectAll().where('authority_id', '=', c.authority_id).where('ticket_no', '=', input.ticketNo).executeTakeFirst();
    const decision = decideCet6Review({
      candidate: { idNumberHash: c.id_number_hash, name: c.name },
      record: record ? { ticketNo: record.ticket_no, idNumberHash: record.id_number_hash, name: record.name, score: record.score } : null,
      threshold: c.cet6_review_threshold,
    });
    if (!decision.filed) return fail(decision.code);
    const now = ctx.clock.now();
    const review = await trx.insertInto('eligibility_review').values({
      candidate_id: c.id, sitting_id: input.sittingId, ticket_no: input.ticketNo, status: decision.status, created_at: now,
      ...(decision.status === 'APPROVED' ? { decided_by: 'system', decided_at: now } : {}),
    }).returning(['id', 'status']).executeTakeFirstOrThrow();
    return ok({ reviewId: review.id, status: review.status });
  });
}

/** The institution's manual decision on a 未复核 review: approve, or reject with a reason (ORG-2). */
export async function decideReview(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { reviewId: bigint; approve: boolean; reason?: string; actor: Actor },
): Promise<Result<ReviewStatus>> {
  if (!input.approve && !input.reason?.trim()) return fail('VALIDATION_FAILED', { field: 'reason', reason: 'a rejection needs a reason' });
  const decided = await ctx.db.updateTable('eligibility_review')
    .set({ status: input.approve ? 'APPROVED' : 'REJECTED', decided_by: input.actor, decided_at: ctx.clock.now(), reject_reason: input.approve ? null : input.reason!.trim() })
    .where('id', '=', input.reviewId).where('status', '=', 'PENDING')
    .returning('status').executeTakeFirst();
  return decided ? ok(decided.status) : fail('REVIEW_NOT_PENDING');
}

/**
 * A candidate's reviews in a sitting of their own exam, newest first — where they see the
 * outcome of a 未复核 one (REG-4). Undefined when the sitting is not of their exam.
 */
export async function candidateReviewsInSitting(db: DbOrTrx, input: { candidateId: bigint; examId: bigint; sittingId: bigint }) {
  const sitting = await db.selectFrom('sitting').select('id').where('id', '=', input.sittingId).where('exam_id', '=', input.examId).executeTakeFirst();
  if (!sitting) return undefined;
  return db.selectFrom('eligibility_review').selectAll().where('candidate_id', '=', input.candidateId).where('sitting_id', '=', sitting.id).orderBy('id', 'desc').execute();
}
