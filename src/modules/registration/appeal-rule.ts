import type { RuleResult } from './registration-rules.ts';

/**
 * Seed 000: 如果考生提交过的报考科目申诉，学习中心还未进行处理，考生也不可以进行报考. A subject with a
 * pending 报考科目申诉 of the candidate's cannot be registered by them until the institution has
 * decided it (accepted, rejected) or the candidate withdrew it. The reason's words, in Chinese
 * and English, are the catalogue's SUBJECT_APPEAL_PENDING; the registration options carry the
 * code as the subject's `reason`, and registering answers it as the error.
 */
export function appealBlocksRegistration(subjectId: bigint, pendingAppealSubjectIds: ReadonlySet<bigint> | undefined): RuleResult {
  return pendingAppealSubjectIds?.has(subjectId) ? { ok: false, code: 'SUBJECT_APPEAL_PENDING' } : { ok: true };
}
