import type { DbOrTrx } from '../../db/database.ts';
import type { CandidateStanding, SubjectFacts } from './registration-rules.ts';
import type { SittingWindow } from './windows.ts';
import { REFUND_CAUSES } from '../refunds/refund-rules.ts';

/** Loads the facts the pure rules need; nothing here decides anything. */
export async function sittingWindows(db: DbOrTrx, sittingId: bigint): Promise<SittingWindow[]> {
  const rows = await db.selectFrom('sitting_window').select(['kind', 'site_id', 'opens_at', 'closes_at']).where('sitting_id', '=', sittingId).execute();
  return rows.map((w) => ({ kind: w.kind, siteId: w.site_id, opensAt: w.opens_at, closesAt: w.closes_at }));
}

export async function sittingSubjects(db: DbOrTrx, sittingId: bigint): Promise<SubjectFacts[]> {
  const rows = await db.selectFrom('subject as s').innerJoin('sitting as st', 'st.id', 's.sitting_id')
    .select(['s.id', 's.kind', 's.written_subject_id', 's.exclusion_group', 's.requires_review', 's.cancelled_at', 'st.cancelled_at as sitting_cancelled_at'])
    .where('s.sitting_id', '=', sittingId).execute();
  return rows.map((s) => ({
    id: s.id, kind: s.kind, writtenSubjectId: s.written_subject_id, exclusionGroup: s.exclusion_group, requiresReview: s.requires_review,
    cancelled: s.cancelled_at !== null || s.sitting_cancelled_at !== null,
  }));
}

export async function candidateStanding(db: DbOrTrx, input: { candidateId: bigint; sittingId: bigint; rosterRestricted: boolean }): Promise<CandidateStanding> {
  const [facts, regs, review, awaiting, appeals] = await Promise.all([
    db.selectFrom('candidate_subject_standing').select(['subject_id', 'status']).where('candidate_id', '=', input.candidateId).execute(),
    db.selectFrom('registration').select(['subject_id', 'paid_at']).where('candidate_id', '=', input.candidateId)
      .where('sitting_id', '=', input.sittingId).where('status', '=', 'ACTIVE').execute(),
    db.selectFrom('eligibility_review').select('id').where('candidate_id', '=', input.candidateId)
      .where('sitting_id', '=', input.sittingId).where('status', '=', 'APPROVED').executeTakeFirst(),
    // REF-3: a refunded registration of this sitting whose exam wants approval and has none yet. One
    // whose subject the authority cancelled does not count: there is nothing to pay again for it.
    db.selectFrom('registration as r').innerJoin('sitting as st', 'st.id', 'r.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
      .innerJoin('subject as s', 's.id', 'r.subject_id')
      .leftJoin('repayment_approval as a', (j) => j.onRef('a.registration_id', '=', 'r.id').on('a.status', '=', 'APPROVED'))
      .select('r.id')
      .where('r.candidate_id', '=', input.candidateId).where('r.sitting_id', '=', input.sittingId)
      .where('r.status', '=', 'CANCELLED').where('r.paid_at', 'is not', null).where('r.cancelled_reason', 'in', REFUND_CAUSES)
      .where('e.repayment_needs_approval', '=', true).where('s.cancelled_at', 'is', null).where('a.registration_id', 'is', null)
      .limit(1).executeTakeFirst(),
    // Seed 000: a pending 报考科目申诉 holds its subject back (appeal-rule.ts).
    db.selectFrom('appeal').select('subject_id').where('candidate_id', '=', input.candidateId)
      .where('kind', '=', 'SUBJECT').where('state', '=', 'PENDING').execute(),
  ]);
  const having = (status: string) => new Set(facts.filter((f) => f.status === status).map((f) => f.subject_id));
  return {
    eligibleSubjectIds: input.rosterRestricted ? having('ELIGIBLE') : null,
    passedSubjectIds: having('PASSED'),
    exemptSubjectIds: having('EXEMPT'),
    registered: new Map(regs.map((r) => [r.subject_id, { paid: r.paid_at !== null }])),
    reviewApproved: review !== undefined,
    repaymentApprovalPending: awaiting !== undefined,
    appealPendingSubjectIds: new Set(appeals.flatMap((a) => (a.subject_id === null ? [] : [a.subject_id]))),
  };
}
