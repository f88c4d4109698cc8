import type { DbOrTrx } from '../../db/database.ts';
import type { CandidateStanding, SubjectFacts } from './registration-rules.ts';
import type { SittingWindow } from './windows.ts';

/** Loads the facts the pure rules need; nothing here decides anything. */
export async function sittingWindows(db: DbOrTrx, sittingId: bigint): Promise<SittingWindow[]> {
  const rows = await db.selectFrom('sitting_window').select(['kind', 'site_id', 'opens_at', 'closes_at']).where('sitting_id', '=', sittingId).execute();
  return rows.map((w) => ({ kind: w.kind, siteId: w.site_id, opensAt: w.opens_at, closesAt: w.closes_at }));
}

export async function sittingSubjects(db: DbOrTrx, sittingId: bigint): Promise<SubjectFacts[]> {
  const rows = await db.selectFrom('subject').select(['id', 'kind', 'written_subject_id', 'exclusion_group', 'requires_review']).where('sitting_id', '=', sittingId).execute();
  return rows.map((s) => ({ id: s.id, kind: s.kind, writtenSubjectId: s.written_subject_id, exclusionGroup: s.exclusion_group, requiresReview: s.requires_review }));
}

export async function candidateStanding(db: DbOrTrx, input: { candidateId: bigint; sittingId: bigint; rosterRestricted: boolean }): Promise<CandidateStanding> {
  const [facts, regs, review] = await Promise.all([
    db.selectFrom('candidate_subject_standing').select(['subject_id', 'status']).where('candidate_id', '=', input.candidateId).execute(),
    db.selectFrom('registration').select(['subject_id', 'paid_at']).where('candidate_id', '=', input.candidateId)
      .where('sitting_id', '=', input.sittingId).where('status', '=', 'ACTIVE').execute(),
    db.selectFrom('eligibility_review').select('id').where('candidate_id', '=', input.candidateId)
      .where('sitting_id', '=', input.sittingId).where('status', '=', 'APPROVED').executeTakeFirst(),
  ]);
  const having = (status: string) => new Set(facts.filter((f) => f.status === status).map((f) => f.subject_id));
  return {
    eligibleSubjectIds: input.rosterRestricted ? having('ELIGIBLE') : null,
    passedSubjectIds: having('PASSED'),
    exemptSubjectIds: having('EXEMPT'),
    registered: new Map(regs.map((r) => [r.subject_id, { paid: r.paid_at !== null }])),
    reviewApproved: review !== undefined,
  };
}
