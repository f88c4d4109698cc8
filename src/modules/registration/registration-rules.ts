/**
 * Who may register and pay for which subject (REG-3, REG-5), as plain functions of facts the
 * caller loads. The seeds' words: 已通过/免考/已报考 subjects cannot be registered again;
 * 大学英语A/B are mutually exclusive, counting passed ones (seed 000); 需先报考笔试，才可以报考
 * 对应科目的口试 and 需先成功支付笔试，才能支付对应科目的口试 (seed 002).
 */
import { appealBlocksRegistration } from './appeal-rule.ts';

export interface SubjectFacts {
  id: bigint;
  kind: 'WRITTEN' | 'ORAL';
  /** For an oral subject: its written subject. */
  writtenSubjectId: bigint | null;
  /** Subjects sharing a group exclude each other. */
  exclusionGroup: string | null;
  /** REG-4: needs an approved eligibility review (CET6). */
  requiresReview: boolean;
  /** REF-2: the authority cancelled the subject or its whole sitting. */
  cancelled?: boolean;
}

export interface CandidateStanding {
  /** From the roster / student records; null = the exam has no roster restriction. */
  eligibleSubjectIds: ReadonlySet<bigint> | null;
  passedSubjectIds: ReadonlySet<bigint>;
  exemptSubjectIds: ReadonlySet<bigint>;
  /** Active registrations of this sitting, and whether each is paid. */
  registered: ReadonlyMap<bigint, { paid: boolean }>;
  /** REG-4: the sitting's eligibility review is approved. */
  reviewApproved: boolean;
  /**
   * REF-3 (seed 004: "考生可在执行退费后，经考区同意，重新进行缴费操作"): a registration of this sitting
   * was refunded and the exam wants the authority's approval before the candidate registers (and
   * pays) again; the approval has not been given.
   */
  repaymentApprovalPending?: boolean;
  /** Seed 000: subjects with a pending 报考科目申诉 of the candidate's (appeal-rule.ts). */
  appealPendingSubjectIds?: ReadonlySet<bigint>;
}

export type RuleCode =
  | 'NOT_ELIGIBLE'
  | 'SUBJECT_ALREADY_PASSED'
  | 'SUBJECT_EXEMPT'
  | 'SUBJECT_ALREADY_REGISTERED'
  | 'EXCLUSIVE_SUBJECT_CONFLICT'
  | 'WRITTEN_BEFORE_ORAL'
  | 'REVIEW_REQUIRED'
  | 'SUBJECT_CANCELLED'
  | 'REPAYMENT_APPROVAL_REQUIRED'
  | 'SUBJECT_APPEAL_PENDING';

export type RuleResult = { ok: true } | { ok: false; code: RuleCode; subjectId?: bigint };

export function canRegister(subject: SubjectFacts, standing: CandidateStanding, allSubjects: readonly SubjectFacts[]): RuleResult {
  if (subject.cancelled) return { ok: false, code: 'SUBJECT_CANCELLED' };
  if (standing.eligibleSubjectIds && !standing.eligibleSubjectIds.has(subject.id)) return { ok: false, code: 'NOT_ELIGIBLE' };
  if (subject.requiresReview && !standing.reviewApproved) return { ok: false, code: 'REVIEW_REQUIRED' };
  if (standing.passedSubjectIds.has(subject.id)) return { ok: false, code: 'SUBJECT_ALREADY_PASSED' };
  if (standing.exemptSubjectIds.has(subject.id)) return { ok: false, code: 'SUBJECT_EXEMPT' };
  if (standing.registered.has(subject.id)) return { ok: false, code: 'SUBJECT_ALREADY_REGISTERED' };
  const appeal = appealBlocksRegistration(subject.id, standing.appealPendingSubjectIds);
  if (!appeal.ok) return appeal;
  if (standing.repaymentApprovalPending) return { ok: false, code: 'REPAYMENT_APPROVAL_REQUIRED' };
  if (subject.exclusionGroup !== null) {
    const rival = allSubjects.find((s) => s.id !== subject.id && s.exclusionGroup === subject.exclusionGroup
      && (standing.registered.has(s.id) || standing.passedSubjectIds.has(s.id)));
    if (rival) return { ok: false, code: 'EXCLUSIVE_SUBJECT_CONFLICT', subjectId: rival.id };
  }
  if (subject.kind === 'ORAL' && subject.writtenSubjectId !== null && !standing.registered.has(subject.writtenSubjectId)) {
    return { ok: false, code: 'WRITTEN_BEFORE_ORAL', subjectId: subject.writtenSubjectId };
  }
  return { ok: true };
}

/** An oral subject is payable only once its written subject is paid — not on the same bill. */
export function canPay(subject: SubjectFacts, standing: CandidateStanding): RuleResult {
  if (subject.cancelled) return { ok: false, code: 'SUBJECT_CANCELLED' };
  if (subject.kind === 'ORAL' && subject.writtenSubjectId !== null && !standing.registered.get(subject.writtenSubjectId)?.paid) {
    return { ok: false, code: 'WRITTEN_BEFORE_ORAL', subjectId: subject.writtenSubjectId };
  }
  return { ok: true };
}
